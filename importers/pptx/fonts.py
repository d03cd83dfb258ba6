"""Which of the deck's fonts the slide images were not drawn with.

LibreOffice draws a font that is not installed with another one, and a wider or narrower font
moves the line breaks, so a slide image can differ from what the author saw in PowerPoint.
Calibri and Cambria have metric twins (Carlito, Caladea) with the same widths, as the
Liberation fonts are for Arial, Times New Roman and Courier New: drawn with a twin, a font
keeps its line breaks. Any other font of the deck missing from the PDF is worth a word to the
author; the text itself is imported exactly either way.
"""

from __future__ import annotations

from lxml import etree
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

METRIC_TWINS = {
    "calibri": "carlito",
    "cambria": "caladea",
    "arial": "liberationsans",
    "helvetica": "liberationsans",
    "timesnewroman": "liberationserif",
    "couriernew": "liberationmono",
}
_XML = etree.XMLParser(resolve_entities=False, no_network=True)


def deck_fonts(prs) -> set[str]:
    """The Latin typefaces the deck asks for: its themes' heading and body fonts and every run's own."""
    names: set[str] = set()
    for master in prs.slide_masters:
        try:
            theme = etree.fromstring(master.part.part_related_by(RT.THEME).blob, _XML)
        except (KeyError, ValueError, etree.XMLSyntaxError):
            continue
        names.update(
            theme.xpath(
                ".//a:fontScheme/*/a:latin/@typeface",
                namespaces={"a": "http://schemas.openxmlformats.org/drawingml/2006/main"},
            )
        )
    for slide in prs.slides:
        names.update(latin.get("typeface", "") for latin in slide._element.iter(qn("a:latin")))
    return {name for name in names if name and not name.startswith("+")}  # "+mn-lt": the theme's own


def _key(name: str) -> str:
    return "".join(name.split()).casefold()


def substituted(wanted: set[str], embedded: list[str]) -> list[str]:
    """The fonts of ``wanted`` drawn neither as themselves nor as their metric twin, given the
    font names ``pdffonts`` lists (``BAAAAA+Carlito-Bold``)."""
    drawn = [_key(name.split("+", 1)[-1]) for name in embedded]
    missing = []
    for name in sorted(wanted):
        candidates = [_key(name)] + ([METRIC_TWINS[_key(name)]] if _key(name) in METRIC_TWINS else [])
        if not any(font.startswith(candidate) for font in drawn for candidate in candidates):
            missing.append(name)
    return missing
