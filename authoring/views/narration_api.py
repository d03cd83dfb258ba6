"""``/api/courses/<id>/blocks/<block>/voice-over`` and ``/api/courses/<id>/voice-overs/<n>``: a
narration block's script spoken as a build speaks it (``authoring.narration_jobs``), its status
polled by any editor process, then its audio and captions served to whoever may read the course.

Generating needs the right to change the course; whoever may see it may look and listen.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request, send_file, url_for
from pydantic import BaseModel, ConfigDict, Field

from authoring import narration_jobs
from authoring.access import course_for
from authoring.api_docs import documented
from authoring.captions import cue_json
from authoring.context import db, editor, signed_in
from authoring.media_uploads import DONE
from authoring.models import NarrationJob
from authoring.problems import ApiProblem, parse_body
from authoring.revisions import head_snapshot
from authoring.structure import require
from courses.model import MultilineText
from media.webvtt import read_cues

blueprint = Blueprint("narration_api", __name__, url_prefix="/api/courses/<int:course_id>")


class VoiceOverRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    script: MultilineText = Field(
        description="The script to speak, as the author sees it (the build speaks the saved one: the same text "
        "gives the same outputs, from the cache)."
    )


def job_json(row: NarrationJob, script: str | None = None) -> dict[str, Any]:
    """The job as the page shows it; ``stale`` when ``script`` (the block's now) is not what was spoken."""
    settings = editor().settings
    status, problems = narration_jobs.problems_of(row, settings)
    done = status == DONE
    answer: dict[str, Any] = {
        "id": row.id,
        "course": row.course_id,
        "block": row.block_id,
        "status": status,
        "progress": row.progress,
        "percent": int(row.progress * 100),
        "problems": problems,
        "message": problems[0]["text"] if problems else None,
        "script_sha256": row.script_sha256,
        "stale": None if script is None else narration_jobs.script_sha256(script) != row.script_sha256,
        "duration": row.duration,
        "created_at": row.created_at.isoformat() + "Z",
        "finished_at": row.finished_at.isoformat() + "Z" if row.finished_at else None,
        "url": url_for("narration_api.get_voice_over", course_id=row.course_id, job_id=row.id),
        "audio_url": url_for("narration_api.voice_over_audio", course_id=row.course_id, job_id=row.id)
        if done
        else None,
        "captions_url": url_for("narration_api.voice_over_captions", course_id=row.course_id, job_id=row.id)
        if done
        else None,
        "cues": None,
    }
    if done:
        try:
            path, _mime = narration_jobs.output(settings, row, "captions")
        except ApiProblem:
            answer["audio_url"] = answer["captions_url"] = None
        else:
            answer["cues"] = [cue_json(cue) for cue in read_cues(path.read_bytes())]
    return answer


def _answer(body: dict[str, Any], status: int = 200) -> tuple[dict[str, Any], int, dict[str, str]]:
    return body, status, {"Cache-Control": "no-store"}


@blueprint.post("/blocks/<block_id>/voice-over")
@documented(
    "Speak a narration block's script with the course's voice, as a build does; the answer is the job "
    "(queued), to poll at its url",
    access="write",
    status=202,
    body=VoiceOverRequest,
)
def post_voice_over(course_id: int, block_id: str) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(VoiceOverRequest, request.get_json(silent=True))
    state = editor()
    head = head_snapshot(db(), record)
    job = narration_jobs.speech_job(state.settings, head, block_id, body.script)
    row = narration_jobs.start(state, db(), record, block_id, job, user)
    return _answer(job_json(row, _saved_script(head.document, block_id)), 202)


@blueprint.get("/blocks/<block_id>/voice-over")
@documented("The latest voice-over of a narration block, stale when its script changed since")
def latest_voice_over(course_id: int, block_id: str) -> Any:
    record = course_for(db(), signed_in(), course_id)
    head = head_snapshot(db(), record)
    require(head.document, "block", block_id)
    row = narration_jobs.latest(db(), record, block_id)
    if row is None:
        raise ApiProblem(404, f"block {block_id} has no voice-over yet", "voice_over")
    return _answer(job_json(row, _saved_script(head.document, block_id)))


def _saved_script(document: dict[str, Any], block_id: str) -> str | None:
    """The block's script as saved (what a build speaks), to tell whether a voice-over is stale."""
    script = require(document, "block", block_id).element.get("script")
    return script if isinstance(script, str) else None


@blueprint.get("/voice-overs/<int:job_id>")
@documented("A voice-over: queued, running with a percent, done with its cues, or failed with the message")
def get_voice_over(course_id: int, job_id: int) -> Any:
    record = course_for(db(), signed_in(), course_id)
    return _answer(job_json(narration_jobs.job_of(db(), record, job_id)))


def _output(course_id: int, job_id: int, role: str) -> Response:
    record = course_for(db(), signed_in(), course_id)
    row = narration_jobs.job_of(db(), record, job_id)
    path, mime = narration_jobs.output(editor().settings, row, role)
    response = send_file(path, mimetype=mime, conditional=True, etag=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"  # readers only, asked again each time
    return response


@blueprint.get("/voice-overs/<int:job_id>/audio")
@documented("A finished voice-over's audio (AAC in MP4), with byte ranges", answers="audio/mp4")
def voice_over_audio(course_id: int, job_id: int) -> Any:
    return _output(course_id, job_id, "audio")


@blueprint.get("/voice-overs/<int:job_id>/captions")
@documented("A finished voice-over's captions (WebVTT, one cue per sentence)", answers="text/vtt")
def voice_over_captions(course_id: int, job_id: int) -> Any:
    return _output(course_id, job_id, "captions")
