"""Zips from untrusted hands: checked before anything is read, unpacked only into a fresh folder.

A zip may be a package someone wants to check, or a course folder someone uploads, and either
may be damaged or built to hurt: entries that land outside the unpack folder, links, names that
collide once a file system ignores letter case, or a few megabytes that unpack to a full disk.
The package check, the ``validate`` and ``build`` commands and the web editor's import all use
this one module, so the rules cannot drift apart.

Sizes are checked twice: first as the zip declares them (entry count, total, ratios), then
while unpacking, by counting the bytes that really come out, so a header that lies about a
size gets no further than one that tells the truth.
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from courses.errors import Problem, byte_size, shorten

COURSE_FILE = "course.yaml"
CHUNK_BYTES = 1 << 16
NAME_CHARS = 120  # of an entry name, quoted in a message
IGNORED_FOLDER = "__MACOSX"  # resource forks macOS adds when it zips a folder: never unpacked
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


@dataclass(frozen=True)
class ArchiveLimits:
    """What a zip may hold. The defaults are far above any course, far below a disk-filling bomb."""

    max_entries: int = 20_000
    max_total_bytes: int = 4 << 30  # unpacked
    max_entry_ratio: int = 100  # unpacked / packed per entry; text deflates 3-10 times, media not at all
    entry_ratio_from: int = 1 << 20  # smaller entries may deflate absurdly well (a file of spaces) harmlessly
    max_total_ratio: int = 20  # the whole zip's unpacked size / its size on disk
    total_ratio_from: int = 16 << 20  # below this total, no ratio can fill a disk


# What zipfile raises for a damaged or unreadable archive: a bad header or directory, a stream
# cut short, a corrupt deflate stream, a malformed field, and NotImplementedError for an entry
# compressed with a method Python cannot read. Each becomes a problem naming the zip, never a
# traceback. (OSError is caught beside it where it means something else: a full disk, a long name.)
ZIP_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, zlib.error)


class ArchiveError(Exception):
    """A zip that is refused (or could not be unpacked), with every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def shown(name: str) -> str:
    """An entry name fit to print: control characters escaped (a name must not move a terminal's
    cursor or hide the rest of a report) and at most ``NAME_CHARS`` long."""
    name = shorten(name, NAME_CHARS)
    if any(_is_control(c) for c in name):
        return repr(name)
    return name


