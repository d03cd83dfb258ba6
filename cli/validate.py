"""`courseforge validate COURSE_DIR|COURSE.zip|PACKAGE.zip`: every problem, or OK.

A zip is a package when it has a manifest or a launch page at its root, and a zipped course
folder when it has a course.yaml (at its root or in its one top folder). The output says which,
so nobody mistakes "this course is fine" for "this package is fine".
"""

from __future__ import annotations

from pathlib import Path

import click

from courses.errors import Problem
from courses.model import Course
from exporters.formats import FORMATS

PACKAGE = "package"
COURSE = "course"
COURSE_SOURCE = "zipped course folder"


@click.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    help="For a package zip: the format it must be (default: whichever it is).",
)
@click.option(
    "--fix-ids",
    is_flag=True,
    help="For a course folder: first write an id into every element that has none (as `courseforge ids`).",
)
def command(path: Path, fmt: str | None, fix_ids: bool) -> None:
    """Check a course folder (or its course.yaml), a zipped course folder or a package zip and
    report every problem, media files included (probed and partly decoded, as a build starts).
    For a course, also say how long its resume data can get."""
    from cli.report import fail

    course: Course | None = None
    if path.is_file() and path.suffix.lower() not in (".yaml", ".yml"):
        if fix_ids:
            raise click.UsageError("--fix-ids writes into a course folder; unzip the course first")
        what = zip_kind(path)
        problems = package_problems(path, fmt) if what == PACKAGE else _zipped_course_problems(path)
    elif path.exists():
        from courses.loader import read_course
        from player.theme import theme_problems

        if fix_ids:
            _fix_ids(path)
        what = COURSE
        course, problems = read_course(path)
        if course is not None:
            problems = theme_problems(course) + _media_problems(path, course)  # what the build would refuse
    else:
        raise click.ClickException(f"{path}: no such course folder, zipped course folder or package zip")
    if problems:
        fail(f"{path}: {what}", problems)
    click.echo(f"OK: {path}: {what} has no problems")
    if course is not None:
        click.echo(_budget_line(course))


def _media_problems(path: Path, course: Course) -> list[Problem]:
    """The course's media files checked as a build first checks them (nothing is made)."""
    from courses.loader import folder_source
    from media.checks import check_media
    from settings import Settings

    source, _name = folder_source(path)
    return check_media(course, source, Settings())


def _fix_ids(path: Path) -> None:
    from courses.ids import IdsError, fill_missing_ids

    try:
        added = fill_missing_ids(path)
    except IdsError as error:
        from cli.report import fail

        fail(f"{path}: no ids were written", error.problems)
    for line in added:
        click.echo(str(line))


def _budget_line(course: Course) -> str:
    """The course's worst-case resume data against what each SCORM version keeps."""
    from player.resume_budget import LABELS, LIMITS, BudgetError, measure

    try:
        budget = measure(course, "scorm12")
    except BudgetError as error:
        return f"resume data: not measured: {error}"
    shares = ", ".join(
        f"{100 * budget.chars / limit:.0f} % of the {limit:,} {LABELS[kind]} keeps" for kind, limit in LIMITS.items()
    )
    line = f"resume data: at most {budget.chars:,} characters ({shares})"
    if not budget.fits("scorm12"):
        line += f"\nwarning: {budget.overflow_message('scorm12')}"
    return line


def zip_kind(path: Path) -> str:
    """``package`` or ``zipped course folder``; a zip that is neither (or not a zip at all) is
    checked as a package, whose check says what is missing."""
    from courses.archive import course_folder, entry_names
    from exporters.manifest_common import LAUNCH_PAGE, MANIFEST_NAME

    names = entry_names(path)
    if names is None or MANIFEST_NAME in names or LAUNCH_PAGE in names or course_folder(names) is None:
        return PACKAGE
    return COURSE_SOURCE


def package_problems(path: Path, fmt: str | None) -> list[Problem]:
    from exporters.check import check_package

    return check_package(path, fmt)


def _zipped_course_problems(path: Path) -> list[Problem]:
    from courses.archive import ArchiveError, unpacked_course
    from courses.loader import check_course

    try:
        with unpacked_course(path) as folder:
            return check_course(folder)
    except ArchiveError as error:
        return error.problems
