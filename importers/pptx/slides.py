"""What each slide holds, read with python-pptx: title, text, tables, pictures, media, notes,
and everything that has no place in a course page, named so the author can check it.

Shapes are read in the order of the slide's shape tree, which is the reading order PowerPoint's
accessibility tools let authors set (and screen readers follow), not sorted by position. Groups
are opened and their children read in turn; SmartArt, charts, embedded objects, content in
``mc:AlternateContent``, ink and animations are listed as ``Unmapped`` with what was kept of
them; pictures, videos and sounds are read by ``pictures``. Nothing here writes files or
decides ids: ``course_folder`` does that from these values (``content``).
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn

from importers.pptx import markdown as md
from importers.pptx.content import Deck, Slide, Unmapped
from importers.pptx.pictures import read_picture
from importers.pptx.text import clean_text, one_line

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
DIAGRAM_URI = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
OLE_URI = "http://schemas.openxmlformats.org/presentationml/2006/ole"
TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE}
DECORATIONS = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.HEADER}
BULLETED = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.VERTICAL_BODY, PP_PLACEHOLDER.VERTICAL_OBJECT}
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_XML = etree.XMLParser(resolve_entities=False, no_network=True)


def read_deck(prs, fallback_title: str) -> Deck:
    """Every slide of an open python-pptx presentation, in presentation order."""
    slides = [_read_slide(slide, number) for number, slide in enumerate(prs.slides, 1)]
    title = (
        one_line(prs.core_properties.title or "", 200)
        or next((one_line(s.title, 200) for s in slides if s.title), "")
        or one_line(fallback_title, 200)
        or "Imported deck"
    )
    return Deck(title, _language(prs), slides)


def _language(prs) -> str | None:
    """The language most of the deck's text is marked with (by characters), else the deck's default."""
    default = next((value for value in prs.part._element.xpath(".//a:defRPr/@lang") if LANGUAGE.match(value)), None)
    weights: Counter[str] = Counter()
    for slide in prs.slides:
        for run in slide._element.iter(qn("a:r")):
            rpr = run.find(qn("a:rPr"))
            lang = rpr.get("lang") if rpr is not None else None
            lang = lang if lang and LANGUAGE.match(lang) else default
            if lang:
                weights[lang] += len(run.findtext(qn("a:t")) or "")
    return weights.most_common(1)[0][0] if weights else default


def _read_slide(slide, number: int) -> Slide:
    found = Slide(number, slide.slide_id, slide._element.get("show") in ("0", "false"), None)
    parts: list[str] = []
    for shape in slide.shapes:
        _read_shape(shape, found, parts)
    for alternate in slide.shapes._spTree.iterchildren(f"{{{MC}}}AlternateContent"):
        text = _texts(
            alternate.find(f"{{{MC}}}Fallback") if alternate.find(f"{{{MC}}}Fallback") is not None else alternate
        )
        if text:
            parts.append("\n\n".join(md.inline([md.Span(t)]) for t in text))
            found.plain += text
        found.unmapped.append(
            Unmapped(
                "newer PowerPoint content",
                (
                    "a shape written for newer PowerPoint versions "
                    "(mc:AlternateContent: ink, a 3D model, an equation...)"
                    + (
                        f"; its text is copied into the page: {one_line(' '.join(text), 80)}"
                        if text
                        else "; it has no text, so it is shown in the slide image only"
                    )
                ),
            )
        )
    found.markdown = "\n\n".join(part for part in parts if part)
    effects = slide._element.xpath("./p:timing//p:cTn[@presetClass]")
    if effects:
        found.unmapped.append(
            Unmapped(
                "animation",
                f"{len(effects)} animation effect(s) are not imported: the "
                "page shows the slide as it looks once every effect has run",
            )
        )
    if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
        notes = clean_text(slide.notes_slide.notes_text_frame.text, multiline=True)
        found.notes = "\n".join(line.strip() for line in notes.splitlines() if line.strip())
    return found


def _read_shape(shape, slide: Slide, parts: list[str]) -> None:
    element = shape._element
    if element.tag == qn("p:grpSp"):
        children = list(shape.shapes)
        slide.unmapped.append(
            Unmapped(
                "group",
                f"group '{one_line(shape.name, 60)}' of {len(children)} shapes: its "
                "text and pictures are imported one by one; check them against "
                "the slide image",
            )
        )
        for child in children:
            _read_shape(child, slide, parts)
        return
    if element.tag == qn("p:pic"):
        read_picture(shape, slide)
        return
    if element.tag == qn("p:graphicFrame"):
        _read_frame(shape, slide, parts)
        return
    if element.tag == qn("p:contentPart"):
        slide.unmapped.append(Unmapped("ink", "ink drawn on the slide is shown in the slide image only"))
        return
    if not getattr(shape, "has_text_frame", False):
        return  # a line or connector: drawing, shown in the slide image
    placeholder = shape.placeholder_format.type if shape.is_placeholder else None
    if placeholder in DECORATIONS:
        return  # date, footer, slide number: the master's furniture, not the slide's content
    paras = md.paragraphs(shape.text_frame, bullets=placeholder in BULLETED)
    if not paras:
        return
    if placeholder in TITLES and slide.title is None:
        slide.title = one_line(" ".join(para.plain for para in paras))
        return
    parts.append(md.blocks(paras))
    slide.plain += [para.plain for para in paras]


def _read_frame(shape, slide: Slide, parts: list[str]) -> None:
    if shape.has_table:
        rows = [
            [md.cell_markdown(cell.text_frame) if not cell.is_spanned else "" for cell in row.cells]
            for row in shape.table.rows
        ]
        if any(any(cell for cell in row) for row in rows):
            parts.append(md.table(rows))
            slide.plain.append("Table: " + ", ".join(_plain_cells(shape.table.rows[0])))
        return
    if shape.has_chart:
        _read_chart(shape, slide, parts)
        return
    uri = next(iter(shape._element.xpath("./a:graphic/a:graphicData/@uri")), "")
    if uri == DIAGRAM_URI:
        text = _smartart_text(shape)
        if text:
            parts.append("\n".join("- " + md.inline([md.Span(t)]) for t in text))
            slide.plain += text
        slide.unmapped.append(
            Unmapped(
                "SmartArt",
                f"SmartArt '{one_line(shape.name, 60)}': "
                + (
                    "its text is copied as a list; its layout is in the slide image only"
                    if text
                    else "it has no text; it is shown in the slide image only"
                ),
            )
        )
    elif uri == OLE_URI:
        prog = next(iter(shape._element.xpath(".//p:oleObj/@progId")), "an embedded object")
        slide.unmapped.append(
            Unmapped(
                "embedded object",
                f"embedded object '{one_line(shape.name, 60)}' ({one_line(prog, 60)}) is shown in the slide image only",
            )
        )
    else:
        kind = one_line(uri, 80) or "unknown kind"
        slide.unmapped.append(
            Unmapped("graphic object", f"'{one_line(shape.name, 60)}' ({kind}) is shown in the slide image only")
        )


def _plain_cells(row) -> list[str]:
    return [one_line(cell.text, 80) for cell in row.cells if cell.text.strip()]


def _read_chart(shape, slide: Slide, parts: list[str]) -> None:
    chart = shape.chart
    title = one_line(chart.chart_title.text_frame.text, 120) if chart.has_title else ""
    name = title or one_line(shape.name, 60)
    kind = chart.chart_type.name.lower().replace("_", " ") if chart.chart_type is not None else "chart"
    rows = _chart_rows(chart)
    if rows:
        parts.append(f"Chart: {md.escape(name)} ({kind})\n\n" + md.table(rows))
        slide.plain.append(f"Chart: {name}")
    slide.unmapped.append(
        Unmapped(
            "chart",
            f"chart '{name}' ({kind}) is shown in the slide image; "
            + ("its data is copied as a table" if rows else "its data could not be read"),
        )
    )


def _chart_rows(chart) -> list[list[str]]:
    """The chart's data as table rows (categories down, series across), or [] when it cannot be read."""
    try:
        plot = chart.plots[0]
        categories = [str(c) for c in plot.categories]
        series = list(plot.series)
        if not categories or not series:
            return []
        header = ["Category"] + [md.escape(one_line(s.name or f"Series {i + 1}", 80)) for i, s in enumerate(series)]
        values = [list(s.values) for s in series]
        return [header] + [
            [md.escape(one_line(category, 80))] + [_number(v[i]) if i < len(v) else "" for v in values]
            for i, category in enumerate(categories)
        ]
    except (IndexError, KeyError, ValueError, TypeError, AttributeError):
        return []


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def _smartart_text(shape) -> list[str]:
    """The text of a SmartArt diagram: it lives in the diagram's data part, not on the slide."""
    rid = next(iter(shape._element.xpath(".//*[local-name()='relIds']/@r:dm")), None)
    if rid is None or rid not in shape.part.rels:
        return []
    try:
        data = etree.fromstring(shape.part.rels[rid].target_part.blob, _XML)
    except (etree.XMLSyntaxError, ValueError, KeyError):
        return []
    return _texts(data)


def _texts(element) -> list[str]:
    """Each paragraph's text under ``element``."""
    found = []
    for paragraph in element.iter(qn("a:p")):
        text = one_line("".join(t.text or "" for t in paragraph.iter(qn("a:t"))))
        if text:
            found.append(text)
    return found
