"""``/api/courses/<id>/uploads``: a video, recording, image or captions file sent into a block in
chunks (``authoring.media_uploads``), resumed from the server's offset after a dropped
connection, checked, added to the course and transcoded (``authoring.upload_jobs``), with its
status polled here by any editor process.

An upload begins with its name, size and kind (``POST``), and the block it is for or the page a
new block goes on; chunks follow (``PUT`` with ``Content-Range: bytes START-END/TOTAL``, or
``Upload-Offset: START``), and ``GET`` or ``HEAD`` answers the offset (also as ``Upload-Offset``)
and the status: receiving, refused with the pipeline's message, queued, running with a percent,
done, or failed. Uploading needs the right to change the course; whoever may see it may look.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from flask import Blueprint, Response, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from authoring.access import course_for
from authoring.api_docs import QueryParameter, documented
from authoring.context import db, editor, signed_in
from authoring.media_uploads import (
    CHUNK_BYTES,
    FAILED,
    QUEUED,
    RECEIVING,
    REFUSED,
    Wanted,
    cancel,
    course_uploads,
    finish,
    start_upload,
)
from authoring.models import MediaUpload
from authoring.problems import ApiProblem, parse_body
from authoring.revisions import revision_snapshot
from authoring.upload_chunks import check_chunk, parse_range, receive_chunk
from authoring.upload_jobs import stale, start_job
from courses.errors import Problem
from courses.model import StableId, Text

blueprint = Blueprint("upload_api", __name__, url_prefix="/api/courses/<int:course_id>/uploads")
LIST_LIMIT = 50
OCTET_STREAM = "application/octet-stream"
BLOCK = QueryParameter("block", "Only the uploads for this block")


class NewUpload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Text = Field(min_length=1, max_length=255, description="The file's name; its extension must suit kind.")
    size: int = Field(ge=0, le=2**63 - 1, description="The file's size in bytes, refused at once over the limit.")
    kind: Literal["video", "audio", "image", "captions"]
    block_id: StableId | None = Field(None, description="The block the file is for.")
    page_id: StableId | None = Field(None, description="With no block_id: the page a new block goes on.")
    after: StableId | None = Field(None, description="With page_id: the block the new one goes after; null: first.")
    alt: Text | None = Field(None, description="A new image block's alt text (required for one).")
    title: Text | None = Field(None, description="A new video block's title (default: the file's name).")


def chunk_bytes() -> int:
    return min(CHUNK_BYTES, editor().settings.max_upload_bytes)


def upload_json(upload: MediaUpload) -> dict[str, Any]:
    status = upload.status
    problems = json.loads(upload.problems)
    if stale(upload, editor().settings):
        status = FAILED
        problems = [
            {
                "file": upload.path or "",
                "line": None,
                "field": "",
                "message": "its media job stopped with the editor process running it; upload the file again",
                "text": f"{upload.path}: its media job stopped with the editor process running it; "
                "upload the file again",
            }
        ]
    return {
        "id": upload.id,
        "course": upload.course_id,
        "name": upload.name,
        "kind": upload.kind,
        "size": upload.size,
        "offset": upload.received,
        "chunk_size": chunk_bytes(),
        "status": status,
        "progress": upload.progress,
        "percent": int(upload.progress * 100),
        "block": upload.block_id,
        "page": upload.page_id,
        "path": upload.path,
        "revision": upload.revision,
        "problems": problems,
        "message": problems[0]["text"] if problems else None,
        "created_at": upload.created_at.isoformat() + "Z",
        "finished_at": upload.finished_at.isoformat() + "Z" if upload.finished_at else None,
        "url": url_for("upload_api.get_upload", course_id=upload.course_id, upload_id=upload.id),
    }


def _answer(upload: MediaUpload, status: int = 200) -> Response:
    response = jsonify(upload_json(upload))
    response.status_code = status
    response.headers["Upload-Offset"] = str(upload.received)
    response.headers["Cache-Control"] = "no-store"
    return response


def _upload_of(course_id: int, upload_id: int, write: bool = False) -> MediaUpload:
    record = course_for(db(), signed_in(), course_id, write=write)
    upload = db().scalar(select(MediaUpload).where(MediaUpload.id == upload_id, MediaUpload.course_id == record.id))
    if upload is None:
        raise ApiProblem(404, f"upload {upload_id} of course {course_id} not found", "upload")
    return upload


@blueprint.post("")
@documented(
    "Begin uploading a media file for a block (or for a new block on a page); the answer gives the upload's "
    "address and the chunk size to send",
    access="write",
    status=201,
    body=NewUpload,
    errors=(413,),
)
def post_upload(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(NewUpload, request.get_json(silent=True))
    wanted = Wanted(body.name, body.size, body.kind, body.block_id, body.page_id, body.after, body.alt, body.title)
    upload = start_upload(editor(), db(), record, wanted, user)
    if upload.size == 0:  # nothing to wait for: checked (and refused) now
        return _received(course_id, upload, 0, 0, 201)
    return _answer(upload, 201)


@blueprint.get("")
@documented("The course's uploads, newest first, with their status", query=(BLOCK,))
def list_uploads(course_id: int) -> Any:
    record = course_for(db(), signed_in(), course_id)
    found = course_uploads(db(), record, request.args.get("block") or None, LIST_LIMIT)
    return {"uploads": [upload_json(upload) for upload in found]}


@blueprint.get("/<int:upload_id>")
@documented("An upload: the bytes received so far (offset, also the Upload-Offset header) and its status")
def get_upload(course_id: int, upload_id: int) -> Any:
    return _answer(_upload_of(course_id, upload_id))


@blueprint.put("/<int:upload_id>")
@documented(
    "Send the next chunk of an upload as the body (application/octet-stream) with Content-Range: bytes "
    "START-END/TOTAL or Upload-Offset: START; 409 gives the server's offset to go on from. After the last "
    "chunk the file is checked (422 with the problems when refused) and its media job starts",
    access="write",
    errors=(409, 411, 413, 415, 422),
)
def put_chunk(course_id: int, upload_id: int) -> Any:
    upload = _upload_of(course_id, upload_id, write=True)
    if request.mimetype != OCTET_STREAM:
        shown = request.mimetype or "no Content-Type"
        raise ApiProblem(415, f"send the chunk's bytes as the body with Content-Type: {OCTET_STREAM} (got {shown})")
    length = request.content_length
    if length is None:  # no body, unless it is sent in pieces of unknown total
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            raise ApiProblem(411, "send the chunk with a Content-Length, not in chunked encoding", "Content-Length")
        length = 0
    offset = _offset(upload, length)
    check_chunk(upload, offset, length)  # before a byte of the body is read
    limit = editor().settings.max_upload_bytes
    if length > limit:
        raise ApiProblem(413, f"a chunk is at most {limit} bytes; send {chunk_bytes()} at a time", "Content-Length")
    return _received(course_id, upload, offset, length, 200)


def _offset(upload: MediaUpload, length: int) -> int:
    """Where the chunk goes: its Content-Range (whose length must be the body's), else its
    Upload-Offset header or ``offset`` query parameter."""
    header = request.headers.get("Content-Range")
    if header is not None:
        offset, ranged = parse_range(header, upload.size)
        if ranged != length:
            raise ApiProblem(422, f"Content-Range: names {ranged} bytes, but the body has {length}", "Content-Range")
        return offset
    given = request.headers.get("Upload-Offset", request.args.get("offset"))
    if given is None:
        raise ApiProblem(422, "Content-Range: send Content-Range: bytes START-END/TOTAL, or Upload-Offset", "offset")
    if not given.isascii() or not given.isdigit() or int(given) > 2**63 - 1:
        raise ApiProblem(422, f"offset: must be a whole number of bytes, not {given[:40]!r}", "offset")
    return int(given)


def _received(course_id: int, upload: MediaUpload, offset: int, length: int, status: int) -> Response:
    """The chunk written; when it was the last, the file checked and added to the course, then
    its media job started. A refused file is a 422 naming its problems, with the upload."""
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    state = editor()
    receive_chunk(
        state, db(), upload, offset, length, request.stream, lambda: finish(state, db(), upload, record, user)
    )
    upload = db().get(MediaUpload, upload.id) or upload
    if upload.status == REFUSED:
        problems = [Problem(p["file"], p["line"], p["field"], p["message"]) for p in json.loads(upload.problems)]
        first = str(problems[0]) if problems else "the file was refused"
        raise ApiProblem(
            422, f"the file was refused; the course is unchanged: {first}", "file", problems, upload=upload_json(upload)
        )
    if upload.status == QUEUED and upload.revision is not None:
        start_job(state, db(), upload, revision_snapshot(db(), record, upload.revision))
    return _answer(upload, status)  # as it was before the job began: queued (or done, with no job to run)


@blueprint.delete("/<int:upload_id>")
@documented(
    "Give up an upload that is still receiving: its bytes are thrown away", access="write", status=204, errors=(409,)
)
def delete_upload(course_id: int, upload_id: int) -> Any:
    upload = _upload_of(course_id, upload_id, write=True)
    if upload.status != RECEIVING:
        raise ApiProblem(409, f"upload {upload_id} is {upload.status}; only one still receiving can be given up")
    cancel(editor(), upload, "the upload was given up")
    db().commit()
    return "", 204
