"""`courseforge validate PACKAGE.zip|COURSE_DIR`: every problem, or OK."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from exporters.formats import FORMATS


@click.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS),
              help="For a zip: the format it must be (default: whichever it is).")
def command(path: Path, fmt: str | None) -> None:
    """Check a course folder (or its course.yaml) or a package zip and report every problem."""
    if path.is_file() and path.suffix.lower() not in (".yaml", ".yml"):
        from exporters.check import check_package

        problems = check_package(path, fmt)
        what = "package"
    elif path.exists():
        from courses.loader import check_course

        problems = [str(p) for p in check_course(path)]
        what = "course"
    else:
        raise click.ClickException(f"{path}: no such course folder or package zip")
    if problems:
        click.echo(f"{path}: {len(problems)} problem(s):", err=True)
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(1)
    click.echo(f"OK: {path}: {what} has no problems")
