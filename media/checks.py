"""``check_media``: every media file of a course checked the way a build starts with it, without
making anything, so ``courseforge validate`` finds what ``build`` would refuse.

Each file is checked once however many blocks use it: its size and kind, then for video and audio
what ffprobe reports (container, codecs, duration) and a few seconds actually decoded (a cut-off
MP4 probes fine and fails there), for images their format and pixel count, for SVG anything that
could run or fetch, for captions the WebVTT header. Text-to-speech scripts are spoken only by the
build.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from courses.errors import Problem
from courses.model import Course, Hotspot, ImageBlock, NarrationBlock, QuizBlock, VideoBlock
from courses.source import CourseSource, SourceError
from media.errors import MediaError, media_problem
from media.probe import (
    Limits,
    check_audio,
    check_captions,
    check_decodes,
    check_image,
    check_svg,
    check_video,
    media_limits,
    probe,
)
from media.tools import Deadline, JobContext
from settings import Settings

Check = Callable[[Path, str, Limits, Path], None]


def _video(path: Path, name: str, limits: Limits, scratch: Path) -> None:
    ctx = JobContext(name, scratch, Deadline(limits.timeout))
    found = probe(path, name, limits, ctx)
    check_video(found, name, limits)
    check_decodes(found, ctx)


def _audio(path: Path, name: str, limits: Limits, scratch: Path) -> None:
    ctx = JobContext(name, scratch, Deadline(limits.timeout))
    found = probe(path, name, limits, ctx)
    check_audio(found, name, limits)
    check_decodes(found, ctx)


def _image(path: Path, name: str, limits: Limits, _scratch: Path) -> None:
    if path.suffix.lower() == ".svg":
        check_svg(path, name, limits)
    else:
        check_image(path, name, limits)


def _raster(path: Path, name: str, limits: Limits, _scratch: Path) -> None:
    check_image(path, name, limits)  # a poster is used as it is: no SVG


def _captions(path: Path, name: str, limits: Limits, _scratch: Path) -> None:
    check_captions(path, name, limits)


def media_files(course: Course) -> dict[str, Check]:
    """Each media file the course names, with the check its use needs, in reading order."""
    files: dict[str, Check] = {}
    for page in course.pages():
        for block in page.blocks:
            if isinstance(block, VideoBlock):
                files.setdefault(block.src, _video)
                if block.poster:
                    files.setdefault(block.poster, _raster)
                if block.captions:
                    files.setdefault(block.captions, _captions)
            elif isinstance(block, NarrationBlock):
                if block.src:
                    files.setdefault(block.src, _audio)
                if block.captions:
                    files.setdefault(block.captions, _captions)
            elif isinstance(block, ImageBlock):
                files.setdefault(block.src, _image)
            elif isinstance(block, QuizBlock):
                for question in block.questions:
                    if isinstance(question, Hotspot):
                        files.setdefault(question.image, _image)
    return files


def check_media(course: Course, source: CourseSource, settings: Settings) -> list[Problem]:
    """Every problem of the course's media files (empty when a build would take them all)."""
    limits = media_limits(settings)
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="courseforge-check-") as scratch:
        for name, check in media_files(course).items():
            try:
                check(source.local_path(name), name, limits, Path(scratch))
            except SourceError as error:
                problems.append(media_problem(name, str(error)))
            except MediaError as error:
                problems += error.problems
    return list(dict.fromkeys(problems))
