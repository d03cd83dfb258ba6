"""Send media jobs to Celery workers and wait for them, showing their progress.

The builder only publishes jobs and polls their state in the result backend: tasks are sent by
name, so this side needs neither the job code nor a worker. Progress comes from the state a
running task publishes (``PROGRESS`` with ``{"fraction": f}``, see ``celery_app``).
"""

from __future__ import annotations

import time

from celery.result import AsyncResult
from kombu.utils.url import maybe_sanitize_url

from media.runners import (
    DEFAULT_JOB_FUNCTION,
    Progress,
    RunnerUnavailable,
    collect_outcomes,
    job_label,
)
from media.runners.brokers import BROKER_SETTING, QUEUE, broker_for
from media.runners.celery_app import PROGRESS_STATE, TASK_NAME, make_app
from settings import Settings

WORKER_COMMAND = "celery -A media.runners.celery_app worker --loglevel=info --concurrency=1"


class BrokerUnreachable(RunnerUnavailable):
    """The Redis or RabbitMQ named by COURSEFORGE_BROKER_URL does not answer."""


class BrokerRefused(RunnerUnavailable):
    """The broker answers but refuses the login, the RabbitMQ vhost or the Redis database of the URL."""


class NoWorkers(RunnerUnavailable):
    """The broker answers but no media worker listens, so jobs would wait forever."""


class CeleryRunner:
    """Publishes each job as a task on ``settings.broker_url`` and polls the results in job order."""

    in_process = False

    def __init__(self, settings: Settings, function: str = DEFAULT_JOB_FUNCTION, poll_interval: float = 0.25):
        self.broker = broker_for(settings.broker_url)
        self.app = make_app(settings)
        self.url = maybe_sanitize_url(settings.broker_url)
        self.function = function
        self.poll_interval = poll_interval

    def run(self, jobs: list[dict], progress: Progress | None = None) -> list[dict]:
        if not jobs:
            return []
        self._check_broker()
        self._check_workers()
        handles = [self.app.send_task(TASK_NAME, args=[job, self.function], queue=QUEUE) for job in jobs]
        try:
            outcomes = self._wait(jobs, handles, progress)
        except KeyboardInterrupt:
            # Nobody waits for these any more: drop the ones no worker has started yet.
            self.app.control.revoke([h.id for h in handles if not h.ready()])
            raise
        for handle in handles:
            handle.forget()
        return collect_outcomes(jobs, outcomes)

    def _wait(self, jobs: list[dict], handles: list[AsyncResult], progress: Progress | None) -> list[object]:
        pending = object()
        outcomes: list[object] = [pending] * len(jobs)
        fractions = [0.0] * len(jobs)
        while True:
            for index, handle in enumerate(handles):
                if outcomes[index] is not pending:
                    continue
                try:
                    state, info = handle.state, handle.info
                except self.broker.connection_errors as exc:
                    raise BrokerUnreachable.of(BROKER_SETTING, self._unreachable(exc)) from exc
                fraction = fractions[index]
                if state == PROGRESS_STATE and isinstance(info, dict):
                    fraction = float(info.get("fraction", fraction))
                elif state == "SUCCESS" or state == "FAILURE":
                    outcomes[index], fraction = info, 1.0
                if fraction != fractions[index]:
                    fractions[index] = fraction
                    if progress is not None:
                        progress(job_label(jobs[index], index), sum(fractions) / len(jobs))
            if all(outcome is not pending for outcome in outcomes):
                return outcomes
            time.sleep(self.poll_interval)

    def _check_broker(self) -> None:
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
        except Exception as exc:  # kombu raises OperationalError, redis-py and py-amqp their own errors
            refusal = self._refusal(exc)
            if refusal is not None:
                raise BrokerRefused.of(
                    BROKER_SETTING,
                    f"the media job broker at {self.url} refused the connection: check the user, password "
                    f"and {self.broker.namespace} in COURSEFORGE_BROKER_URL ({refusal})",
                ) from exc
            raise BrokerUnreachable.of(BROKER_SETTING, self._unreachable(exc)) from exc

    def _refusal(self, exc: BaseException) -> BaseException | None:
        """The broker's own "no" in ``exc`` or what it was raised from (kombu may wrap it)."""
        seen: BaseException | None = exc
        while seen is not None:
            if isinstance(seen, self.broker.refusals):
                return seen
            seen = seen.__cause__ or seen.__context__
        return None

    def _check_workers(self) -> None:
        if not self.app.control.ping(timeout=2.0, limit=1):
            raise NoWorkers.of(
                BROKER_SETTING,
                f"no media worker is listening on {self.url}: start one with "
                f"`COURSEFORGE_BROKER_URL={self.url} {WORKER_COMMAND}` or unset COURSEFORGE_BROKER_URL",
            )

    def _unreachable(self, exc: BaseException) -> str:
        return (
            f"cannot reach the media job broker at {self.url}: start {self.broker.server} or unset "
            f"COURSEFORGE_BROKER_URL ({exc})"
        )
