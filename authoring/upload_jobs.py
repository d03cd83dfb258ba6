"""The media job of an uploaded file: the very job a build of the course makes for that block
(``media.jobs``), started on the configured runner (in this process, or Celery workers) as soon
as the file is in the course, so the build after finds its outputs in the cache.

Its status is written to the upload's row: queued until the runner reports the job moving,
running with the fraction ffmpeg's progress gives, then done, or failed with the pipeline's
message. In the database, so any editor process answers a poll.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from sqlalchemy.orm import Session

from authoring import job_runs
from authoring.context import Editor
from authoring.media_uploads import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    discard,
    problem_json,
    received_file,
)
from authoring.models import MediaUpload, utcnow
from authoring.revisions import Snapshot
from authoring.structure import locate
from courses.errors import Problem
from courses.source import BlobSource, SourceError, StoredFile
from media import jobs
from media.errors import MediaError
from media.probe import media_limits
from media.runners import get_runner
from settings import Settings

STALE_SECONDS = 120.0  # past the job timeout with no word from the job: its editor process stopped


def media_job(state: Editor, upload: MediaUpload, snapshot: Snapshot) -> jobs.Job | None:
    """The job a build makes of the uploaded file in its block (None for captions, which a build
    copies as they are). A video's job makes a poster frame unless the block has a poster, as in
    ``media.pipeline``, so both have the same cache key; a poster given to a video block so
    changes that video's job, which is the one run for it."""
    found = locate(snapshot.document, "block", str(upload.block_id))
    if found is None or upload.path is None:
        return None
    block = found.element
    # A worker elsewhere fetches the file from storage by its content, as it does for a build.
    remote = not get_runner(state.settings).in_process
    file: Path | StoredFile = received_file(state, upload)
    if remote and upload.blob_sha256 is not None:
        file = StoredFile(upload.blob_sha256, state.blobs.key(upload.blob_sha256))
    limits = media_limits(state.settings)
    if block.get("type") == "video" and block.get("src") == upload.path:
        return jobs.renditions_job(file, upload.path, limits, state.settings.hls, poster=block.get("poster") is None)
    if block.get("type") == "video" and block.get("poster") == upload.path and isinstance(block.get("src"), str):
        source = BlobSource(snapshot.files, state.blobs, state.scratch / "blobs")  # where a build puts it too
        try:
            video = source.stored(block["src"]) if remote else source.local_path(block["src"])
        except SourceError as error:
            raise MediaError.of(block["src"], str(error)) from None
        return jobs.renditions_job(video, block["src"], limits, state.settings.hls, poster=False)
    if block.get("type") == "narration" and block.get("src") == upload.path:
        return jobs.narration_job(file, upload.path, limits)
    if block.get("type") == "image" and block.get("src") == upload.path:
        return jobs.image_job(file, upload.path, limits)
    return None


def start_job(state: Editor, session: Session, upload: MediaUpload, snapshot: Snapshot) -> None:
    """Start the upload's media job in the background (or, with none to run, mark it done)."""
    try:
        job = media_job(state, upload, snapshot)
    except MediaError as error:
        _end(session, upload.id, error.problems)
        discard(state, upload)
        return
    if job is None:
        _end(session, upload.id, [])
        discard(state, upload)
        return
    thread = threading.Thread(
        target=run_job, args=(state, upload.id, job), name=f"media-upload-{upload.id}", daemon=True
    )
    thread.start()


def run_job(state: Editor, upload_id: int, job: jobs.Job) -> None:
    """Run the job on the configured runner and record how it ended; the received file is
    removed afterwards (the course keeps its blob)."""
    session = state.database.session()
    try:
        _result, problems = job_runs.run_job(
            state.settings, job, job_runs.RowProgress(session, MediaUpload, upload_id), "media job"
        )
        _end(session, upload_id, problems)
    finally:
        upload = session.get(MediaUpload, upload_id)
        if upload is not None:
            discard(state, upload)
        session.close()


def _end(session: Session, upload_id: int, problems: list[Problem]) -> None:
    session.rollback()
    upload = session.get(MediaUpload, upload_id)
    if upload is None:  # the course was deleted meanwhile
        return
    upload.finished_at = upload.updated_at = utcnow()
    if problems:
        upload.status, upload.problems = FAILED, json.dumps([problem_json(p) for p in problems])
    else:
        upload.status, upload.progress = DONE, 1.0
    session.commit()


def stale(upload: MediaUpload, settings: Settings) -> bool:
    """Whether a job shown queued or running died with the editor process that ran it: no word
    from it for longer than a job may take. A job queued for Celery workers may wait longer."""
    if upload.status != RUNNING and not (upload.status == QUEUED and settings.broker_url is None):
        return False
    return (utcnow() - upload.updated_at).total_seconds() > settings.job_timeout + STALE_SECONDS
