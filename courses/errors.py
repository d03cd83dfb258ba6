"""What goes wrong when a course folder is read, in words an author can act on.

Every mistake is one ``Problem`` pinned to a file, a line and a field path, so an editor (or a
person) can jump straight to it. The loader collects them all before raising, because fixing a
course one error per run is the slowest way to learn YAML. All at once has a ceiling, though:
a broken (or hostile) file can hold a million mistakes, and nobody reads past the first
screenful, so a ``ProblemList`` keeps the first ``MAX_PROBLEMS`` and only counts the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MAX_PROBLEMS = 200
QUOTE_CHARS = 40


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


class ProblemList(list[Problem]):
    """Problems up to ``limit``; past it they are only counted (``omitted``).

    Building a message (its line, its field path) costs more than noticing the mistake, so
    checkers ask ``full`` first and call ``skip`` instead of building what nobody will see.
    """

    def __init__(self, problems: Iterable[Problem] = (), limit: int = MAX_PROBLEMS) -> None:
        super().__init__()
        self.limit = limit
        self.omitted = 0
        for problem in problems:
            self.add(problem)

    @property
    def full(self) -> bool:
        return len(self) >= self.limit

    @property
    def total(self) -> int:
        """Every problem found, kept or not."""
        return len(self) + self.omitted

    def add(self, problem: Problem) -> None:
        if self.full:
            self.omitted += 1
        else:
            self.append(problem)

    def skip(self, count: int = 1) -> None:
        """Count ``count`` problems that were found but not built."""
        self.omitted += count

    def lines(self) -> list[str]:
        """One line per kept problem, then one saying how many more there were."""
        lines = [str(problem) for problem in self]
        if self.omitted:
            lines.append(
                f"... and {self.omitted} more problem{'s' if self.omitted != 1 else ''} (stopped after {self.limit})"
            )
        return lines


def merged(*parts: Iterable[Problem], limit: int = MAX_PROBLEMS) -> ProblemList:
    """Several checkers' problems as one list: top to bottom of the file, each problem once,
    the first ``limit`` kept and everything else (including what each checker skipped) counted."""
    unique = list(dict.fromkeys(problem for part in parts for problem in part))
    unique.sort(key=lambda p: (p.file, p.line or 0))
    result = ProblemList(unique, limit)
    result.skip(sum(getattr(part, "omitted", 0) for part in parts))
    return result


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """At most ``limit`` characters of an author's value, for quoting it in a message.

    A message must stay one readable line, and must never replay a long run of an uploaded file
    to whoever reads the report.
    """
    return text if len(text) <= limit else text[: limit - 3] + "..."


def byte_size(count: int) -> str:
    """``2 MiB``: a limit the way a person reads it."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift and count % (1 << shift) == 0:
            return f"{count >> shift} {unit}"
    return f"{count} bytes"


class CourseLoadError(Exception):
    """Raised by ``courses.loader.load_course`` with every problem found in the folder."""

    def __init__(self, problems: list[Problem], source: Path | str | None = None) -> None:
        self.problems = problems if isinstance(problems, ProblemList) else ProblemList(problems, len(problems))
        self.source = source
        count = self.problems.total
        heading = f"{count} problem{'s' if count != 1 else ''}"
        if source is not None:
            heading += f" in {source}"
        super().__init__(heading + ":\n" + "\n".join(f"  {line}" for line in self.problems.lines()))


def field_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """``('sections', 1, 'pages', 3, 'title')`` -> ``sections[1].pages[3].title``; a key that is
    no field name (an author's typo can be a whole paragraph) is cut short."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = shorten(str(part))
            text += f".{name}" if text else name
    return text
