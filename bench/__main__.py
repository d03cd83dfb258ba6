"""`make bench`: the media benchmarks, the suspend-data size figures, the editor benchmark
(``bench.editor``), the live preview's (``bench.preview``), the upload throughput
(``bench.upload``) and the player's budgets (``bench.budgets``), printed and saved; ``--only``
runs one group (the delivery benchmark, ``bench.delivery``, runs on its own).

For each course (the sample security-basics course and a synthetic one with several 20-30 s
720p videos):

(a) cold build: ``prepare_course`` with an empty cache, in a fresh process, once per job
    concurrency in ``--jobs`` (1 and one per core by default), against the same output-making
    ffmpeg/espeak-ng commands replayed bare, one after another: the overhead ratio (target <= 1.10).
(b) rebuild of the unchanged course with the warm cache: wall seconds (target <= 1 s) and tool
    runs by kind (target: 0 encodes; every ffmpeg/ffprobe start is counted).
(c) CPU use during the cold builds: the cores the build itself kept busy (its processes' CPU
    seconds over its wall seconds), and machine-wide per-core utilisation from /proc/stat with
    the share of half-second samples in which every core was >= 80 % busy (other processes on
    a shared machine count there too).

Figures go to stdout and bench/results/media-<UTC time>.json. The machine may be shared, so the
load average before and after each course is recorded with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean, median
from typing import Any

from bench.measure import CpuSampler, ToolLog, count, replay, timed
from bench.synthetic import make_course

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
SAMPLE = REPO / "courses" / "samples" / "security-basics"
OVERHEAD_TARGET = 1.10
REBUILD_TARGET_S = 1.0


def build(course: Path, cache: Path, tools: ToolLog, jobs: int) -> dict:
    """One ``prepare_course`` in a fresh process; its timings, tool runs and the machine's CPU use."""
    env = tools.env(cache, COURSEFORGE_CACHE_DIR=str(cache), COURSEFORGE_JOBS=str(jobs))
    env.pop("COURSEFORGE_BROKER_URL", None)
    with CpuSampler() as cpu:
        done, spent = timed(
            lambda: subprocess.run(
                [sys.executable, "-m", "bench.build_once", str(course)],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
            )
        )
    if done.returncode != 0:
        raise SystemExit(f"bench: building the media of {course} failed:\n{done.stderr}")
    runs = tools.take()
    return {
        **json.loads(done.stdout.splitlines()[-1]),
        "jobs": jobs,
        "process_wall_s": spent.wall,
        "cpu_s": spent.cpu,
        "tool_runs": count(runs),
        "cpu_busy": {name: round(u, 3) for name, u in cpu.average.items()},
        "all_cores_busy_share": round(cpu.all_busy_share(), 3),
        "_runs": runs,
    }


def bench_course(name: str, course: Path, work: Path, sweep: list[int], rounds: int) -> dict:
    """``rounds`` rounds of: the bare commands, then a cold build per concurrency; then rebuilds.

    Bare and built runs alternate so that a change in the machine's load hits both sides; each
    ratio pairs a build with the bare run of its own round, and the median over rounds is kept.
    """
    tools = ToolLog(work / f"tools-{name}")
    load_before = os.getloadavg()
    default = os.cpu_count() or 1
    rebuild_jobs = default if default in sweep else sweep[-1]
    bare_runs, cold_runs = [], []
    reference: list = []
    first_cache = work / "unused"
    for n in range(rounds):
        if reference:
            bare_runs.append(replay(reference, first_cache, work / f"bare-{name}-{n}"))
        cold = {}
        for jobs in sweep:
            cache = work / f"cache-{name}-{n}-{jobs}"
            cold[jobs] = build(course, cache, tools, jobs)
            if not reference:
                reference, first_cache = cold[jobs]["_runs"], cache
                if not any(r.kind == "encode" for r in reference):
                    raise SystemExit(
                        "bench: the cold build ran no ffmpeg encode through PATH: the tool log saw nothing"
                    )
                bare_runs.append(replay(reference, first_cache, work / f"bare-{name}-{n}"))
        cold_runs.append(cold)
    warm = work / f"cache-{name}-{rounds - 1}-{rebuild_jobs}"
    rebuilds = [build(course, warm, tools, rebuild_jobs) for _ in range(3)]
    load_after = os.getloadavg()
    for figures in [*(f for cold in cold_runs for f in cold.values()), *rebuilds]:
        figures.pop("_runs")

    def per_jobs(jobs: int) -> dict:
        runs = [cold[jobs] for cold in cold_runs]
        return {
            "prepare_s": median(r["prepare_s"] for r in runs),
            "process_wall_s": median(r["process_wall_s"] for r in runs),
            "cpu_s": median(r["cpu_s"] for r in runs),
            "overhead_ratio": median(r["prepare_s"] / b.wall for r, b in zip(runs, bare_runs)),
            "cpu_ratio": median(r["cpu_s"] / b.cpu for r, b in zip(runs, bare_runs)),
            "cores_used": median(r["cpu_s"] / r["process_wall_s"] for r in runs),
            "tool_runs": runs[-1]["tool_runs"],
            "cpu_busy": {cpu: round(mean(r["cpu_busy"][cpu] for r in runs), 3) for cpu in runs[0]["cpu_busy"]},
            "all_cores_busy_share": round(mean(r["all_cores_busy_share"] for r in runs), 3),
            "rounds": runs,
        }

    return {
        "course": name,
        "rounds": rounds,
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in load_after],
        "bare": {
            "wall_s": median(b.wall for b in bare_runs),
            "cpu_s": median(b.cpu for b in bare_runs),
            "commands": sum(1 for r in reference if r.kind in ("encode", "analyse", "speak")),
            "rounds": [{"wall_s": b.wall, "cpu_s": b.cpu} for b in bare_runs],
        },
        "cold": {str(jobs): per_jobs(jobs) for jobs in sweep},
        "rebuild": {
            "prepare_s": median(r["prepare_s"] for r in rebuilds),
            "prepare_max_s": max(r["prepare_s"] for r in rebuilds),
            "process_wall_s": median(r["process_wall_s"] for r in rebuilds),
            "tool_runs": rebuilds[-1]["tool_runs"],
            "jobs": rebuild_jobs,
        },
    }


