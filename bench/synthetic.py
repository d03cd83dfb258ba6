"""A course of several 20-30 s 720p videos made by ffmpeg's lavfi sources, for the media benchmarks.

The sources are generated once into bench/results/sources/ (a few seconds each, not measured)
and copied into a fresh course folder per run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

SOURCES = Path(__file__).resolve().parent / "results" / "sources"


def _source(seconds: int, tone: int) -> Path:
    out = SOURCES / f"testsrc2-720p-{seconds}s-{tone}hz.mp4"
    if not out.exists():
        SOURCES.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(".partial.mp4")
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size=1280x720:rate=30:duration={seconds}",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency={tone}:sample_rate=48000:duration={seconds}",
                "-ac",
                "2",
                "-c:v",
                "libx264",
                "-preset",
                "fast",
                "-crf",
                "18",
                "-pix_fmt",
                "yuv420p",
                "-g",
                "60",
                "-c:a",
                "aac",
                "-b:a",
                "192k",
                "-shortest",
                str(partial),
            ],
            check=True,
        )
        partial.rename(out)
    return out


def make_course(folder: Path, durations: list[int]) -> Path:
    """Write course.yaml and media/clip-N.mp4 (one video page per duration) into ``folder``."""
    media = folder / "media"
    media.mkdir(parents=True)
    pages = []
    for n, seconds in enumerate(durations, 1):
        shutil.copyfile(_source(seconds, 220 * n), media / f"clip-{n}.mp4")
        pages.append(
            {
                "id": f"p-clip-{n}",
                "title": f"Clip {n}",
                "blocks": [
                    {
                        "type": "video",
                        "id": f"v-clip-{n}",
                        "src": f"media/clip-{n}.mp4",
                        "title": f"Test pattern, {seconds} seconds",
                    }
                ],
            }
        )
    course = {
        "id": "bench-videos",
        "title": "Benchmark: several videos",
        "sections": [{"id": "s-videos", "title": "Videos", "pages": pages}],
    }
    (folder / "course.yaml").write_text(yaml.safe_dump(course, sort_keys=False))
    return folder
