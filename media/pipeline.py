"""Turn a course's media blocks into package files.

For now every file is passed through as authored; transcoding, posters, loudness and
text-to-speech slot in behind this same function.
"""
from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from courses.model import Course, ImageBlock, NarrationBlock, VideoBlock
from media.assets import Asset, BlockMedia, MediaMap

Progress = Callable[[str, float], None]
"""Called with (what is being worked on, fraction done from 0 to 1)."""


def _asset(course: Course, rel: str) -> Asset:
    source = course.root / rel
    mime = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    if source.suffix == ".vtt":
        mime = "text/vtt"
    return Asset(source=source, href=str(PurePosixPath("media") / PurePosixPath(rel).name), mime=mime,
                 bytes=source.stat().st_size)


def prepare_course(course: Course, progress: Progress | None = None) -> MediaMap:
    """Describe (and make, where needed) the package files of every media block."""
    out: MediaMap = {}
    for page in course.pages():
        for block in page.blocks:
            if isinstance(block, ImageBlock):
                out[block.id] = BlockMedia(block.id, sources=[_asset(course, block.src)])
            elif isinstance(block, VideoBlock):
                out[block.id] = BlockMedia(
                    block.id,
                    sources=[_asset(course, block.src)],
                    poster=_asset(course, block.poster) if block.poster else None,
                    captions=_asset(course, block.captions) if block.captions else None,
                )
            elif isinstance(block, NarrationBlock) and block.src:
                out[block.id] = BlockMedia(
                    block.id,
                    sources=[_asset(course, block.src)],
                    captions=_asset(course, block.captions) if block.captions else None,
                    transcript=block.transcript,
                )
    return out
