"""Receiving an upload without trusting it: the declared size is checked before one byte is
read, the bytes are counted while they are copied to a file in the data folder (a client that
lies about its size is stopped at the limit), and nothing is held whole in memory."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flask import Request

from authoring.problems import ApiProblem
from courses.errors import byte_size

CHUNK_BYTES = 1 << 20
FIELD = "file"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def too_large(limit: int) -> ApiProblem:
    return ApiProblem(413, f"the upload is larger than the limit of {byte_size(limit)}", FIELD, limit=limit)


@contextmanager
def received(request: Request, limit: int, scratch: Path) -> Iterator[Path]:
    """The uploaded file (a multipart field ``file``, or the whole body), in a temporary file
    removed at the end of the ``with`` block."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    fd, name = tempfile.mkstemp(dir=scratch, prefix="upload-", suffix=".zip")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            _copy(_source(request), out, limit)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _source(request: Request) -> IO[bytes]:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get(FIELD)
        if upload is None or not upload.filename:
            raise ApiProblem(422, f"{FIELD}: choose a zipped course folder to upload", FIELD)
        stream: IO[bytes] = upload.stream
        return stream
    if request.mimetype not in ("application/zip", "application/octet-stream", "application/x-zip-compressed", PPTX):
        raise ApiProblem(
            415,
            f"send the zip as the body with Content-Type: application/zip, or as the multipart field '{FIELD}' "
            f"(got {request.mimetype or 'no Content-Type'})",
            FIELD,
        )
    return request.stream


def _copy(source: IO[bytes], out: IO[bytes], limit: int) -> None:
    count = 0
    while chunk := source.read(CHUNK_BYTES):
        count += len(chunk)
        if count > limit:
            raise too_large(limit)
        out.write(chunk)
    if count == 0:
        raise ApiProblem(422, f"{FIELD}: the upload is empty", FIELD)
