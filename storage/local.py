"""A folder on disk: the embedded default storage, for one machine.

Every write goes to a temporary file in the destination folder, is flushed to disk, then
renamed over the key (``os.replace``), so a reader sees the old file or the new one, never half
of one, and a failed write leaves nothing behind. Keys are resolved (symlinks included) and
refused if they would land outside the root.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from storage.base import Data, Storage
from storage.errors import NotFound, StorageError, show_key
from storage.keys import RESERVED_PREFIX, check_key, check_prefix, key_problem

CHUNK_BYTES = 1 << 20
"""How much of a stream is copied at a time: large files never sit whole in memory."""


class LocalStorage(Storage):
    """Keys are files under ``root`` (created on the first write). ``url()`` gives a file://
    URL, or ``base_url`` + the quoted key when a web server publishes the folder.

    A folder cannot hold both "a" and "a/b" (a bucket can); putting one over the other is a
    ``StorageError``. ``list()`` does not descend into symlinked folders (no loops, no file
    listed twice) and skips links that lead outside the root; a folder keeps no content type.
    """

    def __init__(self, root: str | os.PathLike[str], base_url: str | None = None) -> None:
        self.root = Path(root).expanduser()
        self._real_root = self.root.resolve()
        if self._real_root.exists() and not self._real_root.is_dir():
            raise StorageError(str(self.root), "is not a folder: point the storage at a folder", "root")
        self.base_url = base_url

    def __str__(self) -> str:
        return str(self.root)

    def put(self, key: str, data: Data, content_type: str | None = None) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise StorageError(show_key(key), "a file stands where one of its folders would go", "key") from None
        except OSError as error:
            raise self._failed(key, "create the folder for", error) from error
        temporary = path.parent / (RESERVED_PREFIX + secrets.token_hex(8))
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except OSError as error:
            raise self._failed(key, "write", error) from error
        try:
            with os.fdopen(descriptor, "wb") as out:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    self._write(key, out, data)
                else:
                    while chunk := data.read(CHUNK_BYTES):
                        self._write(key, out, chunk)
                self._sync(key, out)
            self._replace(key, temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(key, str(self)) from None
        except OSError as error:
            raise self._failed(key, "read", error) from error

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        path = self._path(key)
        try:
            info = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound(key, str(self)) from None
        except OSError as error:
            raise self._failed(key, "read", error) from error
        if not stat.S_ISREG(info.st_mode):
            raise NotFound(key, str(self))
        return info.st_size

    def url(self, key: str) -> str:
        path = self._path(key)
        if self.base_url:
            return self.base_url.rstrip("/") + "/" + quote(key, safe="/")
        return path.as_uri()

    def list(self, prefix: str = "") -> Iterator[str]:
        check_prefix(prefix)
        folder = prefix.rpartition("/")[0]
        start = self._path(folder, "prefix") if folder else self._real_root
        return self._walk(start, folder + "/" if folder else "", prefix)

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return
        except OSError as error:
            raise self._failed(key, "delete", error) from error

    def _path(self, key: str, field: str = "key") -> Path:
        """Where ``key`` lives: its folder with symlinks resolved, plus its own name (so a put
        or delete acts on a link itself, not on what it points to). Refuses any key whose folder
        or target resolves outside the root."""
        check_key(key, field)
        path = self._real_root / key
        try:
            folder, target = path.parent.resolve(), path.resolve()
        except (OSError, RuntimeError) as error:
            raise StorageError(show_key(key), f"cannot be resolved: {error}", field) from None
        for resolved in (folder, target):
            if not resolved.is_relative_to(self._real_root):
                raise StorageError(
                    show_key(key),
                    f"leads outside the storage folder {self._real_root} through a symlink (to {resolved})",
                    field,
                )
        return folder / path.name

    def _walk(self, folder: Path, key_prefix: str, wanted: str) -> Iterator[str]:
        """Keys under ``folder`` in sorted order without collecting them all: a folder sorts as
        its name plus '/', which is exactly where its keys fall among its siblings' names."""
        try:
            entries = [entry for entry in os.scandir(folder) if key_problem(key_prefix + entry.name) is None]
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as error:
            raise self._failed(wanted, "list", error) from error
        folders = {entry.name for entry in entries if entry.is_dir(follow_symlinks=False)}
        for entry in sorted(entries, key=lambda e: e.name + "/" if e.name in folders else e.name):
            key = key_prefix + entry.name
            if entry.name in folders:
                if wanted.startswith(key + "/") or (key + "/").startswith(wanted):
                    yield from self._walk(Path(entry.path), key + "/", wanted)
            elif key.startswith(wanted) and self._is_file_inside(entry):
                yield key

    def _is_file_inside(self, entry: os.DirEntry[str]) -> bool:
        if not entry.is_symlink():
            return entry.is_file(follow_symlinks=False)
        try:
            target = Path(entry.path).resolve()
        except (OSError, RuntimeError):
            return False
        return target.is_relative_to(self._real_root) and target.is_file()

    def _write(self, key: str, out: BinaryIO, chunk: bytes | bytearray | memoryview) -> None:
        try:
            out.write(chunk)
        except OSError as error:
            raise self._failed(key, "write", error) from error

    def _sync(self, key: str, out: BinaryIO) -> None:
        """Flush to the disk before the rename, so a power cut cannot leave an empty file under
        the key."""
        try:
            out.flush()
            os.fsync(out.fileno())
        except OSError as error:
            raise self._failed(key, "write", error) from error

    def _replace(self, key: str, temporary: Path, path: Path) -> None:
        try:
            os.replace(temporary, path)
        except IsADirectoryError:
            raise StorageError(show_key(key), "a folder of that name already holds other keys", "key") from None
        except OSError as error:
            raise self._failed(key, "write", error) from error

    def _failed(self, key: str, action: str, error: OSError) -> StorageError:
        if isinstance(error, PermissionError):
            advice = f"permission denied: check the owner and mode of {self._real_root}"
        elif error.errno == errno.ENOSPC:
            advice = f"no space left on the disk holding {self._real_root}"
        else:
            advice = error.strerror or str(error)
        return StorageError(show_key(key), f"cannot {action} it in {self}: {advice}")
