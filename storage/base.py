"""The storage seam: one interface that uploads, the media cache and publishing all write to.

A deployment picks the backend (a folder on one machine, an S3-compatible bucket when the work
is shared out) and nothing above this interface needs to know which.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import IO, BinaryIO

Data = bytes | bytearray | memoryview | IO[bytes]
"""What ``put`` accepts: bytes in memory, or a readable binary stream for large files."""


class Storage(ABC):
    """Files addressed by key (see ``storage.keys``). Every method checks its key first and
    raises ``StorageError`` for anything that goes wrong, ``NotFound`` for a missing key."""

    @abstractmethod
    def put(self, key: str, data: Data, content_type: str | None = None) -> None:
        """Store ``data`` under ``key``, replacing what was there. Readers see the old content
        or the new, never a mix; a failed put leaves the key as it was. ``content_type`` is
        guessed from the key's extension when not given (where the backend keeps one)."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the content: read it in chunks for large files. Close it
        (or use it in a ``with`` block)."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether ``key`` holds content."""

    @abstractmethod
    def size(self, key: str) -> int:
        """The content's length in bytes."""

    @abstractmethod
    def url(self, key: str) -> str:
        """An address a browser or tool can fetch the content from. Does not check that the key
        exists, so pages can be rendered before their media is uploaded."""

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix`` (a plain string prefix, as in S3: "media/" lists a
        folder, "media/in" also matches "media/intro.mp4"), in sorted order, lazily."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``. Deleting a missing key is not an error, so clean-ups can be retried
        and can race each other."""

    def get(self, key: str) -> bytes:
        """The whole content in memory: for small files; use ``open`` for large ones."""
        with self.open(key) as stream:
            return stream.read()
