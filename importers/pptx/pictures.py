"""Pictures, videos and sounds on a slide: the embedded file, its format, its alt text.

A picture is read through its image part, not python-pptx's ``Image`` (which refuses formats
Pillow cannot name, such as WebP and EMF, and would make them vanish). Alt text is taken only
as the deck gives it: a file name is no description, and PowerPoint's generated text is kept
but flagged for checking. Decorative pictures (so marked by the author) are left to the slide
image; linked media and formats a course cannot take are listed, never dropped in silence.
"""

from __future__ import annotations

import re
from contextlib import suppress
from io import BytesIO

from pptx.oxml.ns import qn

from importers.pptx.content import Media, Picture, Slide, Unmapped
from importers.pptx.text import one_line

WEB_IMAGES = {"png", "jpg", "jpeg", "gif", "webp", "svg"}
CONVERTIBLE_IMAGES = {"bmp", "tif", "tiff"}  # bitmaps browsers do not show; Pillow makes PNGs of them
VIDEO_TYPES = {"mp4", "mov", "m4v", "webm", "mkv"}  # what a course's video block takes
AUDIO_TYPES = {"mp3", "m4a", "aac", "wav", "ogg", "opus", "flac"}
FILE_NAME_ALT = re.compile(r"^\S+\.(png|jpe?g|gif|bmp|tiff?|emf|wmf|svg|webp)$", re.I)
AUTO_ALT = "description automatically generated"


def read_picture(shape, slide: Slide) -> None:
    element = shape._element
    nv_pr = element.find(f"{qn('p:nvPicPr')}/{qn('p:nvPr')}")
    for tag, kind in ((qn("a:videoFile"), "video"), (qn("a:audioFile"), "audio")):
        if nv_pr is not None and nv_pr.find(tag) is not None:
            _read_media(shape, nv_pr, tag, kind, slide)
            return
    if _decorative(element):
        slide.decorative += 1  # marked so by the author: it carries nothing a learner would miss
        return
    picture = _picture(shape, slide)
    if picture is None:
        return
    if picture.ext not in WEB_IMAGES:
        slide.unmapped.append(
            Unmapped(
                "picture format",
                f"picture '{picture.name}' is in {picture.ext.upper()} "
                "format, which browsers cannot show: it is in the slide "
                "image; "
                "save it as PNG or SVG to add it as a picture",
            )
        )
        return
    slide.pictures.append(picture)


def _picture(shape, slide: Slide) -> Picture | None:
    """The picture's image (by its part: python-pptx's ``image.ext`` refuses formats Pillow
    cannot name, such as WebP and EMF) and its alt text; a linked picture is listed instead."""
    name = one_line(shape.name, 120)
    rid = next(iter(shape._element.xpath("./p:blipFill/a:blip/@r:embed")), None)
    rel = shape.part.rels[rid] if rid and rid in shape.part.rels else None
    if rel is None or rel.is_external:
        slide.unmapped.append(
            Unmapped(
                "linked picture", f"picture '{name}' is linked, not stored in the deck: it is in the slide image only"
            )
        )
        return None
    part = rel.target_part
    ext = part.partname.ext.lower()
    blob = part.blob
    if ext in CONVERTIBLE_IMAGES:
        with suppress(OSError):  # unreadable: left as it is, reported as a format browsers cannot show
            blob, ext = _as_png(blob), "png"
    ext = "jpg" if ext == "jpeg" else ext
    c_nv_pr = shape._element.xpath("./*[1]/p:cNvPr")[0]
    alt = one_line(c_nv_pr.get("descr") or "")
    note = None
    if FILE_NAME_ALT.match(alt):
        alt, note = "", f"its alt text was only the file name '{alt}'"
    elif AUTO_ALT in alt.lower():
        note = "its alt text was generated automatically by PowerPoint: check that it says what matters"
    return Picture(shape.shape_id, name, blob, ext, alt or None, note)


def _as_png(blob: bytes) -> bytes:
    from PIL import Image

    out = BytesIO()
    with Image.open(BytesIO(blob)) as image:
        image.save(out, "PNG")
    return out.getvalue()


def _decorative(element) -> bool:
    return bool(element.xpath("./*[1]/p:cNvPr//*[local-name()='decorative'][@val='1' or @val='true']"))


def _read_media(shape, nv_pr, tag: str, kind: str, slide: Slide) -> None:
    """A video or sound on the slide: the embedded file (``p14:media``, else the link's target)."""
    name = one_line(shape.name, 120)
    embedded = nv_pr.xpath(".//*[local-name()='media']/@r:embed")
    rid = embedded[0] if embedded else nv_pr.find(tag).get(qn("r:link"))
    rel = shape.part.rels[rid] if rid and rid in shape.part.rels else None
    if rel is None or rel.is_external:
        target = f" ({one_line(rel.target_ref, 120)})" if rel is not None else ""
        slide.unmapped.append(
            Unmapped(
                f"linked {kind}",
                f"{kind} '{name}' is linked{target}, not stored in the "
                f"deck: add the file to media/ and a {kind} block by hand",
            )
        )
        return
    part = rel.target_part
    ext = part.partname.ext.lower()
    allowed = VIDEO_TYPES if kind == "video" else AUDIO_TYPES
    if ext not in allowed:
        slide.unmapped.append(
            Unmapped(
                f"{kind} format",
                f"{kind} '{name}' is a .{ext} file, which courses do not "
                f"take: convert it to {'MP4' if kind == 'video' else 'M4A'} "
                f"and add a {kind} block",
            )
        )
        return
    c_nv_pr = shape._element.xpath("./*[1]/p:cNvPr")[0]
    title = one_line(c_nv_pr.get("descr") or "") or name
    poster = None
    if kind == "video":
        try:
            frame = shape.poster_frame
        except (KeyError, AttributeError, ValueError):
            frame = None
        if frame is not None and frame.ext.lower() in {"png", "jpg", "jpeg", "gif", "webp"}:
            poster = Picture(shape.shape_id, name, frame.blob, frame.ext.lower(), title)
    slide.media.append(Media(kind, shape.shape_id, name, part.blob, ext, title, poster))
    slide.unmapped.append(
        Unmapped(
            kind,
            f"{kind} '{name}' is a {'video' if kind == 'video' else 'narration'} block "
            "on the page (the build transcodes it); PowerPoint's playback settings "
            "(trim, start, loop, volume) are not imported",
        )
    )
