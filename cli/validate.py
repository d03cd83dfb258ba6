"""`courseforge validate COURSE_DIR|COURSE.zip|PACKAGE.zip`: every problem, or OK.

A zip is a package when it has a manifest or a launch page at its root, and a zipped course
folder when it has a course.yaml (at its root or in its one top folder). The output says which,
so nobody mistakes "this course is fine" for "this package is fine".
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from exporters.formats import FORMATS

PACKAGE = "package"
COURSE = "course"
COURSE_SOURCE = "zipped course folder"


@click.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS),
              help="For a package zip: the format it must be (default: whichever it is).")
def command(path: Path, fmt: str | None) -> None:
    """Check a course folder (or its course.yaml), a zipped course folder or a package zip and
    report every problem."""
    if path.is_file() and path.suffix.lower() not in (".yaml", ".yml"):
        what = zip_kind(path)
        count, lines = _check_package(path, fmt) if what == PACKAGE else _check_zipped_course(path)
    elif path.exists():
        from courses.loader import check_course

        what = COURSE
        report = check_course(path)
        count, lines = report.total, report.lines()
    else:
        raise click.ClickException(f"{path}: no such course folder, zipped course folder or package zip")
    if count:
        click.echo(f"{path}: {what}: {count} problem(s):", err=True)
        for line in lines:
            click.echo(line, err=True)
        sys.exit(1)
    click.echo(f"OK: {path}: {what} has no problems")


def zip_kind(path: Path) -> str:
    """``package`` or ``zipped course folder``; a zip that is neither (or not a zip at all) is
    checked as a package, whose check says what is missing."""
    from courses.archive import course_folder, entry_names
    from exporters.manifest_common import LAUNCH_PAGE, MANIFEST_NAME

    names = entry_names(path)
    if names is None or MANIFEST_NAME in names or LAUNCH_PAGE in names or course_folder(names) is None:
        return PACKAGE
    return COURSE_SOURCE


def _check_package(path: Path, fmt: str | None) -> tuple[int, list[str]]:
    from exporters.check import check_package

    problems = check_package(path, fmt)
    return len(problems), problems


def _check_zipped_course(path: Path) -> tuple[int, list[str]]:
    from courses.archive import ArchiveError, unpacked_course
    from courses.loader import check_course

    try:
        with unpacked_course(path) as folder:
            report = check_course(folder)
    except ArchiveError as error:
        return len(error.problems), [str(problem) for problem in error.problems]
    return report.total, report.lines()
