"""Slide text as Markdown an author can edit: bullet levels, numbering, bold, italic, links, tables.

The Markdown is CommonMark as the player renders it (HTML allowed, tables on), so everything
the author typed is escaped: a ``*`` or ``<b>`` on a slide stays text. Whether a paragraph is a
bullet is inherited in PowerPoint (layout, master, theme); python-pptx does not resolve it, so
the paragraph's own ``buNone``/``buChar``/``buAutoNum`` decides when present, and otherwise the
shape does: paragraphs of a body or content placeholder are bullets, those of a text box or an
autoshape are plain paragraphs, as PowerPoint's default templates show them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pptx.oxml.ns import qn

from importers.pptx.text import clean_text

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>&])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
BREAK = "\n"


@dataclass(frozen=True)
class Span:
    """A run of text with one formatting; ``text == BREAK`` is a line break (``<a:br/>``)."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None


@dataclass(frozen=True)
class Paragraph:
    spans: tuple[Span, ...]
    level: int
    kind: str  # "bullet", "number" or "plain"

    @property
    def plain(self) -> str:
        return "".join(" " if span.text == BREAK else span.text for span in self.spans).strip()


def escape(text: str) -> str:
    """``text`` with every character CommonMark (or an HTML tag) would read as markup escaped."""
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def _escape_line_start(text: str) -> str:
    """A line that would start a heading, quote, list or rule keeps its first character as text."""
    return _LINE_START.sub(
        lambda m: (
            m.group(1) + "\\" + m.group(2)
            if len(m.group(2)) == 1
            else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1]
        ),
        text,
        count=1,
    )


def paragraphs(frame, bullets: bool) -> list[Paragraph]:
    """The non-empty paragraphs of a python-pptx text frame; ``bullets`` is the shape's default."""
    found = []
    for paragraph in frame.paragraphs:
        spans = tuple(_spans(paragraph))
        if not "".join(span.text for span in spans).strip():
            continue  # an empty paragraph is spacing, not content
        found.append(Paragraph(spans, paragraph.level, _kind(paragraph._p, bullets)))
    return found


def _kind(p, bullets: bool) -> str:
    ppr = p.find(qn("a:pPr"))
    if ppr is not None:
        if ppr.find(qn("a:buNone")) is not None:
            return "plain"
        if ppr.find(qn("a:buAutoNum")) is not None:
            return "number"
        if ppr.find(qn("a:buChar")) is not None or ppr.find(qn("a:buBlip")) is not None:
            return "bullet"
    return "bullet" if bullets else "plain"


def _spans(paragraph) -> list[Span]:
    """Runs, fields and line breaks in document order (``paragraph.runs`` would skip the last two)."""
    spans = []
    for child in paragraph._p:
        if child.tag == qn("a:br"):
            spans.append(Span(BREAK))
        elif child.tag in (qn("a:r"), qn("a:fld")):
            text = clean_text(child.findtext(qn("a:t")) or "", multiline=False)
            if not text:
                continue
            rpr = child.find(qn("a:rPr"))
            bold = rpr is not None and rpr.get("b") in ("1", "true")
            italic = rpr is not None and rpr.get("i") in ("1", "true")
            link = _link(paragraph, rpr)
            spans.append(Span(text, bold, italic, link))
    return spans


def _link(paragraph, rpr) -> str | None:
    click = rpr.find(qn("a:hlinkClick")) if rpr is not None else None
    rid = click.get(qn("r:id")) if click is not None else None
    if not rid:
        return None  # a jump to another slide or an action: no address to link to
    try:
        address = paragraph.part.target_ref(rid)
    except KeyError:
        return None
    return address if re.match(r"^(https?:|mailto:|tel:)", address, re.I) else None


def inline(spans: tuple[Span, ...] | list[Span], line_break: str = "\\\n") -> str:
    """Spans as one Markdown paragraph: runs of the same link and formatting merged, the spaces
    at their edges kept outside the ``**``/``*`` markers (CommonMark ignores ``** bold**``)."""
    merged: list[Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if (
            last
            and span.text != BREAK
            and last.text != BREAK
            and (last.bold, last.italic, last.link) == (span.bold, span.italic, span.link)
        ):
            merged[-1] = Span(last.text + span.text, span.bold, span.italic, span.link)
        else:
            merged.append(span)
    out: list[str] = []
    index = 0
    while index < len(merged):
        span = merged[index]
        if span.text == BREAK:
            out.append(line_break)
            index += 1
            continue
        if span.link:
            group = []
            while index < len(merged) and merged[index].link == span.link and merged[index].text != BREAK:
                group.append(merged[index])
                index += 1
            label = "".join(_formatted(item) for item in group)
            out.append(f"[{label.strip()}](<{span.link.replace('>', '%3E').replace(' ', '%20')}>)")
            continue
        out.append(_formatted(span))
        index += 1
    text = "".join(out).strip()
    return "\n".join(_escape_line_start(line) for line in text.split("\n"))


def _formatted(span: Span) -> str:
    core = span.text.strip()
    if not core:
        return span.text
    marker = "***" if span.bold and span.italic else "**" if span.bold else "*" if span.italic else ""
    lead = span.text[: len(span.text) - len(span.text.lstrip())]
    trail = span.text[len(span.text.rstrip()) :]
    return f"{lead}{marker}{escape(core)}{marker}{trail}"


def blocks(paras: list[Paragraph]) -> str:
    """Paragraphs as Markdown: consecutive bullets and numbers form (nested) lists, plain
    paragraphs stand apart. A level deeper than one below the previous item is taken as one
    below (Markdown cannot skip a level)."""
    parts: list[str] = []
    columns: list[int] = []  # content column of the open list item at each level
    lines: list[str] = []
    for para in paras:
        if para.kind == "plain":
            if lines:
                parts.append("\n".join(lines))
                lines, columns = [], []
            parts.append(inline(para.spans))
            continue
        level = min(para.level, len(columns))
        indent = columns[level - 1] if level else 0
        marker = "1. " if para.kind == "number" else "- "
        del columns[level:]
        columns.append(indent + len(marker))
        body = inline(para.spans).replace("\n", "\n" + " " * (indent + len(marker)))
        lines.append(" " * indent + marker + body)
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def table(rows: list[list[str]]) -> str:
    """A Markdown table; the first row is the header (Markdown tables need one)."""
    width = max(len(row) for row in rows)
    cells = [
        [cell.replace("|", "\\|").replace("\n", "<br>") for cell in row] + [""] * (width - len(row)) for row in rows
    ]
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    return "\n".join(lines)


def cell_markdown(frame) -> str:
    """The text of one table cell: its paragraphs on one Markdown line, joined by ``<br>``."""
    return "<br>".join(inline(para.spans, line_break="<br>") for para in paragraphs(frame, bullets=False))
