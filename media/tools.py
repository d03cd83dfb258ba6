"""The one place that starts ffmpeg, ffprobe and espeak-ng.

Every external tool runs here, so every run gets the same guarantees: no terminal input, stderr
in a temporary file (a pipe nobody reads deadlocks ffmpeg once it fills), stdout read by a
thread (progress lines or the tool's output), and a hard deadline after which the tool's whole
process group is killed. A job that hangs on a broken file costs its timeout, never a worker.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from media.errors import MediaError, media_problem
from media.progress import FractionCallback, ProgressParser

FFMPEG_GLOBALS = ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-progress", "pipe:1", "-y"]
"""Put right after the program name of every ffmpeg command (``ffmpeg_argv`` does it)."""


_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()


def stop_running_tools() -> None:
    """Kill every tool this process started that is still running (and only those).

    Tools run in sessions of their own so that a timeout can take down a whole process group;
    the same isolation means they never see the terminal's Ctrl-C, so an interrupted batch
    calls this to take them down with it.
    """
    with _running_lock:
        running = list(_running)
    for proc in running:
        _kill_group(proc)


class ToolFailed(MediaError):
    """The tool ran and exited non-zero; ``stderr`` has its whole complaint for callers to interpret."""

    def __init__(self, name: str, message: str, stderr: str):
        super().__init__([media_problem(name, message)])
        self.stderr = stderr


@dataclass(frozen=True)
class Completed:
    stdout: bytes
    stderr: str


def run(
    argv: list[str],
    *,
    name: str,
    timeout: float,
    duration: float | None = None,
    progress: FractionCallback | None = None,
    budget: float | None = None,
) -> Completed:
    """Run ``argv`` to the end or until ``timeout`` seconds; raise ``MediaError`` about ``name`` if it fails.

    With ``progress``, stdout is parsed as ffmpeg ``-progress`` output against ``duration``.
    ``budget`` is the whole job's time limit, named in the message when a step of it is stopped.
    """
    tool = Path(argv[0]).name
    stopped = f"{tool} did not finish within {budget if budget is not None else timeout:g} s and was stopped"
    if timeout <= 0:
        raise MediaError.of(name, stopped)
    parser = ProgressParser(duration, progress) if progress else None
    chunks: list[bytes] = []
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, start_new_session=True
        )

        def pump() -> None:
            assert proc.stdout is not None
            while chunk := proc.stdout.read1(65536):  # type: ignore[attr-defined]  # a BufferedReader
                chunks.append(chunk)
                if parser:
                    parser.feed(chunk)

        with _running_lock:
            _running.add(proc)
        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            reader.join()
            raise MediaError.of(name, stopped) from None
        finally:
            if proc.poll() is None:  # interrupted (Ctrl-C, worker shutdown): take the tool down too
                _kill_group(proc)
            with _running_lock:
                _running.discard(proc)
        reader.join()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise ToolFailed(name, f"{tool} failed: {last_line(stderr) or f'exit status {proc.returncode}'}", stderr)
    return Completed(b"".join(chunks), stderr)


def _kill_group(proc: subprocess.Popen) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def last_line(text: str) -> str:
    """The conclusion of a tool's stderr: its last non-empty line, without ffmpeg's ``[h264 @ 0x..]``."""
    lines = _lines(text)
    return lines[-1] if lines else ""


def first_line(text: str) -> str:
    """The first complaint in a tool's stderr (the cause, where later lines are consequences)."""
    lines = _lines(text)
    return lines[0] if lines else ""


def _lines(text: str) -> list[str]:
    return [_CONTEXT.sub("", line).strip() for line in text.splitlines() if line.strip()]


_CONTEXT = re.compile(r"^\[[^\]]+ @ 0x[0-9a-f]+\]\s*")


def ffmpeg_argv(compiled: list[str]) -> list[str]:
    """Insert the common global options into an argv built by ffmpeg-python's ``compile()``."""
    return [compiled[0], *FFMPEG_GLOBALS, *compiled[1:]]


def version(program: str) -> str:
    """The tool's version string, part of every cache key (a new encoder makes new outputs).

    Remembered in the cache folder against the executable's path, size and modification time,
    so a rebuild of an unchanged course starts no tool at all, while an upgraded ffmpeg is
    noticed at once.
    """
    from settings import get_settings

    return _version(program, get_settings().cache_dir / "tool-versions.json")


@cache
def _version(program: str, memo: Path) -> str:
    """``version`` for one cache folder; memoised in this process too."""
    executable = shutil.which(program)
    if executable is None:
        raise MediaError.of(program, f"{program} is not installed (scripts/bootstrap installs it)")
    real = os.path.realpath(executable)
    stat = os.stat(real)
    stamp = f"{real}:{stat.st_size}:{stat.st_mtime_ns}"
    try:
        known = json.loads(memo.read_text())
    except (OSError, ValueError):
        known = {}
    if isinstance(known, dict) and isinstance(known.get(stamp), str):
        return known[stamp]
    flag = "-version" if program in ("ffmpeg", "ffprobe") else "--version"
    out = subprocess.run([real, flag], capture_output=True, text=True, timeout=30, check=True).stdout
    first = out.splitlines()[0] if out else ""
    # "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." -> "5.1.9-0+deb12u1"
    found = first.split()[2] if program in ("ffmpeg", "ffprobe") else first.strip()
    known = {**(known if isinstance(known, dict) else {}), stamp: found}
    with suppress(OSError):  # a read-only cache only costs the next build one more version query
        memo.parent.mkdir(parents=True, exist_ok=True)
        partial = memo.with_name(f".{memo.name}.{os.getpid()}")
        partial.write_text(json.dumps(known, indent=1, sort_keys=True))
        os.replace(partial, memo)
    return found


class Deadline:
    """A job's time budget, shared by every tool run the job makes."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()


@dataclass
class JobContext:
    """What a job step needs: the file it is about, a scratch folder, the time budget, a progress sink."""

    name: str
    workdir: Path
    deadline: Deadline
    progress: FractionCallback | None = None

    def run(
        self,
        argv: list[str],
        *,
        duration: float | None = None,
        progress: FractionCallback | None = None,
    ) -> Completed:
        return run(
            argv,
            name=self.name,
            timeout=self.deadline.remaining(),
            duration=duration,
            progress=progress,
            budget=self.deadline.seconds,
        )
