"""The in-process media runner, driven with small real ffmpeg jobs."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from media.errors import MediaError
from media.runners import JobsFailed, get_runner, load_job_function
from media.runners.local import LocalRunner
from media.tools import FFMPEG_GLOBALS, ToolFailed, last_line
from media.tools import run as run_tool
from settings import Settings

pytestmark = pytest.mark.xdist_group("media-runners")

JOB = f"{__name__}.encode_clip"


def encode_clip(job: dict, progress=None) -> dict:
    """A real media job: encode `seconds` of a test pattern (paced at real time by -re) to job['out'].

    Real-time pacing keeps the CPU nearly idle, so jobs overlap in time however busy the machine is.
    """
    started = time.time()
    out = Path(job["out"])
    partial = out.with_name(f".{out.name}.partial")
    source = job.get("input") or f"testsrc=size=160x120:rate=10:duration={job['seconds']}"
    argv = ["ffmpeg", *FFMPEG_GLOBALS]
    argv += ["-i", source] if job.get("input") else ["-re", "-f", "lavfi", "-i", source]
    argv += ["-c:v", "libx264", "-preset", "ultrafast", "-f", "mp4", str(partial)]
    try:
        run_tool(argv, name=out.name, timeout=60, duration=job["seconds"], progress=progress)
    except ToolFailed as exc:
        raise RuntimeError(f"ffmpeg failed: {last_line(exc.stderr)}") from None
    os.replace(partial, out)
    return {"output": str(out), "started": started, "ended": time.time(), "thread": threading.get_ident()}


def overlaps(a: dict, b: dict) -> bool:
    return a["started"] < b["ended"] and b["started"] < a["ended"]


def test_jobs_run_in_parallel_and_results_keep_job_order(tmp_path):
    jobs = [{"label": f"clip-{n}.mp4", "out": str(tmp_path / f"clip-{n}.mp4"), "seconds": 2} for n in range(3)]
    results = LocalRunner(workers=2, function=JOB).run(jobs)

    assert [r["output"] for r in results] == [j["out"] for j in jobs]
    assert all(Path(r["output"]).stat().st_size > 0 for r in results)
    # Two workers: the first two jobs ran at the same time, on different threads.
    assert overlaps(results[0], results[1])
    assert results[0]["thread"] != results[1]["thread"]
    # ...and the third waited for a free worker.
    assert results[2]["started"] >= min(results[0]["ended"], results[1]["ended"])


def test_one_worker_runs_jobs_one_after_another(tmp_path):
    jobs = [{"out": str(tmp_path / f"clip-{n}.mp4"), "seconds": 1} for n in range(2)]
    first, second = LocalRunner(workers=1, function=JOB).run(jobs)
    assert not overlaps(first, second)


def test_a_failing_job_is_reported_with_its_file_while_the_others_finish(tmp_path):
    missing = tmp_path / "media" / "missing.mp4"
    jobs = [
        {"label": "media/a.mp4", "out": str(tmp_path / "a.mp4"), "seconds": 1},
        {"label": "media/missing.mp4", "input": str(missing), "out": str(tmp_path / "b.mp4"), "seconds": 1},
        {"label": "media/c.mp4", "out": str(tmp_path / "c.mp4"), "seconds": 1},
    ]
    with pytest.raises(JobsFailed) as caught:
        LocalRunner(workers=2, function=JOB).run(jobs)

    failure, = caught.value.failures
    assert failure.index == 1 and failure.label == "media/missing.mp4"
    assert "No such file or directory" in failure.message
    assert "1 of 3 media jobs failed" in str(caught.value)
    assert "media/missing.mp4: ffmpeg failed" in str(caught.value)
    finished = caught.value.results
    assert finished[1] is None
    assert Path(finished[0]["output"]).exists() and Path(finished[2]["output"]).exists()
    assert not (tmp_path / "b.mp4").exists()


def test_progress_is_one_overall_fraction_reported_on_the_callers_thread(tmp_path):
    jobs = [{"label": f"clip-{n}.mp4", "out": str(tmp_path / f"clip-{n}.mp4"), "seconds": 2} for n in range(2)]
    calls: list[tuple[str, float, int]] = []
    LocalRunner(workers=2, function=JOB).run(jobs, lambda label, f: calls.append((label, f, threading.get_ident())))

    fractions = [f for _, f, _ in calls]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    # Both jobs were half-way at some point while neither had finished: the overall figure is
    # their mean, so it moved through the middle range in several steps.
    assert len([f for f in fractions if 0.2 < f < 0.8]) >= 3
    assert {label for label, _, _ in calls} == {"clip-0.mp4", "clip-1.mp4"}
    assert {thread for _, _, thread in calls} == {threading.get_ident()}


def test_an_interrupted_batch_stops_its_running_tools(tmp_path):
    jobs = [{"out": str(tmp_path / f"clip-{n}.mp4"), "seconds": 5} for n in range(3)]

    def interrupt(label: str, fraction: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        LocalRunner(workers=2, function=JOB).run(jobs, interrupt)
    # Left alone, each ffmpeg would have written its clip before run() returned.
    assert list(tmp_path.glob("clip-*.mp4")) == []


def test_no_jobs_no_work():
    assert LocalRunner(function="no.such.module.function").run([]) == []


def test_an_unknown_job_function_is_a_clear_error():
    with pytest.raises(MediaError) as caught:
        LocalRunner(function="media.nothing_here.run").run([{}])
    assert str(caught.value) == ("media.nothing_here.run: the media job function cannot be loaded: "
                                 "No module named 'media.nothing_here'")
    assert load_job_function(JOB) is encode_clip


def test_settings_choose_the_runner_and_its_size():
    local = get_runner(Settings(broker_url=None, jobs=0))
    assert isinstance(local, LocalRunner) and local.workers == os.cpu_count()
    assert get_runner(Settings(broker_url=None, jobs=3)).workers == 3
    from media.runners.celery_runner import CeleryRunner

    assert isinstance(get_runner(Settings(broker_url="redis://127.0.0.1:1/0")), CeleryRunner)


def test_the_progress_bar_shows_what_the_runner_reports_and_stays_silent_off_a_terminal(tmp_path):
    import io

    from rich.console import Console

    from cli.progress import ProgressBar

    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    jobs = [{"label": f"media/clip-{n}.mp4", "out": str(tmp_path / f"clip-{n}.mp4"), "seconds": 1} for n in range(2)]
    with ProgressBar(terminal) as bar:
        LocalRunner(workers=2, function=JOB).run(jobs, bar)
    drawn = terminal.file.getvalue()
    assert "media/clip-" in drawn and "100%" in drawn

    piped = Console(file=io.StringIO(), force_terminal=False)
    with ProgressBar(piped) as bar:
        bar("media/clip-0.mp4", 0.5)
    assert piped.file.getvalue() == ""
