"""How every command reports problems: one heading, then one ``file:line: field: message`` line
per problem (the same shape the editor lists), then exit status 1. Whatever went wrong (the
course file, its media, a zip, the build or the package check), the author reads one format."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


@contextmanager
def reported(heading: str) -> Iterator[None]:
    """Run a build: the problems it finds (in a zip, the course, its media, the build itself) are
    printed under ``heading`` and end the command; any other error goes on up."""
    from courses.archive import ArchiveError
    from courses.errors import CourseLoadError
    from exporters.build import BuildError
    from media.errors import MediaError

    try:
        yield
    except ArchiveError as error:
        fail(heading, error.problems, "in the zip")
    except CourseLoadError as error:
        fail(heading, error.problems, "in the course")
    except MediaError as error:
        fail(heading, error.problems, "in its media")
    except BuildError as error:
        fail(heading, error.problems, "building it")
