"""``/api/courses/<id>/blocks/<block>/captions`` and ``.../media``: a video's or a recorded
narration's captions read as cue rows and saved as a new revision of the captions file
(``authoring.captions``), and the block's video or recording served to play while editing them.

Saving checks every row (times ``mm:ss.mmm``, an end after the start, some text), then the file
with the media pipeline's WebVTT check, before anything changes; overlapping cues are saved and
named as warnings. A block with no captions file gets ``media/<block id>.vtt``. A recorded
narration's transcript is saved with its captions. Saving needs the right to change the course;
whoever may see it may read and play.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request, send_file, url_for
from pydantic import BaseModel, ConfigDict, Field

from authoring.access import course_for
from authoring.api_docs import Number, documented
from authoring.captions import CaptionsRefused, check_rows, checked_file, cue_json, vtt_bytes
from authoring.context import blobs, db, editor, signed_in
from authoring.edits import find_block
from authoring.media_uploads import MEDIA_FOLDER, place_file
from authoring.problems import ApiProblem, parse_body
from authoring.revisions import Edit, State, head_snapshot, save
from authoring.structure import require
from courses.errors import Problem
from courses.model import MultilineText
from courses.source import BlobSource, SourceError
from media.probe import media_limits
from media.webvtt import read_cues

blueprint = Blueprint("captions_api", __name__, url_prefix="/api/courses/<int:course_id>/blocks/<block_id>")
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
}


class CueRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str = Field(max_length=20, description="When the cue shows, as mm:ss.mmm (h:mm:ss.mmm past the hour).")
    end: str = Field(max_length=20, description="When it goes, after the start, in the same form.")
    text: MultilineText = Field(description="What it says; no empty line inside.")


class CaptionsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_revision: Number = Field(description="The revision the author was looking at when editing.")
    cues: list[CueRow] = Field(description="Every cue, in order.")
    transcript: MultilineText | None = Field(
        None, description="A recorded narration's transcript (shown to learners); leave out to keep it."
    )


def _captioned(document: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The block, if it takes a captions file: a video, or a narration playing a recording."""
    block = require(document, "block", block_id).element
    kind = block.get("type")
    if kind == "video" or (kind == "narration" and block.get("src") is not None):
        return block
    if kind == "narration":
        raise ApiProblem(422, f"block: {block_id} is spoken from its script, whose captions are made with it", "block")
    raise ApiProblem(422, f"block: {block_id} is a {kind} block; only videos and recordings have captions", "block")


@blueprint.get("/captions")
@documented("The captions of a video or recorded narration block as cue rows (none yet: an empty list)")
def get_captions(course_id: int, block_id: str) -> Any:
    record = course_for(db(), signed_in(), course_id)
    head = head_snapshot(db(), record)
    block = _captioned(head.document, block_id)
    path = block.get("captions")
    sha = head.files.get(path) if isinstance(path, str) else None
    cues = [] if sha is None else read_cues(blobs().get_blob(sha))
    return {
        "revision": head.number,
        "block": block_id,
        "path": path,
        "cues": [cue_json(cue) for cue in cues],
        "transcript": block.get("transcript") if block.get("type") == "narration" else None,
        "media_url": url_for("captions_api.block_media", course_id=course_id, block_id=block_id),
    }


@blueprint.put("/captions")
@documented(
    "Save a block's captions from cue rows as a new revision of its captions file (media/<block>.vtt when it "
    "has none); each problem names its field, e.g. cues[2].end; overlapping cues come back as warnings",
    access="write",
    body=CaptionsChange,
)
def put_captions(course_id: int, block_id: str) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(CaptionsChange, request.get_json(silent=True))
    head = head_snapshot(db(), record)
    block = _captioned(head.document, block_id)
    name = block.get("captions") if isinstance(block.get("captions"), str) else f"{MEDIA_FOLDER}/{block_id}.vtt"
    try:
        checked = check_rows([row.model_dump() for row in body.cues])
        data = vtt_bytes(checked.cues)
        checked_file(data, str(name), media_limits(editor().settings))
    except CaptionsRefused as refused:
        first = refused.problems[0]
        raise ApiProblem(422, f"{first.field}: {first.message}", first.field, refused.problems) from None
    sha = blobs().put_blob(data)
    edits = [captions_edit(block_id, sha)]
    if body.transcript is not None and block.get("type") == "narration":
        edits.append(transcript_edit(block_id, body.transcript))
    try:
        saved = save(
            db(),
            record,
            body.base_revision,
            edits,
            user,
            f"captions of {block_id}",
            blobs(),
        )
    except ApiProblem as problem:
        if problem.status == 409:
            problem.extra.setdefault("head_revision", record.head)
        raise
    stored = find_block(saved.snapshot.document, block_id) or {}
    return {
        "revision": saved.snapshot.number,
        "merged": saved.merged,
        "saved": saved.created,
        "path": stored.get("captions"),
        "cues": [cue_json(cue) for cue in checked.cues],
        "warnings": [_problem_json(p) for p in checked.warnings],
    }


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"field": problem.field, "message": problem.message, "text": str(problem)}


def captions_edit(block_id: str, sha: str) -> Edit:
    """The block's captions file holding blob ``sha``: its file rewritten, or, with none, the new
    file ``media/<block id>.vtt`` (the next free name) and the block pointing at it. It conflicts
    when someone else changed the captions (the file or which file) since the base."""

    def current(state: State) -> Any:
        block = find_block(state.document, block_id)
        path = None if block is None else block.get("captions")
        return None if not isinstance(path, str) else state.files.get(path)

    def apply(state: State) -> None:
        block = _captioned(state.document, block_id)
        path = block.get("captions")
        if isinstance(path, str):
            state.files[path] = sha
        else:
            block["captions"] = place_file(state.files, f"{MEDIA_FOLDER}/{block_id}.vtt", sha)

    return Edit(f"captions of block {block_id}", current, apply, sha, "cues")


def transcript_edit(block_id: str, transcript: str) -> Edit:
    """A recorded narration's transcript (an empty one is removed: learners then read none)."""
    wanted = transcript if transcript.strip() else None

    def current(state: State) -> Any:
        block = find_block(state.document, block_id)
        return None if block is None else block.get("transcript")

    def apply(state: State) -> None:
        block = _captioned(state.document, block_id)
        if wanted is None:
            block.pop("transcript", None)
        else:
            block["transcript"] = wanted

    return Edit(f"block {block_id}", current, apply, wanted, "transcript")


@blueprint.get("/media")
@documented(
    "The video or recording of a block at the latest revision, as stored, with byte ranges",
    answers="application/octet-stream",
)
def block_media(course_id: int, block_id: str) -> Response:
    record = course_for(db(), signed_in(), course_id)
    head = head_snapshot(db(), record)
    block = _captioned(head.document, block_id)
    path = str(block["src"])
    state = editor()
    try:
        local = BlobSource(head.files, state.blobs, state.scratch / "blobs").local_path(path)
    except SourceError as error:
        raise ApiProblem(404, f"block {block_id}: {error}", "block") from None
    mime = MEDIA_TYPES.get(local.suffix.lower(), "application/octet-stream")
    response = send_file(local, mimetype=mime, conditional=True, etag=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
