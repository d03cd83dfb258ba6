"""Course -> package, in one direction: prepare media, render the player, add the media files,
let the format add its manifest, write.

``build_course`` takes a loaded ``Course`` and its course source (a folder, or stored blobs), so
the CLI and the editor run the very same build and a course gives byte-identical packages
whichever door it came in by; ``build_package`` and ``build_site`` are the folder case.

Nothing is written until every step has succeeded: a course with problems raises
``CourseLoadError`` (every problem at once), media that cannot be used raises ``MediaError``,
and a course that loads but cannot be packaged raises ``BuildError``. The zip itself is written
atomically, so an output path either holds a complete package or is left as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from courses.errors import CourseLoadError, Problem, ProblemList
from courses.loader import folder_source, load_source
from courses.model import Course
from courses.source import CourseSource
from exporters.base import Exporter
from exporters.formats import EXPORTERS
from exporters.manifest_common import LAUNCH_PAGE
from exporters.zipwriter import Content, check_entry_name, write_zip
from media.assets import Asset, BlockMedia, MediaMap
from media.pipeline import prepare_course
from player.render import render_site
from player.resume_budget import LIMITS, BudgetError, ResumeBudget, measure
from player.theme import theme_problems
from settings import Settings

Progress = Callable[[str, float], None]
"""Called with (what is being worked on, fraction done from 0 to 1), as the media pipeline does."""


class BuildError(Exception):
    """A course that loads but cannot be turned into a package; the message says what to change."""

    @property
    def problems(self) -> list[Problem]:
        """The same, as the one problem shape every part of courseforge reports."""
        return [Problem("course", None, "", str(self))]


@dataclass(frozen=True)
class BuildResult:
    path: Path  # the zip, or the folder for build_site
    format: str
    course: Course
    files: int  # number of files in the package
    size: int  # bytes: of the zip, or of all files for a folder
    budget: ResumeBudget | None = None  # worst-case resume data, for the formats whose LMS limits it


def exporter_for(fmt: str | Exporter) -> Exporter:
    if isinstance(fmt, Exporter):
        return fmt
    try:
        return EXPORTERS[fmt]
    except KeyError:
        raise BuildError(f"unknown package format {fmt!r}; choose one of: {', '.join(EXPORTERS)}") from None


def default_package_name(course: Course, fmt: str) -> str:
    return f"{course.id}-{fmt}.zip"


def block_assets(block: BlockMedia) -> list[Asset]:
    """Every file of one block (sources, poster, captions, HLS playlists and segments, ...):
    any field holding an Asset or a list of them, so a new kind of rendition is never left out."""
    found: list[Asset] = []
    for spec in fields(block):
        value = getattr(block, spec.name)
        if isinstance(value, Asset):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found += [item for item in value if isinstance(item, Asset)]
    return found


def media_files(media: MediaMap) -> dict[str, Path]:
    """Package path -> file on disk for every media asset; two different files may not share a path."""
    files: dict[str, Path] = {}
    for block in media.values():
        for asset in block_assets(block):
            try:
                check_entry_name(asset.href)
            except ValueError as error:
                raise BuildError(f"block {block.block_id}: {error}") from None
            earlier = files.get(asset.href)
            if earlier is not None and earlier.resolve() != asset.source.resolve():
                raise BuildError(
                    f"{asset.href} would hold both {earlier} and {asset.source}: give one of the files another name"
                )
            if not asset.source.is_file():
                raise BuildError(f"block {block.block_id}: media file {asset.source} does not exist")
            files[asset.href] = asset.source
    return files


def assemble(course: Course, source: CourseSource, media: MediaMap, exporter: Exporter) -> dict[str, Content]:
    """Every file of ``course``'s package in ``exporter``'s format (package path -> content)."""
    site: dict[str, Content] = dict(
        render_site(course, media, exporter.tracking, source, dispatch=exporter.framed_by_dispatch)
    )
    if LAUNCH_PAGE not in site:
        raise BuildError(f"the player produced no {LAUNCH_PAGE} launch page")
    for href, file in media_files(media).items():
        if href in site:
            raise BuildError(f"media file {file} would replace the player's own {href}: rename it")
        site[href] = file
    files = exporter.package_files(course, site)
    for name in files:
        try:
            check_entry_name(name)
        except ValueError as error:
            raise BuildError(str(error)) from None
    return files


def check_resume_budget(course: Course, exporter: Exporter) -> ResumeBudget | None:
    """The worst-case resume data of ``course`` in ``exporter``'s standard; a BuildError when the
    LMS could not keep it, so the problem is found at publishing, not by learners losing progress."""
    if exporter.tracking not in LIMITS:
        return None
    try:
        budget = measure(course, exporter.tracking)
    except BudgetError as error:
        raise BuildError(str(error)) from None
    if not budget.fits(exporter.tracking):
        raise BuildError(budget.overflow_message(exporter.tracking))
    return budget


def _prepare(
    course: Course, source: CourseSource, fmt: str | Exporter, settings: Settings | None, progress: Progress | None
) -> tuple[Exporter, dict[str, Content], ResumeBudget | None]:
    exporter = exporter_for(fmt)
    unreadable = theme_problems(course)
    if unreadable:
        raise CourseLoadError(ProblemList(unreadable), source.describe())
    budget = check_resume_budget(course, exporter)  # before any transcoding: fail in a second, not in minutes
    media = prepare_course(course, source, settings or Settings(), progress)
    if progress:
        progress("rendering the player", 0.0)
    files = assemble(course, source, media, exporter)
    if progress:
        progress("rendering the player", 1.0)
    return exporter, files, budget


def build_course(
    course: Course,
    source: CourseSource,
    fmt: str,
    out: Path | None = None,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the ``fmt`` package of ``course`` (its files in ``source``) into the zip ``out``
    (default: ``<course-id>-<format>.zip`` in the current folder). ``settings`` default to the
    environment's, as the command line reads them."""
    exporter, files, budget = _prepare(course, source, fmt, settings, progress)
    out = Path(out) if out is not None else Path.cwd() / default_package_name(course, exporter.format)
    if progress:
        progress(f"writing {out.name}", 0.0)
    size = write_zip(out, files)
    if progress:
        progress(f"writing {out.name}", 1.0)
    return BuildResult(out, exporter.format, course, len(files), size, budget)