def _is_control(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Cs")


def open_archive(zip_path: Path | str, limits: ArchiveLimits = ArchiveLimits()) -> zipfile.ZipFile:
    """The zip at ``zip_path``, open, once every entry has passed ``archive_problems``.

    Raises ``ArchiveError`` for a missing file, a file that is not a zip, an unreadable zip, or
    any unsafe entry. The entry count is read from the zip's last record first, so a zip that
    lists millions of entries is refused before they are all loaded.
    """
    zip_path = Path(zip_path)
    label = zip_path.name
    if not zip_path.is_file():
        raise ArchiveError([Problem(str(zip_path), None, "", "file not found")])
    if not zipfile.is_zipfile(zip_path):
        raise ArchiveError([Problem(label, None, "", "not a zip file")])
    declared = _declared_entries(zip_path)
    if declared is not None and declared > limits.max_entries:
        raise ArchiveError([_too_many(label, declared, limits)])
    try:
        archive = zipfile.ZipFile(zip_path)
    except UnicodeDecodeError:
        raise ArchiveError(
            [Problem(label, None, "", "an entry name is marked as UTF-8 but is not valid UTF-8; zip the files again")]
        ) from None
    except (*ZIP_DAMAGE, OSError) as error:
        raise ArchiveError([Problem(label, None, "", f"unreadable zip ({error})")]) from None
    problems = archive_problems(archive.infolist(), zip_path.stat().st_size, label, limits)
    if problems:
        archive.close()
        raise ArchiveError(problems)
    return archive


def _declared_entries(zip_path: Path) -> int | None:
    """The entry count in the zip's end-of-central-directory record (or its zip64 form); None
    when it cannot be found here (``zipfile`` then says what is wrong)."""
    end_size, locator_size = 22, 20
    with zip_path.open("rb") as stream:
        size = stream.seek(0, os.SEEK_END)
        start = max(0, size - end_size - 0xFFFF)  # the record, then a comment of up to 64 KiB
        stream.seek(start)
        tail = stream.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < end_size:
            return None
        count = struct.unpack_from("<H", tail, at + 10)[0]
        if count != 0xFFFF or at < locator_size or tail[at - locator_size : at - locator_size + 4] != b"PK\x06\x07":
            return count
        offset = struct.unpack_from("<Q", tail, at - locator_size + 8)[0]
        stream.seek(offset)
        record = stream.read(40)
    if len(record) < 40 or record[:4] != b"PK\x06\x06":
        return None
    return struct.unpack_from("<Q", record, 32)[0]


def _too_many(label: str, count: int, limits: ArchiveLimits) -> Problem:
    return Problem(label, None, "", f"{count} entries, more than the limit of {limits.max_entries}")


def archive_problems(
    infos: list[zipfile.ZipInfo], archive_bytes: int, label: str, limits: ArchiveLimits = ArchiveLimits()
) -> list[Problem]:
    """Every reason not to unpack these entries: unsafe or unusable names, links, encryption,
    duplicates and names that collide when letter case is ignored, and sizes that make a bomb.

    ``archive_bytes`` is the zip's size on disk and ``label`` its name, for problems about the
    whole zip.
    """
    problems: list[Problem] = []
    if len(infos) > limits.max_entries:
        problems.append(_too_many(label, len(infos), limits))
    problems += _name_problems(infos)
    total = 0
    for info in infos:
        name = shown(info.filename)
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_ISLNK(mode):
            problems.append(Problem(name, None, "", "symbolic link entry: a zip may only hold files and folders"))
        elif info.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
            problems.append(
                Problem(
                    name, None, "", "special file entry (a device or a pipe): a zip may only hold files and folders"
                )
            )
        if info.flag_bits & _ENCRYPTED_FLAG:
            problems.append(
                Problem(
                    name,
                    None,
                    "",
                    "encrypted entry: it cannot be read without its password; zip the files again without encryption",
                )
            )
        total += info.file_size
        if info.file_size >= limits.entry_ratio_from:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_entry_ratio:
                problems.append(
                    Problem(
                        name,
                        None,
                        "",
                        f"expands {ratio:.0f} times ({info.compress_size} -> "
                        f"{info.file_size} bytes; limit {limits.max_entry_ratio}): "
                        "looks like a zip bomb",
                    )
                )
    if total > limits.max_total_bytes:
        problems.append(
            Problem(
                label,
                None,
                "",
                f"unpacks to {total} bytes, more than the "
                f"{byte_size(limits.max_total_bytes)} limit: looks like a zip bomb",
            )
        )
    ratio = total / max(archive_bytes, 1)
    if total >= limits.total_ratio_from and ratio > limits.max_total_ratio:
        problems.append(
            Problem(
                label,
                None,
                "",
                f"unpacks to {total} bytes from {archive_bytes}, {ratio:.0f} times "
                f"its size (limit {limits.max_total_ratio}): looks like a zip bomb",
            )
        )
    return problems


def _name_problems(infos: list[zipfile.ZipInfo]) -> list[Problem]:
    """Names that are unsafe, unreadable, repeated, or that collide with another entry on a
    file system that ignores letter case (Windows, macOS, many LMS unzip steps)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    spelling: dict[str, str] = {}  # casefolded path -> first spelling, for files and folders alike
    files: set[str] = set()
    folders: list[str] = []  # entries for a folder itself (``media/``)
    for info in infos:
        name = info.filename
        problem = _name_problem(info)
        if problem:
            problems.append(Problem(shown(name), None, "", problem))
            continue
        if name in seen:
            problems.append(Problem(shown(name), None, "", "appears more than once in the zip"))
            continue
        seen.add(name)
        path = name.rstrip("/")
        if info.is_dir():
            folders.append(path)
        else:
            files.add(path)
        parts = path.split("/")
        for end in range(1, len(parts) + 1):
            prefix = "/".join(parts[:end])
            key = unicodedata.normalize("NFC", prefix).casefold()
            first = spelling.setdefault(key, prefix)
            if first != prefix:
                problems.append(
                    Problem(
                        shown(name),
                        None,
                        "",
                        f"'{shown(prefix)}' and '{shown(first)}' differ only "
                        "in letter case: unpacked on Windows or macOS, one "
                        "would overwrite the other; rename one",
                    )
                )
                break
    for path in folders:
        if path in files:
            problems.append(
                Problem(
                    shown(path + "/"), None, "", f"'{shown(path)}' is a file in the zip, so it cannot also be a folder"
                )
            )
    for path in sorted(files):
        parent = path.rsplit("/", 1)[0] if "/" in path else None
        while parent is not None:
            if parent in files:
                problems.append(
                    Problem(
                        shown(path), None, "", f"'{shown(parent)}' is a file in the zip, so it cannot also be a folder"
                    )
                )
                break
            parent = parent.rsplit("/", 1)[0] if "/" in parent else None
    return problems


def _name_problem(info: zipfile.ZipInfo) -> str | None:
    """Why this entry's name cannot be unpacked as it is, or None."""
    raw = info.orig_filename  # ``filename`` is cut at a NUL; the original keeps it
    if any(_is_control(c) for c in raw):
        code = next(ord(c) for c in raw if _is_control(c))
        return f"the name holds the control character U+{code:04X}; rename the file"
    if not info.flag_bits & _UTF8_FLAG and not raw.isascii():
        return (
            "the name is neither plain ASCII nor marked as UTF-8, so every system reads it differently; "
            "zip the files again with a tool that writes UTF-8 names"
        )
    name = info.filename
    if name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/") or _drive(name):
        return "unsafe path: it would be written outside the folder it is unpacked into (absolute, drive or '..' path)"
    if not name.strip("/") or all(part in ("", ".") for part in name.split("/")):
        return "the entry has no name"
    return None


def _drive(name: str) -> bool:
    first = PurePosixPath(name).parts[0] if name else ""
    return len(first) >= 2 and first[1] == ":"


def entry_names(zip_path: Path | str, limits: ArchiveLimits = ArchiveLimits()) -> list[str] | None:
    """The entry names of a zip, unchecked, to tell what kind of zip it is; None when it cannot
    be listed (not a zip, unreadable, too many entries): ``open_archive`` says why."""
    zip_path = Path(zip_path)
    try:
        if not zipfile.is_zipfile(zip_path):
            return None
        declared = _declared_entries(zip_path)
        if declared is not None and declared > limits.max_entries:
            return None
        with zipfile.ZipFile(zip_path) as archive:
            return archive.namelist()
    except (*ZIP_DAMAGE, OSError):
        return None


def course_folder(names: list[str]) -> str | None:
    """Where the course is in a zip of a course folder: '' when ``course.yaml`` is at the root,
    'NAME' when it is in the single top folder NAME, None when the zip is not a course."""
    names = [n for n in names if n.split("/", 1)[0] != IGNORED_FOLDER]
    if COURSE_FILE in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{COURSE_FILE}" in names:
            return top
    return None


def extract(zip_path: Path | str, parent: Path | str | None = None, limits: ArchiveLimits = ArchiveLimits()) -> Path:
    """Unpack the zip into a new, empty folder made under ``parent`` (default: the system's
    temporary folder) and return that folder; the caller removes it when done.

    Nothing is written outside the new folder: names are checked first, files are created only
    if they do not exist yet (never through a link), and bytes are counted as they come out.
    On any problem the folder is removed and ``ArchiveError`` raised.
    """
    folder = Path(tempfile.mkdtemp(prefix="courseforge-unpack-", dir=parent))
    try:
        with open_archive(zip_path, limits) as archive:
            _unpack(archive, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


@contextmanager
def unpacked(
    zip_path: Path | str, parent: Path | str | None = None, limits: ArchiveLimits = ArchiveLimits()
) -> Iterator[Path]:
    """``extract``, and the folder removed again at the end of the ``with`` block."""
    folder = extract(zip_path, parent, limits)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def unpacked_course(
    zip_path: Path | str, parent: Path | str | None = None, limits: ArchiveLimits = ArchiveLimits()
) -> Iterator[Path]:
    """A zipped course folder, unpacked like ``unpacked``: yields the folder holding its
    ``course.yaml`` (the zip's root, or its single top folder)."""
    with unpacked(zip_path, parent, limits) as folder:
        names = [entry.relative_to(folder).as_posix() for entry in folder.rglob("*")]
        top = course_folder(names)
        if top is None:
            raise ArchiveError(
                [
                    Problem(
                        Path(zip_path).name,
                        None,
                        "",
                        f"not a zipped course folder: no {COURSE_FILE} "
                        "at the root of the zip or in its single top "
                        "folder",
                    )
                ]
            )
        yield folder / top


def _unpack(archive: zipfile.ZipFile, folder: Path) -> None:
    root = folder.resolve()
    for info in archive.infolist():
        parts = [part for part in info.filename.split("/") if part not in ("", ".")]
        if parts[0] == IGNORED_FOLDER:
            continue
        name = shown(info.filename)
        target = root.joinpath(*parts)
        if not target.parent.resolve().is_relative_to(root):  # the names were checked; this is the backstop
            raise ArchiveError([Problem(name, None, "", "would be written outside the folder")])
        try:
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                _unpack_file(archive, info, target)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            raise ArchiveError(
                [Problem(name, None, "", "collides with another entry once unpacked; rename one")]
            ) from None
        except ZIP_DAMAGE as error:
            raise ArchiveError([Problem(name, None, "", f"damaged entry ({error})")]) from None
        except OSError as error:  # a name too long for this file system, a full disk
            raise ArchiveError([Problem(name, None, "", f"could not be unpacked: {error.strerror or error}")]) from None


def _unpack_file(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Copy one entry in chunks, stopping as soon as it gives more bytes than its header
    declares: the declared sizes were checked against the limits, so the bytes written are too,
    whatever the entry's data really holds."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    count = 0
    with archive.open(info) as source, os.fdopen(os.open(target, flags, 0o644), "wb") as out:
        while chunk := source.read(CHUNK_BYTES):
            count += len(chunk)
            if count > info.file_size:
                raise ArchiveError(
                    [
                        Problem(
                            shown(info.filename),
                            None,
                            "",
                            f"holds more than the {info.file_size} bytes its header declares: refused",
                        )
                    ]
                )
            out.write(chunk)
