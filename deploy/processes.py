"""Processes the deploy recipe starts: started detached, recorded by pid and start time, and
stopped by exactly those records.

A pid alone can be reused by another program once ours is gone; the start time (field 22 of
``/proc/<pid>/stat``, in clock ticks since boot) cannot, so a record names one process for good
and ``down`` never signals anything it did not start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Started(BaseModel):
    """One process this recipe started."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    pid: int
    start_ticks: int


def start(name: str, argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None) -> Started:
    """Start ``argv`` in a session of its own (so it outlives ``deploy up``), output to ``log``."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    ticks = _start_ticks(process.pid)
    if ticks is None:
        raise RuntimeError(f"{name} exited at once: see {log}")
    return Started(name=name, pid=process.pid, start_ticks=ticks)


def alive(process: Started) -> bool:
    """True while the recorded process runs (a zombie or a new process on its pid is not it)."""
    return _start_ticks(process.pid) == process.start_ticks


def children(process: Started) -> list[Started]:
    """Its live descendants (a gunicorn master's workers, varnishd's cache process)."""
    found: list[Started] = []
    parents = {process.pid}
    table = _process_table()
    grew = True
    while grew:
        grew = False
        for pid, (ppid, ticks) in table.items():
            if ppid in parents and pid not in parents:
                parents.add(pid)
                found.append(Started(name=f"{process.name} child", pid=pid, start_ticks=ticks))
                grew = True
    return found


def stop(process: Started, sig: signal.Signals = signal.SIGTERM, timeout: float = 15.0) -> bool:
    """Ask the process to stop with ``sig``, then kill what is left of it and its children after
    ``timeout``; False when it was not running."""
    if not alive(process):
        return False
    family = children(process)
    _signal(process, sig)
    deadline = time.monotonic() + timeout
    while alive(process) and time.monotonic() < deadline:
        time.sleep(0.05)
    for member in [process, *family]:
        if alive(member):
            _signal(member, signal.SIGKILL)
    _wait_gone([process, *family], 5.0)
    return True


def kill_whole(process: Started) -> list[Started]:
    """SIGKILL the process and all its children at once, as a machine failure would: no clean-up."""
    family = [process, *children(process)]
    for member in family:
        _signal(member, signal.SIGKILL)
    _wait_gone(family, 5.0)
    return family


def _signal(process: Started, sig: signal.Signals) -> None:
    if alive(process):
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, sig)
    _reap(process.pid)


def _wait_gone(processes: Sequence[Started], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in processes) and time.monotonic() < deadline:
        for p in processes:
            _reap(p.pid)
        time.sleep(0.02)


def _reap(pid: int) -> None:
    """Collect the exit of a process started by this one (tests, ``up`` then ``down`` in one run)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    return text[text.rindex(")") + 2 :].split()


def _start_ticks(pid: int) -> int | None:
    fields = _stat(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def _process_table() -> dict[int, tuple[int, int]]:
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[0] not in ("Z", "X"):
                table[int(entry.name)] = (int(fields[1]), int(fields[19]))
    return table
