"""Where a course's files come from: a folder on disk, or blobs kept by their SHA-256.

The model names files by their path inside the course ("media/intro.mp4") and knows no disk.
Everything that reads a course's files (the loader's checks, the renderer's Markdown, the media
pipeline) goes through this one small interface, so a course kept in the editor's database
builds exactly as the same course in a folder does.

Both sources refuse what a course file may not be (a path leaving the course, a link out of the
folder, a folder, a file past its size limit) with a ``SourceError`` whose message an author can
act on, and neither ever reads bytes from outside the course.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Protocol


class SourceError(Exception):
    """A course file that cannot be used; ``str()`` says why in words for the author."""


class FileMissing(SourceError):
    """No such file in the course."""


class FileTooLarge(SourceError):
    """A file is larger than the limit for its kind; nothing past the limit was read."""

    def __init__(self, path: str, size: int, limit: int) -> None:
        super().__init__(f"{path}: {size} bytes, more than {limit}")
        self.path, self.size, self.limit = path, size, limit


def read_limited(path: Path, limit: int, name: str | None = None) -> bytes:
    """The content of ``path``, read only up to ``limit`` bytes (plus one, to notice a file that
    is larger, or has grown since its size was checked): raises ``FileTooLarge`` past it, naming
    the file ``name`` (default its file name)."""
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise FileTooLarge(name or path.name, max(os.fstat(stream.fileno()).st_size, len(data)), limit)
    return data


class BlobReader(Protocol):
    """What a blob store offers a course source (``storage.BlobStore`` is one)."""

    def get_blob(self, sha256: str) -> bytes: ...

    def save_blob(self, sha256: str, target: Path) -> None: ...

    def blob_size(self, sha256: str) -> int: ...

    def key(self, sha256: str) -> str: ...


class StoredFile(NamedTuple):
    """A course file kept as a blob, named by content: what a media job on another machine needs
    to fetch it from the same storage (``sha256`` also checks what it fetched)."""

    sha256: str
    key: str
    """The blob's storage key."""


class CourseSource(Protocol):
    """A course's files, by their path inside the course (POSIX, relative)."""

    def describe(self) -> str:
        """Where the files are, for messages (a folder path, or "stored course files")."""
        ...

    def size(self, path: str) -> int:
        """Bytes of the file at ``path``; SourceError (FileMissing) when it cannot be used."""
        ...

    def read(self, path: str, limit: int) -> bytes:
        """The file's bytes, never reading past ``limit`` (FileTooLarge beyond it)."""
        ...

    def local_path(self, path: str) -> Path:
        """A file on local disk with these bytes, for tools such as ffmpeg that need one."""
        ...

    def siblings(self, path: str) -> list[str]:
        """Paths of the other files in ``path``'s folder (for "did you mean" hints)."""
        ...


def check_path(path: str) -> str | None:
    """Why ``path`` cannot name a file inside a course, or None when it can."""
    if "\\" in path:
        return f"'{path}' uses '\\'; separate folders with '/', like media/intro.mp4"
    if PurePosixPath(path).is_absolute() or re.match(r"^[A-Za-z]:", path):
        return f"'{path}' is an absolute path; give a path inside the course folder, like media/intro.mp4"
    if ".." in PurePosixPath(path).parts:
        return f"'{path}' points outside the course folder; keep every file inside it"
    if not path or path.endswith("/") or "\x00" in path:
        return f"'{path}' is not a file path"
    return None


class FolderSource:
    """A course folder on disk. Links are followed only while they stay inside the folder."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def _file(self, path: str) -> Path:
        problem = check_path(path)
        if problem:
            raise SourceError(problem)
        full = self.root / path
        try:
            resolved = full.resolve()
            inside = resolved.is_relative_to(self.root.resolve())
        except (OSError, RuntimeError) as error:  # a loop of links
            raise SourceError(f"{path} could not be read: {getattr(error, 'strerror', None) or error}") from None
        if not inside:
            raise SourceError(
                f"{path} is a link to {resolved}, outside the course folder; "
                "copy the file into the course folder instead"
            )
        if not full.exists():
            raise FileMissing(f"file {path} not found")
        if not full.is_file():
            raise SourceError(f"{path} is a folder, not a file")
        return full

    def size(self, path: str) -> int:
        return self._file(path).stat().st_size

    def read(self, path: str, limit: int) -> bytes:
        try:
            return read_limited(self._file(path), limit, path)
        except OSError as error:
            raise SourceError(f"{path} could not be read: {error.strerror or error}") from None

    def local_path(self, path: str) -> Path:
        return self._file(path)

    def siblings(self, path: str) -> list[str]:
        folder = (self.root / path).parent
        try:
            if not folder.resolve().is_relative_to(self.root.resolve()) or not folder.is_dir():
                return []
            parent = PurePosixPath(path).parent
            return sorted(
                str(parent / entry.name) if str(parent) != "." else entry.name
                for entry in folder.iterdir()
                if entry.is_file()
            )
        except OSError:
            return []


class BlobSource:
    """Course files kept as content-addressed blobs: ``files`` maps each path to its SHA-256.

    Tools that need a file on disk get it from ``scratch`` (a folder per blob, named by its hash,
    so the same bytes are written once however many builds ask)."""

    def __init__(self, files: Mapping[str, str], blobs: BlobReader, scratch: Path | str | None = None) -> None:
        self.files = dict(files)
        self.blobs = blobs
        self.scratch = Path(scratch) if scratch is not None else Path(tempfile.gettempdir()) / "courseforge-blobs"

    def describe(self) -> str:
        return "stored course files"

    def _sha(self, path: str) -> str:
        problem = check_path(path)
        if problem:
            raise SourceError(problem)
        if path not in self.files:
            raise FileMissing(f"file {path} not found")
        return self.files[path]

    def size(self, path: str) -> int:
        """Asked of the store: a video's size needs none of its bytes."""
        return self.blobs.blob_size(self._sha(path))

    def read(self, path: str, limit: int) -> bytes:
        sha = self._sha(path)
        size = self.blobs.blob_size(sha)
        if size > limit:
            raise FileTooLarge(path, size, limit)
        return self.blobs.get_blob(sha)

    def local_path(self, path: str) -> Path:
        """The blob copied once into ``scratch``, a chunk at a time, and there only once its
        bytes hash to its name (``save_blob``): a large video never sits whole in memory."""
        sha = self._sha(path)
        target = self.scratch / sha[:2] / sha / PurePosixPath(path).name
        if not target.is_file():
            self.blobs.save_blob(sha, target)
        return target

    def stored(self, path: str) -> StoredFile:
        """The blob behind ``path`` by content and storage key, for a job that fetches it itself
        (asking the store nothing: the machine that runs the job checks it is there)."""
        sha = self._sha(path)
        return StoredFile(sha, self.blobs.key(sha))

    def siblings(self, path: str) -> list[str]:
        parent = PurePosixPath(path).parent
        return sorted(name for name in self.files if PurePosixPath(name).parent == parent and name != path)
