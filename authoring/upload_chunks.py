"""The chunks of a media upload (``authoring.media_uploads``), appended in order to the file
holding its bytes so far, in pieces, so a 2 GB video takes no more memory than a small one.

Any editor process can take the next chunk: the upload's row says the offset, and a lock on the
file keeps two chunks of one upload from being written at once (the second is a 409 with the
offset to go on from). A chunk cut short by a dropped connection keeps what arrived.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from authoring.context import Editor
from authoring.media_uploads import COPY_BYTES, RECEIVING, received_file
from authoring.models import MediaUpload, utcnow
from authoring.problems import ApiProblem


def parse_range(header: str, size: int) -> tuple[int, int]:
    """``Content-Range: bytes START-END/TOTAL`` as (offset, length); TOTAL may be ``*``."""
    match = re.fullmatch(r"\s*bytes\s+(\d{1,19})-(\d{1,19})/(\d{1,19}|\*)\s*", header)
    if match is None:
        raise ApiProblem(
            422, "Content-Range: send 'bytes START-END/TOTAL', e.g. bytes 0-1048575/5000000", "Content-Range"
        )
    start, end, total = int(match[1]), int(match[2]), match[3]
    if end < start:
        raise ApiProblem(422, f"Content-Range: the chunk ends ({end}) before it starts ({start})", "Content-Range")
    if total != "*" and int(total) != size:
        raise ApiProblem(
            422, f"Content-Range: the total is {total} bytes, but the upload was begun for {size}", "Content-Range"
        )
    return start, end - start + 1


def check_chunk(upload: MediaUpload, offset: int, length: int) -> None:
    """Refuse a chunk before reading it: one at another offset than the server's (409, with the
    server's offset to resume from), or one reaching past the declared size."""
    if upload.status != RECEIVING:
        raise ApiProblem(
            409, f"upload {upload.id} is {upload.status}: it takes no more bytes", "upload", offset=upload.received
        )
    if offset != upload.received:
        raise ApiProblem(
            409,
            f"offset: this upload has {upload.received} bytes; send the chunk that starts there",
            "offset",
            offset=upload.received,
        )
    if offset + length > upload.size:
        raise ApiProblem(
            413,
            f"the chunk ends at byte {offset + length}, past the {upload.size} bytes declared for this upload",
            "Content-Range",
            offset=upload.received,
        )


def receive_chunk(
    state: Editor,
    session: Session,
    upload: MediaUpload,
    offset: int,
    length: int,
    body: IO[bytes],
    complete: Callable[[], None],
) -> None:
    """Append ``length`` bytes of ``body`` at ``offset``; once the file is whole, ``complete()``
    (``finish``) runs, still holding the upload's lock, so it runs once however many processes
    are sent the last chunk. Bytes that arrived before a dropped connection are kept (the offset
    says how many), and so are resumed from, not sent again. A finish that failed (storage or
    the database out of reach) runs again when a chunk of no bytes is sent at the end."""
    check_chunk(upload, offset, length)
    with _locked(received_file(state, upload), upload) as out:
        session.commit()  # end the read transaction: the row as another process left it
        session.refresh(upload)
        check_chunk(upload, offset, length)
        out.truncate(offset)  # bytes past the offset were never counted (a process stopped mid-chunk)
        out.seek(offset)
        try:
            _copy(body, out, length)
        finally:
            out.flush()
            os.fsync(out.fileno())
            upload.received = out.tell()
            upload.updated_at = utcnow()
            session.commit()
        if upload.received == upload.size:
            complete()


@contextmanager
def _locked(path: Path, upload: MediaUpload) -> Iterator[IO[bytes]]:
    try:
        out = path.open("r+b")
    except FileNotFoundError:
        raise ApiProblem(409, f"upload {upload.id} has no bytes kept any more; begin it again", "upload") from None
    with out:
        try:
            fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ApiProblem(
                409,
                "offset: another chunk of this upload is being received; ask for the offset and go on from there",
                "offset",
                offset=upload.received,
            ) from None
        yield out


def _copy(body: IO[bytes], out: IO[bytes], length: int) -> None:
    left = length
    while left > 0:
        piece = body.read(min(COPY_BYTES, left))
        if not piece:
            raise ApiProblem(400, f"the chunk ended after {length - left} of its {length} bytes", "Content-Length")
        out.write(piece)
        left -= len(piece)
