"""What the importer reads out of a deck, before any file is written or id decided.

``slides`` and ``pictures`` fill these in from python-pptx; ``course_folder`` turns them into a
course. Keeping them apart from both lets each side be tested without the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unmapped:
    """Content with no course block of its own: ``kind`` (chart, SmartArt, ...) and what happened to it."""

    kind: str
    detail: str


@dataclass(frozen=True)
class Picture:
    shape_id: int
    name: str
    blob: bytes
    ext: str
    alt: str | None  # None: the deck gives no usable description
    alt_note: str | None = None  # why the alt text needs the author's eye (generated, the file name)


@dataclass(frozen=True)
class Media:
    kind: str  # "video" or "audio"
    shape_id: int
    name: str
    blob: bytes
    ext: str
    title: str
    poster: Picture | None = None


@dataclass
class Slide:
    number: int  # 1-based position in the deck (page N is slide N)
    slide_id: int  # PowerPoint's own id: kept when slides are added, deleted or moved
    hidden: bool
    title: str | None  # None: no title placeholder with text
    markdown: str = ""
    plain: list[str] = field(default_factory=list)  # the slide's text, for the slide image's alt text
    notes: str = ""
    pictures: list[Picture] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    decorative: int = 0  # pictures marked decorative in the deck: shown in the slide image only


@dataclass(frozen=True)
class Deck:
    title: str
    language: str | None
    slides: list[Slide]
