"""The Celery application that runs media jobs on worker machines, through Redis or RabbitMQ.

Start one worker per media machine; x264 already keeps two cores busy, so one job at a time
per 2 cores is right:

    COURSEFORGE_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/celery -A media.runners.celery_app worker --loglevel=info --concurrency=1

(or ``COURSEFORGE_BROKER_URL=amqp://USER:PASSWORD@HOST:5672/VHOST`` for RabbitMQ). The builder
(``courseforge build`` with the same ``COURSEFORGE_BROKER_URL``) sends jobs and polls their
state. A worker fetches the input of a course the editor keeps (its files are blobs) from its own
``COURSEFORGE_STORAGE_URL``, the editor's bucket or shared folder, into its own cache; the input of
a course folder it reads at the builder's path. The builder reads the outputs where the worker
made them: the cache is shared (one machine, or a shared folder at the same path).

Where results live:
- Redis: in the same Redis database as the queue (Celery's redis backend), with the delivery
  counts below; kept a day.
- RabbitMQ: nothing but RabbitMQ. Results and progress states are messages sent back to the
  builder's own reply queue (Celery's ``rpc://`` backend), which is all a build needs: only the
  process that sent the jobs ever asks for their results, and it asks while it waits. Results
  are not kept anywhere for anyone else, and a builder that stops waiting loses them (the
  outputs themselves are in the cache, so a new build finds them there).

Delivery, when a worker dies (both brokers):
- Tasks are acknowledged only after they finish (``acks_late``); a pool process that is killed
  mid-job makes the worker reject the message back onto the queue (``reject_on_worker_lost``).
- A job that kills its worker on every delivery would loop forever, so a task counts its
  deliveries and gives up after ``MAX_DELIVERIES``.
- Outputs are content-addressed and renamed into the cache atomically, so a job that runs twice
  writes the same file once and never leaves half a file behind.

Redis has no acknowledgements of its own: kombu parks each delivered message under an "unacked"
key and puts it back on the queue once it has been unacknowledged for the visibility timeout.
That is what redelivers the job of a worker that vanished (SIGKILL, power loss). It happens
whether the worker is alive or not, so the timeout must be longer than a healthy job can run
(the hard time limit), or a slow job would be handed to a second worker while the first still
runs: it is derived from ``COURSEFORGE_JOB_TIMEOUT``, and workers sweep for such messages often
enough that redelivery follows soon after it. A Redis message carries no delivery count, so a
task counts its starts by task id in the result backend's Redis.

RabbitMQ acknowledges per channel: the unacknowledged message of a worker whose connection
closes (SIGKILL: the kernel closes its socket) goes back to the queue at once, with no timeout
to wait out; a worker machine that vanishes without closing it (power cut, cable) is noticed
when its heartbeats stop (``broker_heartbeat`` 60 s: about a minute). The opposite limit is the
server's ``consumer_timeout`` (rabbitmq.conf, 30 minutes by default): a message held unacknowledged
longer than that makes RabbitMQ close the worker's channel and requeue it, although the worker is
healthy. So ``consumer_timeout`` must be longer than the hard limit (``COURSEFORGE_JOB_TIMEOUT``
plus grace: 990 s by default, well inside 30 minutes); raise it on the server before raising
``COURSEFORGE_JOB_TIMEOUT`` past about 1,600 s. Should a channel close under a running job all the
same, the worker stops that job (``worker_cancel_long_running_tasks_on_connection_loss``) rather
than letting a second worker run it alongside. The queue is a quorum queue: durable, replicated in
a cluster, and it counts the returns of each message in the ``x-delivery-count`` header, which is
the task's delivery count with no other store. Publishes wait for the broker's confirmation, so a
job ``send_task`` returned for is on the queue. Quorum queues take countdowns (a retry's pause)
through Celery's native delayed delivery: delay queues and a topic exchange for the media queue,
which the worker declares on start.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded

from media.runners import DEFAULT_JOB_FUNCTION, MediaRunnerError, load_job_function, with_storage
from media.runners.brokers import Broker, broker_for
from settings import Settings, get_settings

TASK_NAME = "courseforge.media.run_job"
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


class TimeLimits(NamedTuple):
    """Seconds: the soft limit raises inside the job so ffmpeg is stopped and the failure is
    reported; the hard limit kills a job that ignores it; Redis's visibility timeout outlasts
    both (see above)."""

    soft: float
    hard: float
    visibility: float


def time_limits(settings: Settings) -> TimeLimits:
    """The limits of one job, from the job timeout."""
    soft = settings.job_timeout
    grace = max(5.0, soft * 0.1)
    hard = soft + grace
    return TimeLimits(soft, hard, hard + grace)


def make_app(settings: Settings) -> Celery:
    """A Celery app for ``settings.broker_url`` (Redis or RabbitMQ) with the media task registered."""
    broker = broker_for(settings.broker_url)
    limits = time_limits(settings)
    app = Celery("courseforge-media", broker=broker.url, backend=broker.backend_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        **broker.celery_config(limits),
    )
    _register_task(app, broker, limits, settings.storage_url)
    return app


def _register_task(app: Celery, broker: Broker, limits: TimeLimits, storage_url: str) -> None:
    soft = limits.soft

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
        time_limit=limits.hard,
    )
    def run_media_job(self: Task, job: dict, function: str = DEFAULT_JOB_FUNCTION) -> dict:
        """Run one job, publishing its progress as the task state ``PROGRESS`` {fraction}."""
        deliveries = broker.count_delivery(self)
        if deliveries > MAX_DELIVERIES:
            raise MediaRunnerError(f"gave up after {MAX_DELIVERIES} deliveries: the job stopped its worker each time")
        reporter = _ProgressReporter(self)
        reporter(0.0)
        try:
            return with_storage(load_job_function(function), storage_url)(job, progress=reporter)
        except TRANSIENT_ERRORS:
            raise  # retried with backoff (autoretry_for)
        except SoftTimeLimitExceeded:
            raise JobError(f"took longer than {soft:g} s and was stopped (COURSEFORGE_JOB_TIMEOUT)") from None
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the builder as its message
            # The result backend rebuilds an exception as ``type(*args)`` on the builder's side,
            # which garbles types with other constructors (MediaError takes a list of problems):
            # hand back the message, which is what the builder reports.
            raise JobError(str(exc) or type(exc).__name__) from None


class _ProgressReporter:
    """Job progress -> task state, at most every half second or 1 % (each is a write to the broker).

    The task's request is kept from the start: the job reports from the thread that reads the
    encoder's progress, where Celery's request (thread-local) is empty, so the state would go
    nowhere (no task id; with RabbitMQ's rpc backend, no queue to reply to)."""

    def __init__(self, task: Task):
        self.task = task
        self.request = task.request
        self.sent = -1.0
        self.at = 0.0

    def __call__(self, fraction: float) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        now = time.monotonic()
        if fraction > self.sent and (fraction - self.sent >= 0.01 or now - self.at >= 0.5):
            meta = {"fraction": fraction}
            self.task.backend.store_result(self.request.id, meta, PROGRESS_STATE, request=self.request)
            self.sent, self.at = fraction, now


def __getattr__(name: str) -> Celery:
    """``app``, built from the environment on first use: what ``celery -A`` loads in a worker.

    Built lazily so that a builder can import ``make_app`` with settings of its own.
    """
    if name == "app":
        globals()["app"] = make_app(get_settings())
        return globals()["app"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
