"""``import_deck``: a .pptx in, a checked course folder out, or one clear refusal and no change.

The order is the point: the output folder is checked first (a refusal costs nothing), then the
deck is judged in-process (``preflight``), read (``slides``), rendered by LibreOffice
(``render``) and written into a fresh folder beside the target (``course_folder``), which is
moved into place only once the loader accepts it. Any failure on the way removes the fresh
folder and leaves whatever was at the target as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from courses.model import StableId
from courses.scaffold import course_id as new_course_id
from courses.source import FileTooLarge, read_limited
from importers.pptx.course_folder import write_course
from importers.pptx.errors import DeckError
from importers.pptx.fonts import deck_fonts, substituted
from importers.pptx.output_folder import COURSE_FILE, check_target, move_into_place, staging_folder
from importers.pptx.preflight import open_deck
from importers.pptx.render import render_slides
from importers.pptx.report import Finding, ImportReport
from importers.pptx.slides import LANGUAGE, read_deck

DEFAULT_LANGUAGE = "en"
OLD_COURSE_BYTES = 2 << 20


def import_deck(
    deck: Path | str,
    out: Path | str,
    *,
    force: bool = False,
    language: str | None = None,
    render_timeout: float | None = None,
) -> ImportReport:
    """Import the deck at ``deck`` into the course folder ``out`` and return the report.

    ``force`` replaces an existing course folder (keeping its course id, so the LMS sees the
    same course); ``language`` (a BCP 47 tag) overrides the language the deck's text is marked
    with; ``render_timeout`` caps LibreOffice and pdftoppm together (default: 120 s + 1 s a slide).
    Raises ``DeckError`` with every reason the deck or the folder was refused.
    """
    deck, out = Path(deck), Path(out)
    if language is not None and not LANGUAGE.fullmatch(language):
        raise DeckError.of(
            deck.name, f"'{language}' is not a language tag (use one like en, nl or en-GB)", where="--language"
        )
    replacing = check_target(out, force, deck)
    prs = open_deck(deck)
    content = read_deck(prs, deck.stem)
    with tempfile.TemporaryDirectory(prefix="courseforge-pptx-") as work:
        rendering = render_slides(
            deck, [slide.title for slide in content.slides], Path(work), deck.name, render_timeout
        )
        fonts = [
            Finding(
                kind="font substituted",
                detail=f"'{name}' is not installed here, so the slide images show "
                "another font in its place and their line breaks may differ from PowerPoint's (the text "
                "itself is imported exactly); install the font and import again to match",
            )
            for name in substituted(deck_fonts(prs), rendering.fonts)
        ]
        staging = staging_folder(out.resolve())
        try:
            report = write_course(
                content,
                rendering.images,
                staging,
                label=deck.name,
                findings=fonts,
                course_id=(_kept_course_id(out) if replacing else None) or new_course_id(content.title),
                language=language or content.language or DEFAULT_LANGUAGE,
                course_dir=str(out),
                replaced=replacing,
            )
            check_target(out, force, deck)  # again: the folder may have been filled while LibreOffice ran
            move_into_place(staging, out.resolve())
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return report


def _kept_course_id(folder: Path) -> str | None:
    """The id of the course being replaced, so a re-import is the same course to the LMS."""
    try:
        data = yaml.safe_load(read_limited(folder / COURSE_FILE, OLD_COURSE_BYTES))
    except (OSError, ValueError, FileTooLarge, yaml.YAMLError):
        return None
    value = data.get("id") if isinstance(data, dict) else None
    try:
        return TypeAdapter(StableId).validate_python(value)
    except ValidationError:
        return None
