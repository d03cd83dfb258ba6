"""Run media jobs in this process, several at a time.

Threads, not processes: a media job spends its time waiting on an ffmpeg (or espeak-ng)
subprocess, which runs on its own cores whatever the GIL does, so a thread per running job is
all the parallelism there is to get. Threads also let the job function be any callable, report
progress through a plain queue and raise its own exception types unchanged, with no pickling
and no process start-up per job.

How many at once: x264 alone keeps both cores of a 2-core machine about 90 % busy, but every
job also has stretches that use one core or less (probing, the decode check, poster frames,
the single-threaded audio filters, espeak-ng, muxing), and a second job fills those gaps. On the
2-core machine, a course of four 20-30 s videos built with two jobs at a time came within 2-9 %
of the bare ffmpeg commands, against 17-20 % with one at a time, and three at a time was no
faster than two (bench/README.md); so the default is one job per core (``COURSEFORGE_JOBS=0``).
"""

from __future__ import annotations

import os
import queue
from concurrent.futures import ThreadPoolExecutor

from media.runners import (
    DEFAULT_JOB_FUNCTION,
    Progress,
    collect_outcomes,
    job_label,
    load_job_function,
    with_storage,
)
from media.tools import stop_running_tools


class LocalRunner:
    """A thread pool of ``workers`` jobs at a time (0 = one per core); jobs whose input is a
    course's blob fetch it from ``storage_url`` (the settings' COURSEFORGE_STORAGE_URL)."""

    in_process = True

    def __init__(self, workers: int = 0, function: str = DEFAULT_JOB_FUNCTION, storage_url: str | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.function = function
        self.storage_url = storage_url

    def run(self, jobs: list[dict], progress: Progress | None = None) -> list[dict]:
        if not jobs:
            return []
        function = with_storage(load_job_function(self.function), self.storage_url)
        # Job threads only put (index, fraction, outcome) events here; this thread drains them, so
        # the caller's progress callback never runs concurrently with itself.
        events: queue.SimpleQueue[tuple[int, float, object]] = queue.SimpleQueue()
        pending = object()

        def work(index: int, job: dict) -> None:
            last = [-1.0]

            def job_progress(fraction: float) -> None:
                fraction = min(max(float(fraction), 0.0), 1.0)
                if fraction > last[0]:
                    last[0] = fraction
                    events.put((index, fraction, pending))

            try:
                outcome: object = function(job, progress=job_progress)
            except BaseException as exc:  # noqa: BLE001 - reported per job; the batch goes on
                outcome = exc
            events.put((index, 1.0, outcome))

        fractions = [0.0] * len(jobs)
        outcomes: list[object] = [pending] * len(jobs)
        pool = ThreadPoolExecutor(max_workers=min(self.workers, len(jobs)), thread_name_prefix="media-job")
        try:
            for index, job in enumerate(jobs):
                pool.submit(work, index, job)
            finished = 0
            while finished < len(jobs):
                index, fraction, outcome = events.get()
                fractions[index] = fraction
                if outcome is not pending:
                    outcomes[index] = outcome
                    finished += 1
                if progress is not None:
                    progress(job_label(jobs[index], index), sum(fractions) / len(jobs))
        except BaseException:
            # Ctrl-C (or a failing progress callback): drop the queued jobs and stop the running
            # ones' tools, which run in sessions of their own and so never saw the terminal's SIGINT.
            pool.shutdown(wait=False, cancel_futures=True)
            stop_running_tools()
            raise
        finally:
            pool.shutdown(wait=True)
        return collect_outcomes(jobs, outcomes)
