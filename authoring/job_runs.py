"""A media job the editor runs for an author (an upload's transcoding, a script's voice-over) on
the configured runner, its progress written to the job's database row, so that any editor process
answers the page that polls it, and its end, good or bad, always recorded: a page never waits
for a job that is gone."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.orm import Session

from authoring.media_uploads import RUNNING
from authoring.models import utcnow
from courses.errors import Problem
from media import jobs
from media.errors import MediaError, media_problem
from media.runners import JobsFailed, get_runner
from settings import Settings

WRITE_EVERY_SECONDS = 0.25  # progress reaches the database this often at most
log = logging.getLogger(__name__)


class RowProgress:
    """The runner's progress callback, written to row ``row_id`` of ``model`` (its ``status``,
    ``progress`` and ``updated_at``), not more often than ``WRITE_EVERY_SECONDS``."""

    def __init__(self, session: Session, model: type[Any], row_id: int) -> None:
        self.session = session
        self.model = model
        self.row_id = row_id
        self.written = 0.0

    def __call__(self, _label: str, fraction: float) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - self.written < WRITE_EVERY_SECONDS:
            return
        self.written = now
        row = self.session.get(self.model, self.row_id)
        if row is not None:
            row.status, row.progress = RUNNING, max(row.progress, min(1.0, max(0.0, fraction)))
            row.updated_at = utcnow()
            self.session.commit()


def run_job(
    settings: Settings, job: jobs.Job, progress: RowProgress, what: str
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The job's result, or the problems it ended with in the pipeline's words (``what`` names
    the job in a message about a fault of the runner itself). Never raises."""
    try:
        [result] = get_runner(settings).run([job.to_dict()], progress)
        return result, []
    except JobsFailed as failed:
        return None, [
            media_problem(job.label, line.removeprefix(f"{job.label}: "))
            for failure in failed.failures
            for line in failure.message.splitlines()
        ]
    except MediaError as error:  # no runner at all: no broker, no worker
        return None, list(error.problems)
    except Exception as error:  # a fault in the runner itself: ended, so the page stops waiting
        log.exception("%s of row %s failed", what, progress.row_id)
        return None, [media_problem(job.label, f"the {what} stopped unexpectedly: {error}")]
