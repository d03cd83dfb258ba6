"""`courseforge new NAME`: start a course from a working example instead of a blank page."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("new")
@click.argument("name")
@click.option("--title", help="Course title (default: made from NAME).")
def command(name: str, title: str | None) -> None:
    """Create the course folder NAME (in the current folder) to start from."""
    from courses.loader import check_course
    from courses.scaffold import ScaffoldError, create_course

    dest = Path(name)
    if title is None:
        words = " ".join(dest.name.replace("-", " ").replace("_", " ").split()) or "New course"
        title = words[:1].upper() + words[1:]
    try:
        folder = create_course(dest, title)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from error
    problems = check_course(folder)
    if problems:  # the starter must always load; say so plainly rather than hand over a broken folder
        raise click.ClickException("the new course does not load:\n" + "\n".join(map(str, problems)))
    click.echo(f"Created {folder}/ with course.yaml, text/welcome.md and media/.")
    click.echo("Next steps:")
    click.echo(f"  1. Edit {folder / 'course.yaml'} and {folder / 'text' / 'welcome.md'}.")
    click.echo(f"  2. courseforge validate {folder}    (lists every mistake with file, line and field)")
    click.echo(f"  3. courseforge preview {folder}     (see it in a browser)")
    click.echo(f"  4. courseforge build {folder}       (make a SCORM or web package)")
