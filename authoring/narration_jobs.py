"""Voice-over from a narration block's script, made in the editor: the speech job a build makes
of that script (``media.jobs.tts_job`` with the course's voice and the same label as
``media.pipeline``), started on the configured runner (in this process, or Celery workers), so
its outputs land in the media cache under the build's key and the build after makes nothing.

The job's status is a ``NarrationJob`` row: queued until the runner reports it moving, running
with its fraction, then done (audio and captions found in the cache by the job's key), or failed
with the pipeline's message. In the database, so any editor process answers a poll.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from authoring import job_runs
from authoring.context import Editor
from authoring.media_uploads import DONE, FAILED, QUEUED, RUNNING, problem_json
from authoring.models import CourseRecord, NarrationJob, User, utcnow
from authoring.problems import ApiProblem
from authoring.revisions import Snapshot
from authoring.structure import require
from courses.errors import Problem
from media import jobs
from media.cache import Cache
from media.errors import MediaError, media_problem
from media.probe import media_limits
from media.tts import split_sentences, voice_for
from settings import Settings

STALE_SECONDS = 120.0  # past the job timeout with no word from the job: its editor process stopped


def script_label(block_id: str) -> str:
    """The label ``media.pipeline`` gives a script's job, so messages read the same in both."""
    return f"narration '{block_id}' (script)"


def script_sha256(script: str) -> str:
    return hashlib.sha256(script.encode("utf-8")).hexdigest()


def speech_job(settings: Settings, snapshot: Snapshot, block_id: str, script: str) -> jobs.Job:
    """The job a build of ``snapshot`` would make of ``script`` in the block: the course's voice
    (its language when no voice is set), speed and engine. A block with a recording has no script
    to speak (422); an empty script is the pipeline's own refusal."""
    block = require(snapshot.document, "block", block_id).element
    if block.get("type") != "narration":
        raise ApiProblem(422, f"block: {block_id} is a {block.get('type')} block; only narration is spoken", "block")
    if block.get("src") is not None:
        raise ApiProblem(
            422, f"block: {block_id} plays its recording {block['src']}; it has no script to speak", "block"
        )
    label = script_label(block_id)
    if not split_sentences(script):
        raise ApiProblem(422, f"script: {label}: the narration script is empty", "script")
    course = snapshot.course()
    voice = voice_for(course.language, course.voice.voice)
    try:
        return jobs.tts_job(script, label, voice, course.voice.speed, media_limits(settings), course.voice.engine)
    except MediaError as error:
        raise ApiProblem(422, f"script: {error.problems[0]}", "script", error.problems) from None


def start(
    state: Editor, session: Session, course: CourseRecord, block_id: str, job: jobs.Job, user: User
) -> NarrationJob:
    """Record the job (queued) and run it in the background; the same job of the block still
    under way (a second click, another tab) is given back instead of being run twice."""
    key = job.key()
    under_way = latest(session, course, block_id)
    if (
        under_way is not None
        and under_way.job_key == key
        and under_way.status in (QUEUED, RUNNING)
        and not stale(under_way, state.settings)
    ):
        return under_way
    settings = job.settings
    row = NarrationJob(
        course_id=course.id,
        block_id=block_id,
        author_id=user.id,
        script_sha256=job.input_sha256,
        voice=json.dumps({"engine": settings["engine"], "voice": settings["voice"], "speed": settings["speed"]}),
        job_key=key,
        status=QUEUED,
        progress=0.0,
        problems="[]",
    )
    session.add(row)
    session.commit()
    thread = threading.Thread(target=run, args=(state, row.id, job), name=f"narration-{row.id}", daemon=True)
    thread.start()
    return row


def run(state: Editor, job_id: int, job: jobs.Job) -> None:
    """Run the job on the configured runner and record how it ended."""
    session = state.database.session()
    try:
        result, problems = job_runs.run_job(
            state.settings, job, job_runs.RowProgress(session, NarrationJob, job_id), "speech job"
        )
        _end(session, job_id, problems, result)
    finally:
        session.close()


def _end(session: Session, job_id: int, problems: list[Problem], result: dict[str, Any] | None) -> None:
    session.rollback()
    row = session.get(NarrationJob, job_id)
    if row is None:  # the course was deleted meanwhile
        return
    row.finished_at = row.updated_at = utcnow()
    if problems:
        row.status, row.problems = FAILED, json.dumps([problem_json(p) for p in problems])
    elif result is not None:
        row.status, row.progress, row.duration = DONE, 1.0, result.get("duration")
        files = [{"role": o["role"], "file": o["file"], "mime": o["mime"]} for o in result["outputs"]]
        row.outputs = json.dumps({"dir": result["dir"], "files": files})
    session.commit()


def stale(row: NarrationJob, settings: Settings) -> bool:
    """Whether a job shown queued or running died with the editor process that ran it: no word
    from it for longer than a job may take. A job queued for Celery workers may wait longer."""
    if row.status != RUNNING and not (row.status == QUEUED and settings.broker_url is None):
        return False
    return (utcnow() - row.updated_at).total_seconds() > settings.job_timeout + STALE_SECONDS


def latest(session: Session, course: CourseRecord, block_id: str) -> NarrationJob | None:
    return session.scalar(
        select(NarrationJob)
        .where(NarrationJob.course_id == course.id, NarrationJob.block_id == block_id)
        .order_by(NarrationJob.id.desc())
        .limit(1)
    )


def job_of(session: Session, course: CourseRecord, job_id: int) -> NarrationJob:
    row = session.scalar(select(NarrationJob).where(NarrationJob.id == job_id, NarrationJob.course_id == course.id))
    if row is None:
        raise ApiProblem(404, f"voice-over {job_id} of course {course.id} not found", "voice_over")
    return row


def output(settings: Settings, row: NarrationJob, role: str) -> tuple[Path, str]:
    """The file (and its media type) of a finished job's output ``role`` (audio, captions): in
    the cache folder the runner gave back (the one its job function wrote, which a build reads
    too), else in this editor's cache under the job's key (a worker that sees the cache at
    another path); 404 while the job has not finished, or once the cache lost it."""
    made: dict[str, Any] = json.loads(row.outputs) if row.outputs else {"dir": "", "files": []}
    entry = next((o for o in made["files"] if o["role"] == role), None)
    if entry is not None:
        for folder in (Path(made["dir"]), Cache(settings.cache_dir).folder(row.job_key)):
            if (folder / entry["file"]).is_file():
                return folder / entry["file"], str(entry["mime"])
    raise ApiProblem(404, f"voice-over {row.id} has no {role} (yet); generate it again", "voice_over")


def problems_of(row: NarrationJob, settings: Settings) -> tuple[str, list[dict[str, Any]]]:
    """The status to show and its problems: a job that died with its process is failed."""
    if stale(row, settings):
        label = script_label(row.block_id)
        problem = media_problem(label, "its speech job stopped with the editor process running it; generate it again")
        return FAILED, [problem_json(problem)]
    return row.status, json.loads(row.problems)
