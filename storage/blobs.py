"""Content-addressed blobs over any storage: a file's name is the SHA-256 of its bytes.

Courses that live in the editor's database keep their files here, so the same image used by
ten courses is stored once, a blob never changes once written, and a damaged copy is caught on
read instead of being published.

A blob is read whole (``get_blob``) only when it is small (Markdown, YAML); media blobs are read
as a stream (``open_blob``) or copied to a file (``save_blob``) a chunk at a time, hashed as they
go, so a 2 GB video never sits in memory and a damaged one is refused once its last byte is read.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import IO, BinaryIO

from storage.base import Data, Storage
from storage.errors import StorageError, show_key

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
CHUNK_BYTES = 1 << 20
SPOOL_BYTES = 8 << 20
"""A streamed blob is hashed into a temporary file that stays in memory up to this size."""


class CorruptBlob(StorageError):
    """A stored blob's bytes no longer hash to its name."""


class BlobStore:
    """Blobs at ``<prefix>/<first two hex digits>/<sha256>`` in ``storage`` (the two-digit
    folder keeps any one folder of a disk store small)."""

    def __init__(self, storage: Storage, prefix: str = "blobs") -> None:
        self.storage = storage
        self.prefix = prefix.strip("/")

    def key(self, sha256: str) -> str:
        """The storage key of blob ``sha256`` (refusing anything but 64 lowercase hex digits)."""
        if not isinstance(sha256, str) or not SHA256_HEX.fullmatch(sha256):
            raise StorageError(show_key(sha256), "is not a SHA-256 digest (64 lowercase hex digits)", "sha256")
        return f"{self.prefix}/{sha256[:2]}/{sha256}"

    def put_blob(self, data: Data) -> str:
        """Store ``data`` (bytes or a binary stream) and return its SHA-256 hex digest. A blob
        already stored is not written again."""
        if isinstance(data, (bytes, bytearray, memoryview)):
            sha256 = hashlib.sha256(data).hexdigest()
            if not self.has_blob(sha256):
                self.storage.put(self.key(sha256), data, "application/octet-stream")
            return sha256
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            sha256 = _copy_hashing(data, spool)
            if not self.has_blob(sha256):
                spool.seek(0)
                self.storage.put(self.key(sha256), spool, "application/octet-stream")
        return sha256

    def get_blob(self, sha256: str) -> bytes:
        """The blob's bytes, checked against its name: a mismatch raises ``CorruptBlob``. For
        small files: read media with ``open_blob`` or ``save_blob``."""
        with self.open_blob(sha256) as stream:
            return stream.read()

    def open_blob(self, sha256: str) -> BinaryIO:
        """A stream of the blob's bytes that raises ``CorruptBlob`` when its end is reached and
        they do not hash to ``sha256`` (a caller that stops early has checked nothing)."""
        return open_verified(self.storage, self.key(sha256), sha256)

    def save_blob(self, sha256: str, target: Path) -> None:
        """Copy the blob to the file ``target`` a chunk at a time, checked: see ``save_verified``."""
        save_verified(self.storage, self.key(sha256), sha256, target)

    def blob_size(self, sha256: str) -> int:
        """The blob's size in bytes, from the store, without reading it."""
        return self.storage.size(self.key(sha256))

    def has_blob(self, sha256: str) -> bool:
        return self.storage.exists(self.key(sha256))


class _Verified(io.RawIOBase):
    """The stream of ``key`` hashed as it is read; the read that finds its end checks the hash."""

    def __init__(self, storage: Storage, key: str, sha256: str) -> None:
        self.storage, self.key, self.sha256 = storage, key, sha256
        self.digest = hashlib.sha256()
        self.count = 0
        self.source = storage.open(key)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = _read(self.source, self.storage, self.key, len(buffer))
        if not chunk:
            self._check()
            return 0
        buffer[: len(chunk)] = chunk
        self.digest.update(chunk)
        self.count += len(chunk)
        return len(chunk)

    def readall(self) -> bytes:
        """The rest of the content in one piece, read a chunk (not 8 KiB) at a time."""
        parts = []
        while chunk := self.read(CHUNK_BYTES):
            parts.append(chunk)
        return b"".join(parts)

    def _check(self) -> None:
        actual = self.digest.hexdigest()
        if actual != self.sha256:
            raise CorruptBlob(
                self.key,
                f"is damaged: its {self.count} bytes hash to {actual} in {self.storage}; "
                "store the original file again after deleting this copy",
                "sha256",
            )

    def close(self) -> None:
        if not self.closed:
            self.source.close()
        super().close()


def open_verified(storage: Storage, key: str, sha256: str) -> BinaryIO:
    """The content of ``key`` as a buffered stream that raises ``CorruptBlob`` at its end unless
    it hashes to ``sha256``; ``NotFound`` (or another ``StorageError``) when it cannot be opened."""
    return io.BufferedReader(_Verified(storage, key, sha256), CHUNK_BYTES)


def save_verified(storage: Storage, key: str, sha256: str, target: Path) -> None:
    """Copy the content of ``key`` to the file ``target``, hashing it on the way: the file
    appears, whole and read-only, only once its bytes are known to hash to ``sha256``.

    The copy is written beside ``target`` and renamed over it, so a reader never sees part of
    it and a copy cut short or found damaged (``CorruptBlob``) leaves nothing behind."""
    with open_verified(storage, key, sha256) as stream:
        save_read_only(stream, target)


def save_read_only(stream: BinaryIO, target: Path) -> None:
    """Copy ``stream`` to the file ``target``, which appears whole and read-only (a blob never
    changes, so neither may its copy) or not at all: it is written beside ``target`` and renamed
    over it, so a reader never sees part of it, and a copy cut short leaves nothing behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(descriptor, "wb") as out:
            while chunk := stream.read(CHUNK_BYTES):
                out.write(chunk)
        os.chmod(temporary, 0o444)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read(source: IO[bytes], storage: Storage, key: str, size: int) -> bytes:
    """Up to ``size`` bytes of ``source``; a stream that breaks off (a socket, a disk) is a
    ``StorageError`` naming the key, whatever the backend raised."""
    try:
        return source.read(size)
    except StorageError:
        raise
    except Exception as error:  # boto3's streams raise their own types, not OSError
        raise StorageError(show_key(key), f"reading it from {storage} broke off: {error}") from error


def _copy_hashing(source: IO[bytes], target: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK_BYTES):
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest()
