"""The Celery application that runs media jobs on worker machines (Redis broker and results).

Start one worker per media machine; x264 already keeps two cores busy, so one job at a time
per 2 cores is right:

    COURSEFORGE_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/celery -A media.runners.celery_app worker --loglevel=info --concurrency=1

The builder (``courseforge build`` with the same ``COURSEFORGE_BROKER_URL``) sends jobs and
polls their state; workers need the course files and the cache at the same paths (one
machine, or shared storage).

Delivery, when a worker dies:
- Tasks are acknowledged only after they finish (``acks_late``); a pool process that is killed
  mid-job makes the worker reject the message back onto the queue (``reject_on_worker_lost``).
- Redis has no acknowledgements of its own: kombu parks each delivered message under an
  "unacked" key and puts it back on the queue once it has been unacknowledged for the
  visibility timeout. That is what redelivers the job of a worker that vanished (SIGKILL,
  power loss). The timeout must be longer than a healthy job can run (the hard time limit),
  or a slow job would be handed to a second worker while the first still runs, so it is
  derived from ``COURSEFORGE_JOB_TIMEOUT``; workers sweep for such messages often enough that
  redelivery follows soon after the timeout.
- A job that kills its worker on every delivery would loop forever, so a task counts its
  deliveries and gives up after ``MAX_DELIVERIES``.
- Outputs are content-addressed and renamed into the cache atomically, so a job that runs twice
  writes the same file once and never leaves half a file behind.
"""

from __future__ import annotations

import time

from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded

from media.runners import DEFAULT_JOB_FUNCTION, MediaRunnerError, RunnerUnavailable, load_job_function
from settings import Settings, get_settings

TASK_NAME = "courseforge.media.run_job"
QUEUE = "courseforge.media"
PROGRESS_STATE = "PROGRESS"
MAX_DELIVERIES = 3


class TransientJobError(MediaRunnerError):
    """Raised by a job function for a failure worth retrying later (the machine, not the input)."""


class JobError(MediaRunnerError):
    """A job failed on a worker; ``str()`` is the job's own message (naming the file)."""


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientJobError,
    ConnectionError,
    TimeoutError,
    BlockingIOError,  # fork() of ffmpeg refused for lack of memory or processes
)


def time_limits(settings: Settings) -> tuple[float, float, float]:
    """(soft limit, hard limit, visibility timeout) in seconds, from the job timeout.

    The soft limit raises inside the job so ffmpeg is stopped and the failure is reported; the
    hard limit kills a job that ignores it; the visibility timeout outlasts both (see above).
    """
    soft = settings.job_timeout
    grace = max(5.0, soft * 0.1)
    hard = soft + grace
    return soft, hard, hard + grace


def make_app(settings: Settings) -> Celery:
    """A Celery app for ``settings.broker_url`` with the media task registered."""
    if not settings.broker_url:
        raise RunnerUnavailable.of(
            "COURSEFORGE_BROKER_URL",
            "is not set: media workers need the Redis URL the builder uses, e.g. redis://127.0.0.1:6379/0",
        )
    soft, hard, visibility = time_limits(settings)
    app = Celery("courseforge-media", broker=settings.broker_url, backend=settings.broker_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility,
            "unacked_restore_interval": max(1.0, min(10.0, visibility / 4)),
            "unacked_restore_throttle": 1,
        },
        result_expires=24 * 3600,
    )
    _register_task(app, soft, hard)
    return app


def _register_task(app: Celery, soft: float, hard: float) -> None:
    @app.task(
        name=TASK_NAME,
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        autoretry_for=TRANSIENT_ERRORS,
        max_retries=3,
        retry_backoff=2,
        retry_backoff_max=60,
        retry_jitter=True,
        soft_time_limit=soft,
        time_limit=hard,
    )
    def run_media_job(self: Task, job: dict, function: str = DEFAULT_JOB_FUNCTION) -> dict:
        """Run one job, publishing its progress as the task state ``PROGRESS`` {fraction}."""
        deliveries = _count_delivery(self)
        if deliveries > MAX_DELIVERIES:
            raise MediaRunnerError(f"gave up after {MAX_DELIVERIES} deliveries: the job stopped its worker each time")
        reporter = _ProgressReporter(self)
        reporter(0.0)
        try:
            return load_job_function(function)(job, progress=reporter)
        except TRANSIENT_ERRORS:
            raise  # retried with backoff (autoretry_for)
        except SoftTimeLimitExceeded:
            raise JobError(f"took longer than {soft:g} s and was stopped (COURSEFORGE_JOB_TIMEOUT)") from None
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the builder as its message
            # The result backend rebuilds an exception as ``type(*args)`` on the builder's side,
            # which garbles types with other constructors (MediaError takes a list of problems):
            # hand back the message, which is what the builder reports.
            raise JobError(str(exc) or type(exc).__name__) from None


def _count_delivery(task: Task) -> int:
    """How many times this task id has started, kept in the result backend's Redis for a day."""
    client = task.backend.client
    key = f"courseforge:media:deliveries:{task.request.id}"
    count = client.incr(key)
    client.expire(key, 24 * 3600)
    # A Celery retry is a new message with the same id: count it as a fresh start.
    return count - (task.request.retries or 0)


class _ProgressReporter:
    """Job progress -> task state, at most every half second or 1 % (each is a Redis write)."""

    def __init__(self, task: Task):
        self.task = task
        self.sent = -1.0
        self.at = 0.0

    def __call__(self, fraction: float) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        now = time.monotonic()
        if fraction > self.sent and (fraction - self.sent >= 0.01 or now - self.at >= 0.5):
            self.task.update_state(state=PROGRESS_STATE, meta={"fraction": fraction})
            self.sent, self.at = fraction, now


def __getattr__(name: str) -> Celery:
    """``app``, built from the environment on first use: what ``celery -A`` loads in a worker.

    Built lazily so that a builder can import ``make_app`` with settings of its own.
    """
    if name == "app":
        globals()["app"] = make_app(get_settings())
        return globals()["app"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