def build_package(
    course_dir: Path | str,
    fmt: str,
    out: Path | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> BuildResult:
    """``build_course`` for the course in the folder ``course_dir``."""
    source, file = folder_source(course_dir)
    return build_course(load_source(source, file), source, fmt, out, settings=settings, progress=progress)


def build_site(
    course_dir: Path | str,
    fmt: str | Exporter,
    out_dir: Path,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> BuildResult:
    """Build the same files as ``build_package`` into the folder ``out_dir`` (for preview and serving).

    The files are written to a fresh folder beside ``out_dir`` first and swapped in at the end,
    so a server reading ``out_dir`` sees the old build or the new one, never a mix. An existing
    ``out_dir`` is replaced only if it is empty or holds an earlier build (an ``index.html``).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not _replaceable(out_dir):
        raise BuildError(f"{out_dir} exists and does not hold an earlier build: choose an empty or new folder")
    source, file = folder_source(course_dir)
    course = load_source(source, file)
    exporter, files, budget = _prepare(course, source, fmt, settings, progress)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}."))
    try:
        size = write_folder(fresh, files)
        fresh.chmod(0o755)
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            out_dir.rename(old)
            fresh.rename(out_dir)
            shutil.rmtree(old)
        else:
            fresh.rename(out_dir)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return BuildResult(out_dir, exporter.format, course, len(files), size, budget)


def _replaceable(folder: Path) -> bool:
    return folder.is_dir() and (not any(folder.iterdir()) or (folder / LAUNCH_PAGE).is_file())


def write_folder(folder: Path, files: Mapping[str, Content]) -> int:
    """Write every package file under ``folder``; return the total number of bytes."""
    total = 0
    for name in sorted(files):
        target = folder.joinpath(*name.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        content = files[name]
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            shutil.copyfile(content, target)
        total += target.stat().st_size
    return total
