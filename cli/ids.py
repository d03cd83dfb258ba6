"""`courseforge ids COURSE_DIR`: give every element of a hand-written course.yaml a stable id."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("ids")
@click.argument("course_dir", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="List the ids that would be added; write nothing.")
def command(course_dir: Path, dry_run: bool) -> None:
    """Add an id to every section, page, block, question, choice, pair and item in COURSE_DIR's
    course.yaml that has none. Existing ids are never changed; the rest of the file is kept as
    written, comments included."""
    from courses.ids import IdsError, plan_ids, write_plan

    try:
        plan = plan_ids(course_dir)
        if plan.added and not dry_run:
            write_plan(plan)
    except IdsError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{course_dir}: no ids were added; nothing was changed", err=True)
        sys.exit(1)
    for added in plan.added:
        click.echo(added.report("would add" if dry_run else "added"))
    for problem in plan.problems:
        click.echo(str(problem), err=True)
    count = len(plan.added)
    ids = f"{count} id{'s' if count != 1 else ''}"
    if not count and plan.problems:
        click.echo(f"No ids were added to {plan.source}.")
    elif not count:
        click.echo(f"Nothing was missing: every element in {plan.source} has an id.")
    elif dry_run:
        click.echo(f"{ids} would be added to {plan.source}; nothing was written (--dry-run).")
    else:
        click.echo(f"Added {ids} to {plan.source}.")
    if plan.problems:
        click.echo(f"{len(plan.problems)} id problem(s) above need fixing by hand.", err=True)
        sys.exit(1)
