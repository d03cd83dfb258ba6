"""Content-addressed blobs over any storage: a file's name is the SHA-256 of its bytes.

Courses that live in the editor's database keep their files here, so the same image used by
ten courses is stored once, a blob never changes once written, and a damaged copy is caught on
read instead of being published.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from typing import IO

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
        """The blob's bytes, checked against its name: a mismatch raises ``CorruptBlob``."""
        key = self.key(sha256)
        data = self.storage.get(key)
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise CorruptBlob(
                key,
                f"is damaged: its {len(data)} bytes hash to {actual} in {self.storage}; "
                "store the original file again after deleting this copy",
                "sha256",
            )
        return data

    def blob_size(self, sha256: str) -> int:
        """The blob's size in bytes, from the store, without reading it."""
        return self.storage.size(self.key(sha256))

    def has_blob(self, sha256: str) -> bool:
        return self.storage.exists(self.key(sha256))


def _copy_hashing(source: IO[bytes], target: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK_BYTES):
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest()
