"""A course in and out of the editor as its source folder: a folder (or a zip of one) becomes
blobs plus one validated ``Course``; the stored files become the same folder again.

The round trip is exact because nothing is rewritten on the way in: every file, course.yaml
included, is kept byte for byte as a blob, and the export writes back exactly those blobs. Only an
edit that changes the course document writes a new course.yaml (see ``authoring.course_yaml``).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from courses.archive import ArchiveError, unpacked_course
from courses.errors import CourseLoadError, Problem
from courses.loader import load_source
from courses.model import Course
from courses.source import FolderSource
from exporters.zipwriter import write_zip
from storage import BlobStore


class ImportRefused(Exception):
    """A course that cannot be imported; ``problems`` says why. Nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class ImportedCourse:
    course: Course
    files: dict[str, str]  # path inside the course folder -> SHA-256 of its blob


def folder_files(folder: Path) -> list[str]:
    """Every file's path in ``folder``, sorted; a link or anything but a plain file is refused
    (an unpacked zip holds none; a folder on disk might)."""
    paths: list[str] = []
    problems: list[Problem] = []
    for root, dirs, names in os.walk(folder):
        for name in sorted(dirs + names):
            full = Path(root) / name
            relative = full.relative_to(folder).as_posix()
            if full.is_symlink():
                problems.append(Problem(relative, None, "", "is a link; copy the file into the course folder"))
            elif name in names and not full.is_file():
                problems.append(Problem(relative, None, "", "is not a plain file"))
            elif name in names:
                paths.append(relative)
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
    if problems:
        raise ImportRefused(problems)
    return sorted(paths)


def import_folder(folder: Path, blobs: BlobStore) -> ImportedCourse:
    """Check the course in ``folder`` completely, then store its files as blobs."""
    try:
        course = load_source(FolderSource(folder))
    except CourseLoadError as error:
        raise ImportRefused(list(error.problems)) from None
    paths = folder_files(folder)
    files: dict[str, str] = {}
    for path in paths:
        with (folder / path).open("rb") as stream:
            files[path] = blobs.put_blob(stream)
    return ImportedCourse(course, files)


def import_zip(zip_path: Path, blobs: BlobStore, scratch: Path | None = None) -> ImportedCourse:
    """A zipped course folder, checked by the archive rules before anything is unpacked, then by
    the loader before anything is stored."""
    try:
        with unpacked_course(zip_path, scratch) as folder:
            return import_folder(folder, blobs)
    except ArchiveError as error:
        raise ImportRefused(error.problems) from None


def deck_name(filename: str | None) -> str:
    """A safe file name for an uploaded deck: its stem names the course it becomes."""
    stem = re.sub(r"[^\w -]+", "", Path(filename or "").stem, flags=re.ASCII).strip()[:60]
    return f"{stem or 'deck'}.pptx"


def import_deck_file(
    upload: Path, filename: str | None, blobs: BlobStore, scratch: Path | None = None
) -> ImportedCourse:
    """An uploaded PowerPoint deck as a new course: imported into a course folder by
    ``importers.pptx`` (slides, notes as narration scripts, the import report), then stored like
    any course folder. A deck that cannot be imported is refused with the importer's reasons."""
    from importers.pptx import DeckError, import_deck

    with tempfile.TemporaryDirectory(dir=scratch, prefix="deck-") as work:
        deck = Path(work) / deck_name(filename)
        os.replace(upload, deck)  # the same folder tree: a rename, not a copy of a large deck
        try:
            import_deck(deck, Path(work) / "course")
        except DeckError as error:
            raise ImportRefused(error.problems) from None
        return import_folder(Path(work) / "course", blobs)


def export_zip(files: Mapping[str, str], blobs: BlobStore, top: str, out: Path) -> int:
    """Write the course folder (its stored files, byte for byte) into the zip ``out``, inside the
    folder ``top``; return the zip's size. The zip is the same for the same files."""
    with tempfile.TemporaryDirectory(prefix="courseforge-export-") as scratch:
        contents: dict[str, Path | bytes] = {}
        for index, (path, sha) in enumerate(sorted(files.items())):
            local = Path(scratch) / str(index)
            local.write_bytes(blobs.get_blob(sha))
            contents[f"{top}/{path}"] = local
        return write_zip(out, contents)
