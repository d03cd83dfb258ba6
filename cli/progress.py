"""A terminal progress bar that takes the build's ``progress(label, fraction)`` calls.

Usage in a command::

    with ProgressBar() as progress:
        build_package(course_dir, fmt, output, progress=progress)

The build goes through stages (media jobs, rendering the player, writing the zip), each
reporting its own 0..1; the bar shows the current stage's fraction and what it is working on
(the media file a job is making). On anything but a terminal it stays silent, so piped output
and CI logs keep one line per result.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn


class ProgressBar:
    """A callable ``(label, fraction)`` drawing one rich progress bar on stderr while in a ``with``."""

    def __init__(self, console: Console | None = None):
        console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("[progress.description]{task.description}", table_column=None),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._task = self._progress.add_task("loading the course", total=1.0)

    def __call__(self, label: str, fraction: float) -> None:
        width = max(self._progress.console.width // 3, 16)
        shown = label if len(label) <= width else "…" + label[-(width - 1) :]
        self._progress.update(self._task, description=shown, completed=min(max(fraction, 0.0), 1.0))

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._progress.stop()
