"""`courseforge import DECK.pptx [-o COURSE_DIR] [--force] [--language TAG]`: a course from a deck.

Prints the import report (each slide's page and blocks, what only the slide image shows,
pictures without alt text) and the course folder's path; on a refusal, every reason, and
nothing is changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("import")
@click.argument("deck", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Course folder to write (default: the deck's name, in the current folder).",
)
@click.option("--force", is_flag=True, help="Replace an existing course folder (kept as it was if the import fails).")
@click.option(
    "--language",
    help="Language of the course and its narration, e.g. nl or en-GB "
    "(default: the language the deck's text is marked with).",
)
def command(deck: Path, output: Path | None, force: bool, language: str | None) -> None:
    """Make a course folder from the PowerPoint deck DECK: a page per slide with the slide's
    image, text, tables, pictures and media, and its speaker notes as narration."""
    from importers.pptx import DeckError, import_deck

    out = output if output is not None else Path(deck.stem)
    try:
        report = import_deck(deck, out, force=force, language=language)
    except DeckError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{deck}: not imported; nothing was written", err=True)
        sys.exit(1)
    except OSError as error:
        raise click.ClickException(f"could not write {out}: {error.strerror or error}") from None
    for line in report.lines():
        click.echo(line)
    click.echo(
        f"{'Replaced' if report.replaced else 'Wrote'} the course folder {out} "
        f"(check it with `courseforge validate {out}`, publish it with `courseforge build {out}`)"
    )
