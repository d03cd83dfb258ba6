"""Where media jobs run: in this process (a pool sized to the cores) or on Celery workers.

The pipeline turns a course into a list of media jobs (plain JSON-serialisable dicts) and hands
them to ``get_runner().run(jobs, progress)``. A runner only moves jobs and results around: the
job function itself (``media.jobs.run_job`` unless told otherwise) does the work and writes its
outputs into the content-addressed cache, so a job can run anywhere and a retried job never
duplicates or corrupts output.

Runners promise the same things whichever one is used:
- results come back in the order of the jobs, one result dict per job;
- one job failing does not stop the others: every job finishes, then ``JobsFailed`` lists each
  failure with the file it was working on and the job's own message;
- ``progress(label, fraction)`` receives the overall fraction of the whole batch (0 to 1), with
  the label of the job that last moved, and is only ever called from the caller's thread;
- when jobs cannot run at all (broker down, no worker, job function missing) the runner raises
  ``RunnerUnavailable``, a ``MediaError`` naming the setting to fix.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from media.errors import MediaError

if TYPE_CHECKING:
    from settings import Settings

Progress = Callable[[str, float], None]
"""Overall progress of a batch: (what is being worked on, fraction done from 0 to 1)."""

JobFunction = Callable[..., dict]
"""``function(job: dict, progress: Callable[[float], None] | None = None) -> dict``; the job's
own progress is a fraction from 0 to 1."""

DEFAULT_JOB_FUNCTION = "media.jobs.run_job"


class Runner(Protocol):
    in_process: bool
    """Whether jobs run in this process, where the course's own files are at hand: a job sent
    to another process names a stored course's file by content, which it fetches itself."""

    def run(self, jobs: list[dict], progress: Progress | None = None) -> list[dict]:
        """Run every job; return their results in job order or raise ``JobsFailed``."""
        ...


class MediaRunnerError(RuntimeError):
    """A media batch did not fully succeed; ``str()`` is the message to show."""


class RunnerUnavailable(MediaError):
    """Media jobs cannot run at all (no broker, no worker, no job function).

    A ``MediaError`` like any other problem ``prepare_course`` reports, so whoever shows media
    problems shows this one too; its "file" is the setting or name to fix.
    """


@dataclass(frozen=True)
class JobFailure:
    index: int  # position of the job in the batch
    label: str  # the file the job was working on
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class JobsFailed(MediaRunnerError):
    """Some jobs failed; the others finished and their results are in ``results`` (None where failed)."""

    def __init__(self, failures: list[JobFailure], results: list[dict | None]):
        self.failures = failures
        self.results = results
        noun = "media job" if len(results) == 1 else "media jobs"
        lines = "\n".join(f"  {failure}" for failure in failures)
        super().__init__(f"{len(failures)} of {len(results)} {noun} failed:\n{lines}")


def collect_outcomes(jobs: list[dict], outcomes: list[object]) -> list[dict]:
    """Results in job order, or ``JobsFailed`` naming every failed job's file (an outcome that is
    an exception) with the finished jobs' results kept, whichever runner ran the batch."""
    failures = [
        JobFailure(index, job_label(job, index), str(outcome) or type(outcome).__name__)
        for index, (job, outcome) in enumerate(zip(jobs, outcomes))
        if isinstance(outcome, BaseException)
    ]
    results: list[dict | None] = [
        None if isinstance(outcome, BaseException) else outcome  # type: ignore[misc]
        for outcome in outcomes
    ]
    if failures:
        raise JobsFailed(failures, results)
    return results  # type: ignore[return-value]


def job_label(job: dict[str, Any], index: int) -> str:
    """The name a person recognises a job by: its label or source file, else its position."""
    for key in ("label", "input"):
        if job.get(key):
            return str(job[key])
    return f"job {index + 1}"


def load_job_function(dotted: str) -> JobFunction:
    """Import ``package.module.function`` (or ``package.module:function``) by name.

    Jobs name their function instead of carrying it so that the same batch can be sent to a
    Celery worker in another process or on another machine.
    """
    module_name, sep, attr = dotted.partition(":") if ":" in dotted else dotted.rpartition(".")
    if not sep or not module_name or not attr:
        raise RunnerUnavailable.of(dotted, "is not the dotted name of a media job function ('package.module.function')")
    try:
        function = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise RunnerUnavailable.of(dotted, f"the media job function cannot be loaded: {exc}") from exc
    if not callable(function):
        raise RunnerUnavailable.of(dotted, "is not callable, so it cannot be a media job function")
    return function


def with_storage(function: JobFunction, storage_url: str | None) -> JobFunction:
    """``function`` given ``storage_url=`` when it takes one (``media.jobs.run_job`` does): a job
    whose input is a course's blob fetches it from the storage of the process running the job (a
    worker's own COURSEFORGE_STORAGE_URL), never from a path of the machine that queued it."""
    try:
        takes_it = storage_url is not None and "storage_url" in inspect.signature(function).parameters
    except (TypeError, ValueError):  # a callable without a signature to read takes no keywords of ours
        takes_it = False
    return functools.partial(function, storage_url=storage_url) if takes_it else function


def get_runner(settings: Settings | None = None, function: str = DEFAULT_JOB_FUNCTION) -> Runner:
    """Celery workers when ``settings.broker_url`` is set, else a pool in this process."""
    if settings is None:
        from settings import get_settings

        settings = get_settings()
    if settings.broker_url:
        from media.runners.celery_runner import CeleryRunner

        return CeleryRunner(settings, function)
    from media.runners.local import LocalRunner

    return LocalRunner(settings.jobs, function, settings.storage_url)
