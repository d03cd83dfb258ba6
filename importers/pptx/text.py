"""Deck text made fit for a course: no characters the course model refuses, lines where asked.

PowerPoint text may hold a vertical tab (its soft line break), other control characters pasted
from elsewhere, and Unicode line separators; the course model refuses control characters and a
YAML reader folds line separators. Cleaning happens once, where the text leaves the deck.
"""

from __future__ import annotations

import re

from courses.model import LINE_MAX_CHARS

_BREAKS = re.compile("[\v\u2028\u2029\r\n]+")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(text: str, multiline: bool) -> str:
    """``text`` without control characters; soft and hard line breaks become ``\\n`` when
    ``multiline``, else a space. Tabs become spaces (a title or a run is one line)."""
    text = _BREAKS.sub("\n" if multiline else " ", text.replace("\r\n", "\n"))
    text = _CONTROL.sub("", text.replace("\t", " "))
    return text


def one_line(text: str, limit: int = LINE_MAX_CHARS) -> str:
    """``text`` on one line with runs of spaces collapsed, cut at a word to at most ``limit``
    characters (with an ellipsis) where the model allows no more."""
    text = " ".join(clean_text(text, multiline=False).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"
