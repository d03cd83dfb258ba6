"""Image blocks: a few widths as WebP for ``srcset``, plus one JPEG or PNG for old browsers.

A 4000-pixel camera photo costs a tablet seconds and megabytes; three widths let the browser
pick. Nothing is upscaled. EXIF orientation is applied and metadata (GPS!) dropped. Images with
transparency fall back to PNG, the rest to JPEG. Animated GIFs and SVGs are kept as they are
(an SVG only after ``check_svg`` found nothing that could run or fetch).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image, ImageOps

from media.probe import Limits, check_image, check_svg
from media.tools import JobContext

DEFAULTS: dict = {"widths": [480, 960, 1440], "webp_quality": 80, "jpeg_quality": 85}


def plan_widths(source_width: int, widths: list[int]) -> list[int]:
    """The widths to make, smallest first: every step below the source, then the source (capped)."""
    steps = sorted(w for w in widths if w < source_width)
    top = min(source_width, max(widths))
    return steps + [top] if top not in steps else steps


def make_sizes(src: Path, settings: dict, limits: Limits, ctx: JobContext) -> dict:
    """Image -> WebP at each width (largest first) and the fallback last."""
    if src.suffix.lower() == ".svg":
        width, height = check_svg(src, ctx.name, limits)
        shutil.copyfile(src, ctx.workdir / "image.svg")
        return {
            "outputs": [
                {"role": "image", "file": "image.svg", "mime": "image/svg+xml", "width": width, "height": height}
            ],
            "duration": None,
        }
    info = check_image(src, ctx.name, limits)
    if info.format == "GIF" and info.frames > 1:
        shutil.copyfile(src, ctx.workdir / "image.gif")
        return {
            "outputs": [
                {"role": "image", "file": "image.gif", "mime": "image/gif", "width": info.width, "height": info.height}
            ],
            "duration": None,
        }
    with Image.open(src) as opened:
        image = ImageOps.exif_transpose(opened)
        image = image.convert("RGBA" if info.has_alpha else "RGB")
    outputs = []
    widths = plan_widths(image.width, settings["widths"])
    for width in reversed(widths):
        resized = _resize(image, width)
        file = f"{width}w.webp"
        resized.save(ctx.workdir / file, "WEBP", quality=settings["webp_quality"], method=4)
        outputs.append(
            {
                "role": "image",
                "file": file,
                "mime": "image/webp",
                "width": resized.width,
                "height": resized.height,
                "label": f"{resized.width}w",
            }
        )
    fallback = _resize(image, widths[-1])
    if info.has_alpha:
        file, mime = f"{widths[-1]}w.png", "image/png"
        fallback.save(ctx.workdir / file, "PNG", optimize=True)
    else:
        file, mime = f"{widths[-1]}w.jpg", "image/jpeg"
        fallback.save(ctx.workdir / file, "JPEG", quality=settings["jpeg_quality"], optimize=True, progressive=True)
    outputs.append(
        {
            "role": "fallback",
            "file": file,
            "mime": mime,
            "width": fallback.width,
            "height": fallback.height,
            "label": "fallback",
        }
    )
    if ctx.progress:
        ctx.progress(1.0)
    return {"outputs": outputs, "duration": None}


def _resize(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)
