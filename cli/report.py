"""How every command reports problems: one heading, then one ``file:line: field: message`` line
per problem (the same shape the editor lists), then exit status 1. Whatever went wrong (the
course file, its media, a zip, the build or the package check), the author reads one format."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import NoReturn

import click

from courses.errors import Problem, ProblemList


def lines(problems: Iterable[Problem]) -> list[str]:
    """One line per problem; a capped list ends by saying how many more there were."""
    return problems.lines() if isinstance(problems, ProblemList) else [str(p) for p in problems]


def count(problems: Iterable[Problem]) -> int:
    return problems.total if isinstance(problems, ProblemList) else len(list(problems))


def fail(heading: str, problems: Iterable[Problem], where: str = "") -> NoReturn:
    """Print ``heading: N problem(s) <where>:`` and the problems on stderr, and exit with status 1."""
    problems = problems if isinstance(problems, ProblemList) else list(problems)
    total = count(problems)
    click.echo(f"{heading}: {total} problem{'s' if total != 1 else ''}{' ' + where if where else ''}:", err=True)
    for line in lines(problems):
        click.echo(line, err=True)
    sys.exit(1)


def build_problems(error: Exception) -> tuple[str, Iterable[Problem]] | None:
    """(what failed, its problems) for the errors a build reports, or None for any other error."""
    from courses.archive import ArchiveError
    from courses.errors import CourseLoadError
    from exporters.build import BuildError
    from media.errors import MediaError

    if isinstance(error, ArchiveError):
        return "in the zip", error.problems
    if isinstance(error, CourseLoadError):
        return "in the course", error.problems
    if isinstance(error, MediaError):
        return "in its media", error.problems
    if isinstance(error, BuildError):
        return "building it", error.problems
    return None
