"""The one zip writer every package format uses.

Same course in, same bytes out: entries are sorted, every entry carries the same timestamp and
permissions, and nothing about the build machine (clock, umask, file order on disk, OS) leaks
into the archive. That makes a rebuild verifiable (compare hashes) and lets an LMS or a CDN
skip re-uploading a package that did not change.

The archive is written next to its destination under a temporary name and renamed into place
only once complete, so a failed or interrupted build never leaves a half-written zip behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

Content = bytes | Path
"""A package file: its bytes, or the file on disk to copy them from (media stays on disk)."""

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
FILE_MODE = 0o100644  # regular file, rw-r--r--
UNIX = 3  # "made by" system: fixed, so Windows and Linux builds agree

# Already compressed: deflating them again costs time and saves nothing.
STORED_SUFFIXES = frozenset(
    {
        ".mp4",
        ".m4a",
        ".m4v",
        ".m4s",
        ".ts",
        ".webm",
        ".mp3",
        ".ogg",
        ".opus",
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".gif",
        ".avif",
        ".woff",
        ".woff2",
        ".zip",
        ".gz",
    }
)
COPY_CHUNK = 1 << 20


def check_entry_name(name: str) -> None:
    """Refuse names that would escape the folder a package is unpacked into."""
    path = PurePosixPath(name)
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in path.parts[0]
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise ValueError(f"unsafe package path {name!r}: use a relative path with '/' separators")


def entry_info(name: str) -> zipfile.ZipInfo:
    """The fixed metadata of one entry; only its name decides how it is compressed."""
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.create_system = UNIX
    info.external_attr = FILE_MODE << 16
    stored = PurePosixPath(name).suffix.lower() in STORED_SUFFIXES
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def write_zip(out: Path, files: Mapping[str, Content]) -> int:
    """Write ``files`` (package path -> content) to ``out`` atomically; return the zip's size."""
    for name in files:
        check_entry_name(name)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w+b") as raw, zipfile.ZipFile(raw, "w") as zf:
            for name in sorted(files):
                _add(zf, name, files[name])
        tmp.chmod(0o644)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out.stat().st_size


def _add(zf: zipfile.ZipFile, name: str, content: Content) -> None:
    info = entry_info(name)
    if isinstance(content, bytes):
        zf.writestr(info, content)
        return
    # Known size up front: zipfile then decides on zip64 the same way every time.
    info.file_size = content.stat().st_size
    with content.open("rb") as src, zf.open(info, "w") as dst:
        shutil.copyfileobj(src, dst, COPY_CHUNK)
