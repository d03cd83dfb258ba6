"""What the media benchmarks measure with: tool-logging shims, a CPU sampler, a replay of bare commands.

- ``ToolLog`` puts tiny shell shims for ffmpeg, ffprobe and espeak-ng first on PATH. Each records
  its argv and working folder, then ``exec``s the real tool (same process, same signals), so the
  log counts every tool run of a build whoever starts it, at the cost of one bash start-up (~2 ms).
- ``CpuSampler`` reads /proc/stat: per-core busy share over a build, and how often both cores were busy.
- ``replay`` runs the logged commands that make outputs, one after another and with nothing
  around them: what a person typing the same ffmpeg commands would pay.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

TOOLS = ("ffmpeg", "ffprobe", "espeak-ng")
T = TypeVar("T")

SHIM = """#!/bin/bash
printf '%s\\0' "$PWD" "$@" > "{log}/${{EPOCHREALTIME/./}}-$$-{name}"
prev=
for arg in "$@"; do  # keep inputs the build made between tool runs, for the replay
  if [ "$prev" = -i ] && [ -n "$BENCH_KEEP_UNDER" ] && [[ "$arg" == "$BENCH_KEEP_UNDER"/* ]]; then
    kept="$BENCH_KEEP_DIR/${{arg#"$BENCH_KEEP_UNDER"/}}"
    mkdir -p "${{kept%/*}}" && cp "$arg" "$kept"
  fi
  prev=$arg
done
exec {real} "$@"
"""


@dataclass(frozen=True)
class ToolRun:
    tool: str
    cwd: str
    argv: list[str]  # without the program name

    @property
    def kind(self) -> str:
        """version | probe | check | analyse | encode | speak: only analyse, encode and speak make outputs."""
        args = self.argv
        if "-version" in args or "--version" in args:
            return "version"
        if self.tool == "ffprobe":
            return "probe"
        if self.tool == "espeak-ng":
            return "speak"
        null_output = args[-1:] == ["-"] and "null" in args
        if null_output:
            return "analyse" if any("loudnorm" in a for a in args) else "check"
        return "encode"


def kept_folder(cache: Path) -> Path:
    """Where the shims copy files a build made itself (speech WAVs between espeak-ng and ffmpeg)."""
    return cache.with_name(f"{cache.name}-kept")


class ToolLog:
    def __init__(self, folder: Path):
        self.bin = folder / "bin"
        self.log = folder / "log"
        self.bin.mkdir(parents=True)
        self.log.mkdir()
        for name in TOOLS:
            real = shutil.which(name)
            if real is None:
                raise SystemExit(f"bench: {name} is not installed (scripts/bootstrap installs it)")
            shim = self.bin / name
            shim.write_text(SHIM.format(log=self.log, name=name, real=real))
            shim.chmod(0o755)

    def env(self, cache: Path, **extra: str) -> dict[str, str]:
        """The environment of a build into ``cache``: shims first on PATH, intermediates kept aside."""
        return {
            **os.environ,
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "BENCH_KEEP_UNDER": str(cache),
            "BENCH_KEEP_DIR": str(kept_folder(cache)),
            **extra,
        }

    def take(self) -> list[ToolRun]:
        """The runs logged since the last call, in start order; the log is emptied."""
        runs = []
        for entry in sorted(self.log.iterdir(), key=lambda p: int(p.name.split("-")[0])):
            cwd, *argv = entry.read_bytes().decode().split("\0")[:-1]
            runs.append(ToolRun(entry.name.split("-", 2)[2], cwd, argv))
            entry.unlink()
        return runs


def count(runs: list[ToolRun]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for run in runs:
        counts[run.kind] = counts.get(run.kind, 0) + 1
    return dict(sorted(counts.items()))


def _cpu_times() -> dict[str, tuple[int, int]]:
    """cpuN -> (busy jiffies, total jiffies)."""
    times = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name != "cpu":
            ticks = [int(v) for v in values[:8]]  # user nice system idle iowait irq softirq steal
            idle = ticks[3] + ticks[4]
            times[name] = (sum(ticks) - idle, sum(ticks))
    return times


class CpuSampler:
    """Per-core utilisation while it runs (machine-wide: other processes count too)."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.samples: list[dict[str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        previous = _cpu_times()
        while not self._stop.wait(self.interval):
            now = _cpu_times()
            self.samples.append(
                {cpu: (now[cpu][0] - previous[cpu][0]) / max(now[cpu][1] - previous[cpu][1], 1) for cpu in now}
            )
            previous = now

    def __enter__(self) -> CpuSampler:
        self._start = _cpu_times()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        end = _cpu_times()
        self.average = {
            cpu: (end[cpu][0] - self._start[cpu][0]) / max(end[cpu][1] - self._start[cpu][1], 1) for cpu in end
        }

    def all_busy_share(self, threshold: float = 0.8) -> float:
        """Share of samples in which every core was at least ``threshold`` busy."""
        if not self.samples:
            return 0.0
        return sum(all(u >= threshold for u in s.values()) for s in self.samples) / len(self.samples)


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float  # user + system seconds of the child processes


def timed(run: Callable[[], T]) -> tuple[T, Timed]:
    """Call ``run()``; wall seconds and the CPU seconds of the processes it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    value = run()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return value, Timed(wall, cpu)


def replay(runs: list[ToolRun], cache: Path, scratch: Path) -> Timed:
    """Run the output-making commands of a build again, bare and one by one, writing under ``scratch``.

    Paths under the build's cache are moved under ``scratch`` (their folders made first), so the
    replay writes the same files the build wrote, without touching the cache. Inputs the build
    made in Python between tool runs (a narration's WAV, joined from espeak-ng's sentences) are
    copied in from what the shims kept: that joining is the build's work, not a command's.
    """
    if kept_folder(cache).exists():
        shutil.copytree(kept_folder(cache), scratch, dirs_exist_ok=True)
    wanted = [r for r in runs if r.kind in ("encode", "analyse", "speak")]
    prefix = str(cache)
    commands = []
    for run in wanted:
        argv = [a.replace(prefix, str(scratch)) for a in run.argv]
        for arg in argv:
            if arg.startswith(str(scratch)):
                Path(arg).parent.mkdir(parents=True, exist_ok=True)
        commands.append(([shutil.which(run.tool) or run.tool, *argv], run.cwd))

    def play() -> None:
        for argv, cwd in commands:
            subprocess.run(
                argv,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )

    return timed(play)[1]
