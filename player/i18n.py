"""The player's interface in the learner's language: one message catalogue per language
(``messages/<lang>.json``), chosen by the course language, English where a catalogue or a message
is missing, and the writing direction of the language.

A message is a string with ``{name}`` placeholders, or a mapping of plural categories ("one",
"other", as CLDR names them) to such strings. Pages are rendered with the catalogue here; the
runtime gets the same catalogue in course.json and picks plural forms with ``Intl.PluralRules``,
so a message is written once for both.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

MESSAGES_DIR = Path(__file__).with_name("messages")
FALLBACK = "en"
# Languages written right to left (ISO 639 codes), so the page gets dir="rtl".
RTL = {"ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "syr", "ug", "ur", "yi"}

Message = str | dict[str, str]

# The messages the runtime shows (course.json carries these; the pages are rendered with the rest).
RUNTIME_KEYS = frozenset(
    {
        "next",
        "finish",
        "page.position",
        "page.announce",
        "progress.text",
        "load.error",
        "load.retry",
        "exit.title",
        "exit.passed",
        "exit.failed",
        "exit.completed",
        "exit.later",
        "exit.saved",
        "exit.notSaved",
        "quiz.answerFirst",
        "quiz.score",
        "quiz.passed",
        "quiz.notPassed",
        "quiz.attempt",
        "quiz.attemptAnnounce",
        "verdict.correct",
        "verdict.incorrect",
        "verdict.thanks",
        "verdict.partial",
        "question.number",
        "order.moved",
        "hotspot.none",
        "hotspot.picked",
        "hotspot.unpicked",
        "notice.unreadable",
        "notice.no-lms",
        "notice.no-session",
        "notice.no-storage",
        "results.title",
        "results.score",
        "results.revisit",
        "results.allRight",
        "results.unvisited",
        "results.exit",
        "narration.play",
        "narration.pause",
        "video.progress",
        "video.complete",
        "pager.watchFirst",
    }
)


def _base(language: str) -> str:
    return language.split("-")[0].lower()


@cache
def _catalogue(code: str) -> dict[str, Message]:
    path = MESSAGES_DIR / f"{code}.json"
    data: dict[str, Message] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return data


def catalogue(language: str) -> dict[str, Message]:
    """Every message in ``language`` (a BCP 47 tag), English for what it does not have."""
    return {**_catalogue(FALLBACK), **_catalogue(_base(language))}


def direction(language: str) -> str:
    """ "rtl" for a language written right to left, else "ltr"."""
    return "rtl" if _base(language) in RTL else "ltr"


def plural_category(language: str, count: float) -> str:
    """The CLDR plural category of ``count`` in ``language`` for the page, as ``Intl.PluralRules``
    gives it to the runtime: Arabic's six forms, and one/other for the other catalogues' languages
    (what every other language falls back to on the page)."""
    if _base(language) == "ar":  # zero, one, two, few (n % 100 in 3..10), many (11..99), other
        if count != int(count):
            return "other"
        n = abs(int(count))
        if n < 3:
            return ("zero", "one", "two")[n]
        return "few" if 3 <= n % 100 <= 10 else "many" if 11 <= n % 100 <= 99 else "other"
    return "one" if count == 1 else "other"


class Translator:
    """``t("key", name=value, ...)`` for the templates of one course."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.messages = catalogue(language)

    def __call__(self, key: str, count: float | None = None, **values: Any) -> str:
        message = self.messages[key]
        if count is not None:
            values.setdefault("count", count)
        if isinstance(message, dict):
            if count is None:
                raise ValueError(f"message {key!r} has plural forms: give count")
            message = message.get(plural_category(self.language, count), message["other"])
        return message.format(**values)
