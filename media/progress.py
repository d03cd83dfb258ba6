"""Turn ffmpeg's ``-progress pipe:1`` stream into fractions done.

ffmpeg writes blocks of ``key=value`` lines, each block ending with ``progress=continue`` or
``progress=end``. Only ``out_time_us`` against the probed duration says how far it is; early
blocks carry ``N/A`` there, and the last block before ``end`` stops short of the duration, so
``end`` alone means 100 %.
"""

from __future__ import annotations

from collections.abc import Callable

FractionCallback = Callable[[float], None]
"""Receives the fraction done of one job, from 0 to 1."""


class ProgressParser:
    """Fed raw stdout bytes in any chunking; calls ``callback(fraction)`` once per block."""

    def __init__(self, duration: float | None, callback: FractionCallback):
        self.duration = duration if duration and duration > 0 else None
        self.callback = callback
        self._buffer = b""
        self._out_time_us: int | None = None

    def feed(self, data: bytes) -> None:
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            key, _, value = line.decode("utf-8", "replace").strip().partition("=")
            if key == "out_time_us":
                self._out_time_us = int(value) if value.lstrip("-").isdigit() else None
            elif key == "progress":
                self.callback(1.0 if value == "end" else self._fraction())

    def _fraction(self) -> float:
        if self.duration is None or self._out_time_us is None:
            return 0.0
        return min(max(self._out_time_us / 1e6 / self.duration, 0.0), 1.0)


def span(callback: FractionCallback | None, start: float, end: float) -> FractionCallback | None:
    """Map a step's own 0..1 onto ``start..end`` of its job (a job may run several steps)."""
    if callback is None:
        return None
    return lambda fraction: callback(start + (end - start) * fraction)
