"""PowerPoint (.pptx) import: a narrated, captioned course page per slide (``import_deck``)."""

from importers.pptx.errors import DeckError
from importers.pptx.importer import import_deck
from importers.pptx.report import ImportReport

__all__ = ["DeckError", "ImportReport", "import_deck"]