def report(result: dict) -> str:
    lines = [
        f"== {result['course']}: medians of {result['rounds']} rounds (load average before "
        f"{result['load_avg_before']}, after {result['load_avg_after']})"
    ]
    bare = result["bare"]
    lines.append(
        f"bare commands, one after another: {bare['commands']} commands, "
        f"{bare['wall_s']:.1f} s wall, {bare['cpu_s']:.1f} CPU-s"
    )
    for jobs, cold in result["cold"].items():
        ratio = cold["overhead_ratio"]
        verdict = "ok" if ratio <= OVERHEAD_TARGET else f"over the {OVERHEAD_TARGET} target"
        busy = ", ".join(f"{cpu} {u:.0%}" for cpu, u in cold["cpu_busy"].items())
        lines.append(
            f"cold build, {jobs} job(s) at a time: prepare_course {cold['prepare_s']:.1f} s "
            f"(process {cold['process_wall_s']:.1f} s, {cold['cpu_s']:.1f} CPU-s); "
            f"overhead ratio {ratio:.2f} ({verdict}), CPU ratio {cold['cpu_ratio']:.2f}; "
            f"tool runs {cold['tool_runs']}; the build kept {cold['cores_used']:.2f} cores busy on average; "
            f"machine-wide: cores busy {busy}, all cores >=80 % busy {cold['all_cores_busy_share']:.0%} of the time"
        )
    rebuild = result["rebuild"]
    encodes = rebuild["tool_runs"].get("encode", 0)
    lines.append(
        f"rebuild, unchanged (median of 3, max {rebuild['prepare_max_s']:.3f} s): "
        f"prepare_course {rebuild['prepare_s']:.3f} s "
        f"({'ok' if rebuild['prepare_s'] <= REBUILD_TARGET_S else 'over the 1 s target'}), "
        f"process {rebuild['process_wall_s']:.2f} s; {encodes} encodes "
        f"({'ok' if encodes == 0 else 'target 0'}); all tool runs {rebuild['tool_runs'] or 'none'}"
    )
    return "\n".join(lines)


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n", 1)[0]
    return {"cpus": os.cpu_count(), "cpu_model": model, "ffmpeg": ffmpeg, "python": sys.version.split()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--jobs",
        default=f"1,{os.cpu_count() or 1}",
        help="job concurrencies for the cold builds, comma-separated (default: 1 and one per core)",
    )
    parser.add_argument(
        "--videos",
        default="20,24,27,30",
        help="durations in seconds of the synthetic course's videos (default: 20,24,27,30)",
    )
    parser.add_argument(
        "--courses",
        default="security-basics,bench-videos",
        help="which courses to build (default: security-basics,bench-videos)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="cold-build rounds per course (default: 3)")
    parser.add_argument(
        "--only",
        choices=["media", "suspend", "editor", "preview", "upload", "budgets"],
        help="run one group of benchmarks",
    )
    args = parser.parse_args()
    sweep = sorted({int(j) for j in args.jobs.split(",")})

    if args.only in (None, "media"):
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC)
        figures: dict[str, Any] = {"date": stamp.isoformat(timespec="seconds"), "machine": machine(), "courses": []}
        print(f"media benchmarks, {figures['date']}, {figures['machine']}", flush=True)
        with tempfile.TemporaryDirectory(prefix="courseforge-bench-") as tmp:
            work = Path(tmp)
            wanted = args.courses.split(",")
            courses = [("security-basics", SAMPLE)] if "security-basics" in wanted else []
            if "bench-videos" in wanted:
                durations = [int(s) for s in args.videos.split(",")]
                courses.append(("bench-videos", make_course(work / "bench-videos", durations)))
            for name, course in courses:
                started = time.perf_counter()
                result = bench_course(name, course, work, sweep, args.rounds)
                figures["courses"].append(result)
                print(report(result), f"\n({time.perf_counter() - started:.0f} s)", flush=True)
            shutil.rmtree(work, ignore_errors=True)
        out = RESULTS / f"media-{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
        out.write_text(json.dumps(figures, indent=1))
        print(f"figures saved to {out.relative_to(REPO)}")

    if args.only in (None, "suspend"):
        from bench import suspend_data

        suspend_data.main()

    if args.only in (None, "editor"):
        from bench import editor

        editor.main([])

    if args.only in (None, "preview"):
        from bench import preview

        preview.main([])

    if args.only in (None, "upload"):
        from bench import upload

        upload.main([])

    if args.only in (None, "budgets"):
        from bench import budgets

        budgets.main([])


if __name__ == "__main__":
    main()
