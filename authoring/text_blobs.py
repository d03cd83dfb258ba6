"""The editor's blob store: the files of every course in the storage, plus the small files saves
write (a text block's Markdown) in the database's ``text_blobs`` table.

A save of a text block used to write its Markdown as a file and sync it to disk before taking
the course's lock, so each save paid for two durable writes (that file, then the database's
commit). Kept in the database instead, the Markdown is inserted in the very transaction of the
revision that names it: one commit makes both durable, or neither. Every reader gets it through
``DatabaseBlobs`` exactly as a stored blob (checked against its name, as a stream, copied to a
file), so exports, builds, diffs and the search never know where a blob lives.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO, cast

from sqlalchemy import Connection, Engine, Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from authoring.models import TextBlob
from storage import BlobStore, Storage
from storage.blobs import CorruptBlob, save_read_only
from storage.errors import NotFound

TEXT_BLOB_MAX_BYTES = 256 * 1024
"""A save keeps Markdown up to this size in the database; a larger file goes to the storage."""
CACHED_TEXT_BYTES = 8_000_000  # database-held blobs kept per process, at most (a blob never changes)
TEXT_BLOBS = cast(Table, TextBlob.__table__)
HELD_TEXT = select(TEXT_BLOBS.c.data).where(TEXT_BLOBS.c.sha256 == bindparam("sha256"))
NEW_TEXTS = {  # by dialect: a blob held already (the same text saved before) is left as it is
    "sqlite": sqlite_insert(TEXT_BLOBS).on_conflict_do_nothing(index_elements=[TEXT_BLOBS.c.sha256]),
    "postgresql": postgresql_insert(TEXT_BLOBS).on_conflict_do_nothing(index_elements=[TEXT_BLOBS.c.sha256]),
}


class DatabaseBlobs(BlobStore):
    """Blobs in ``storage`` (see ``BlobStore``) and, for those a save kept there, in the
    database of ``engine``. A read goes to the storage as before (every imported or uploaded file
    is there, and costs nothing more), and to the database only when the storage has no such
    blob; what the database gave, or a save of this process wrote, is kept per process."""

    def __init__(self, storage: Storage, engine: Engine, prefix: str = "blobs") -> None:
        super().__init__(storage, prefix)
        self.engine = engine
        self._held: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def keeps(self, data: bytes) -> bool:
        """Whether a save keeps ``data`` in the database (with its revision) rather than a file."""
        return len(data) <= TEXT_BLOB_MAX_BYTES

    def open_blob(self, sha256: str) -> BinaryIO:
        held = self._kept(sha256)
        if held is None:
            try:
                return super().open_blob(sha256)
            except NotFound:
                held = self._from_database(sha256)
                if held is None:
                    raise
        return io.BytesIO(held)

    def save_blob(self, sha256: str, target: Path) -> None:
        held = self._kept(sha256)
        if held is None:
            try:
                super().save_blob(sha256, target)
                return
            except NotFound:
                held = self._from_database(sha256)
                if held is None:
                    raise
        save_read_only(io.BytesIO(held), target)

    def blob_size(self, sha256: str) -> int:
        held = self._kept(sha256)
        if held is None:
            try:
                return super().blob_size(sha256)
            except NotFound:
                held = self._from_database(sha256)
                if held is None:
                    raise
        return len(held)

    def has_blob(self, sha256: str) -> bool:
        return self._kept(sha256) is not None or super().has_blob(sha256) or self._from_database(sha256) is not None

    def remember(self, texts: Mapping[str, bytes]) -> None:
        """Keep ``texts``, just committed by a save, for the reads that follow (the next save's
        merge compares its block with them), so this process never reads them back."""
        with self._lock:
            for sha256, data in texts.items():
                self._keep(sha256, data)

    def _kept(self, sha256: str) -> bytes | None:
        self.key(sha256)  # refuses anything but a SHA-256, before any lookup
        with self._lock:
            found = self._held.get(sha256)
            if found is not None:
                self._held.move_to_end(sha256)
            return found

    def _keep(self, sha256: str, data: bytes) -> None:
        """Hold ``data`` (the caller has the lock), the least recently used dropped past the limit."""
        if sha256 not in self._held:
            self._held[sha256] = data
            self._bytes += len(data)
        while self._bytes > CACHED_TEXT_BYTES and len(self._held) > 1:
            self._bytes -= len(self._held.popitem(last=False)[1])

    def _from_database(self, sha256: str) -> bytes | None:
        """The blob's bytes when the database holds it, checked against its name (a mismatch
        raises ``CorruptBlob``, as a damaged stored blob does), and kept."""
        with self.engine.connect() as connection:
            found = connection.execute(HELD_TEXT, {"sha256": sha256}).scalar()
        if found is None:
            return None
        data = bytes(found)
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise CorruptBlob(
                f"text_blobs/{sha256}",
                f"is damaged: its {len(data)} bytes hash to {actual} in the database; save the text again",
                "sha256",
            )
        with self._lock:
            self._keep(sha256, data)
        return data


def in_database(blobs: BlobStore, data: bytes) -> bool:
    """Whether a save keeps ``data`` in the database (with its revision) rather than a file."""
    return isinstance(blobs, DatabaseBlobs) and blobs.keeps(data)


def put_text(blobs: BlobStore, data: bytes, texts: dict[str, bytes]) -> str:
    """The SHA-256 of ``data`` as a blob: added to ``texts`` (inserted with the save's revision,
    ``store_texts``) when ``blobs`` keeps it in the database, else stored in the storage now."""
    if not in_database(blobs, data):
        return blobs.put_blob(data)
    sha256 = hashlib.sha256(data).hexdigest()
    texts[sha256] = data
    return sha256


def remember(blobs: BlobStore, texts: Mapping[str, bytes]) -> None:
    """Tell ``blobs`` of ``texts`` a save just committed (see ``DatabaseBlobs.remember``)."""
    if texts and isinstance(blobs, DatabaseBlobs):
        blobs.remember(texts)


def store_texts(connection: Connection, texts: Mapping[str, bytes]) -> None:
    """Insert ``texts`` (SHA-256 -> bytes) in the transaction of ``connection``; a blob held
    already (the same text saved before, an undo) is left as it is."""
    if texts:
        connection.execute(
            NEW_TEXTS[connection.dialect.name], [{"sha256": sha256, "data": data} for sha256, data in texts.items()]
        )
