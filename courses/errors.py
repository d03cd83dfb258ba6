"""What goes wrong when a course folder is read, in words an author can act on.

Every mistake is one ``Problem`` pinned to a file, a line and a field path, so an editor (or a
person) can jump straight to it. The loader collects them all before raising, because fixing a
course one error per run is the slowest way to learn YAML.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One mistake: ``file`` relative to the course folder, ``line`` 1-based (None when the
    whole file is at fault), ``field`` the dotted path with ``[index]`` ('' for the file itself)."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class CourseLoadError(Exception):
    """Raised by ``courses.loader.load_course`` with every problem found in the folder."""

    def __init__(self, problems: list[Problem], source: Path | str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''}"
        if source is not None:
            heading += f" in {source}"
        super().__init__(heading + ":\n" + "\n".join(f"  {p}" for p in self.problems))


def field_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """``('sections', 1, 'pages', 3, 'title')`` -> ``sections[1].pages[3].title``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
