"""The course document: one typed model that every door in and out of courseforge shares.

The YAML source format *is* this model (``courseforge schema`` prints its JSON Schema), so an
author's editor can autocomplete ``course.yaml`` and the loader can report a mistake with the
exact field path. Every section, page, block, question and choice carries a stable ``id``: resume
data, interactions and review comments point at ids, never at positions, so a course can be
reordered and republished without corrupting a learner's progress.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

LINE_MAX_CHARS = 1_000  # a title, a choice, alt text: one line, far longer than any author writes
TEXT_MAX_CHARS = 100_000  # Markdown, a prompt, a script: some 15,000 words in a single field
PATH_MAX_CHARS = 1_000

# C0 controls, DEL and C1 controls (pydantic itself refuses lone surrogates). Course text is
# shown in HTML, spoken and sent to the LMS: a NUL or an ESC in a title only ever breaks (or
# hides) something, so it is refused, with the place it is at.
_NOT_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab, LF and CR allowed
_NAMES = {0x00: "NUL", 0x09: "a tab", 0x0A: "a line break", 0x0D: "a carriage return", 0x1B: "ESC", 0x7F: "DEL"}


def first_control_character(text: str, multiline: bool) -> int | None:
    """Index of the first character of ``text`` that course text may not hold, or None.
    ``multiline`` text may hold tabs and line breaks."""
    found = (_NOT_IN_TEXT if multiline else _NOT_IN_LINE).search(text)
    return None if found is None else found.start()


def describe_character(character: str) -> str:
    """``the control character U+001B (ESC)``: how a message names a character nobody can see."""
    code = ord(character)
    if 0xD800 <= code <= 0xDFFF:
        return f"the lone surrogate U+{code:04X} (half of a character)"
    if code in (0x09, 0x0A, 0x0D):
        return f"{_NAMES[code]} (U+{code:04X})"
    name = _NAMES.get(code)
    return f"the control character U+{code:04X}{f' ({name})' if name else ''}"


def _plain_text(max_chars: int, multiline: bool) -> Callable[[str], str]:
    # The length is checked here, not with Field(max_length=...): a field's own, tighter
    # max_length (the course title's 200) must win, and pydantic keeps only one of two.
    def check(text: str) -> str:
        if len(text) > max_chars:
            raise PydanticCustomError(
                "string_too_long", "String should have at most {max_length} characters", {"max_length": max_chars}
            )
        index = first_control_character(text, multiline)
        if index is not None:
            fix = "keep this text on one line" if text[index] in "\t\n\r" else "remove it"
            raise ValueError(f"contains {describe_character(text[index])} at character {index + 1}; {fix}")
        return text

    return check


# Every text field is one of these two, so each is bounded and free of control characters.
Text = Annotated[str, AfterValidator(_plain_text(LINE_MAX_CHARS, multiline=False))]
MultilineText = Annotated[str, AfterValidator(_plain_text(TEXT_MAX_CHARS, multiline=True))]

StableId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
        description="Stable identifier: letters, digits, '-' and '_', at most 64 characters. "
        "Keep it when editing, so learners' saved progress still points at the right thing.",
    ),
]
RelativePath = Annotated[
    Text,
    Field(
        min_length=1,
        max_length=PATH_MAX_CHARS,
        description="Path of a file inside the course folder, with '/' separators.",
    ),
]


class Strict(BaseModel):
    """Base for every element: unknown keys are mistakes (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CompletionRule(str, Enum):
    """When the LMS is told the course is completed."""

    ALL_PAGES_VIEWED = "all_pages_viewed"
    QUIZ_PASSED = "quiz_passed"
    BOTH = "both"


class Navigation(str, Enum):
    """``free``: any page from the menu; ``linear``: a page opens once the one before was seen."""

    FREE = "free"
    LINEAR = "linear"


class Feedback(Strict):
    correct: MultilineText | None = Field(None, description="Shown after a correct answer (Markdown).")
    incorrect: MultilineText | None = Field(None, description="Shown after a wrong answer (Markdown).")


# --------------------------------------------------------------------------- questions
class QuestionBase(Strict):
    id: StableId
    prompt: MultilineText = Field(min_length=1, description="The question, in Markdown.")
    points: float = Field(1, gt=0, le=1000)
    feedback: Feedback = Field(default_factory=Feedback)


class Choice(Strict):
    id: StableId
    text: Text = Field(min_length=1)
    correct: bool = False
    feedback: MultilineText | None = Field(None, description="Shown when this choice is picked.")


class SingleChoice(QuestionBase):
    type: Literal["single_choice"]
    choices: list[Choice] = Field(min_length=2, max_length=26)

    @model_validator(mode="after")
    def _one_correct(self) -> SingleChoice:
        if sum(c.correct for c in self.choices) != 1:
            raise ValueError("a single_choice question needs exactly one choice with correct: true")
        return self


PARTIAL_CREDIT = (
    "Give part of the points for a partly right answer (the rule is the question type's); the LMS "
    "is still told 'incorrect' unless all of it is right, and the score counts the points earned."
)


class MultipleResponse(QuestionBase):
    """Every correct choice and no other. With ``partial_credit``, a partly right answer earns the
    points times (correct choices picked - wrong choices picked) / correct choices, never below 0
    (each wrong tick takes back a right one, so ticking every box pays only when few are wrong),
    rounded to 2 decimals."""

    type: Literal["multiple_response"]
    choices: list[Choice] = Field(min_length=2, max_length=26)
    partial_credit: bool = Field(False, description=PARTIAL_CREDIT)

    @model_validator(mode="after")
    def _some_correct(self) -> MultipleResponse:
        if not any(c.correct for c in self.choices):
            raise ValueError("a multiple_response question needs at least one choice with correct: true")
        return self


class TrueFalse(QuestionBase):
    type: Literal["true_false"]
    answer: bool


class FillIn(QuestionBase):
    type: Literal["fill_in"]
    accepted: list[Annotated[Text, Field(min_length=1, max_length=250)]] = Field(
        min_length=1, description="Every answer counted as correct (surrounding spaces are ignored)."
    )
    case_sensitive: bool = False


class FreeText(QuestionBase):
    """A written answer of a few sentences: unscored (a reflection; the LMS still gets the text), or
    right when it uses every one of ``keywords`` (letter case ignored)."""

    type: Literal["free_text"]
    keywords: list[Annotated[Text, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20, description="Words a right answer must all contain; none = unscored."
    )
    max_length: int = Field(1000, ge=10, le=4000, description="Longest answer a learner can write, in characters.")


Finite = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
"""A number a learner can type and an LMS can store (SCORM's real(10,7) holds about 15 digits)."""


class Numeric(QuestionBase):
    """A typed number: ``answer`` give or take ``tolerance``, or anything from ``min`` to ``max``."""

    type: Literal["numeric"]
    answer: Finite | None = Field(None, description="The right number (with an optional tolerance).")
    tolerance: Finite = Field(0, ge=0, description="How far from the answer still counts as right.")
    min: Finite | None = Field(None, description="Lowest right number, with max, instead of answer.")
    max: Finite | None = Field(None, description="Highest right number, with min, instead of answer.")
    unit: Text | None = Field(None, max_length=20, description="Shown after the answer box, e.g. km or %.")

    @model_validator(mode="after")
    def _one_form(self) -> Numeric:
        if self.answer is not None:
            if self.min is not None or self.max is not None:
                raise ValueError("a numeric question takes either 'answer' (and 'tolerance') or 'min' and 'max'")
        elif self.min is None or self.max is None:
            raise ValueError("a numeric question needs 'answer', or both 'min' and 'max'")
        elif self.tolerance:
            raise ValueError("'tolerance' goes with 'answer'; with 'min' and 'max' the range is the tolerance")
        elif self.min > self.max:
            raise ValueError(f"'min' ({self.min:g}) is more than 'max' ({self.max:g})")
        return self

    def bounds(self) -> tuple[float, float]:
        """The lowest and highest number that count as right."""
        if self.answer is not None:
            return self.answer - self.tolerance, self.answer + self.tolerance
        assert self.min is not None and self.max is not None  # the validator saw to it
        return self.min, self.max


class MatchPair(Strict):
    id: StableId
    source: Text = Field(min_length=1, description="Left-hand item.")
    target: Text = Field(min_length=1, description="The right-hand item it matches.")


class Matching(QuestionBase):
    """Each source matched to its target. With ``partial_credit``, a partly right answer earns the
    points times the pairs matched right / the pairs, rounded to 2 decimals."""

    type: Literal["matching"]
    pairs: list[MatchPair] = Field(min_length=2, max_length=20)
    partial_credit: bool = Field(False, description=PARTIAL_CREDIT)


class OrderItem(Strict):
    id: StableId
    text: Text = Field(min_length=1)


class Ordering(QuestionBase):
    """Items put in order. With ``partial_credit``, a partly right answer earns the points times
    (K - 1) / (items - 1), where K is the most items already in the right order relative to one
    another (the longest run, not necessarily adjacent, that could stay while the others move),
    rounded to 2 decimals. Counting places instead would give nothing for one item moved from the
    end to the start, though only that item is wrong; this way it loses one step, and a list in
    reverse order earns nothing."""

    type: Literal["ordering"]
    items: list[OrderItem] = Field(min_length=2, max_length=20, description="In the correct order.")
    partial_credit: bool = Field(False, description=PARTIAL_CREDIT)


LIKERT_POINTS = (2, 11)
"""Fewest and most points a scale may have: a choice needs two, and 0..10 (eleven) is the widest
scale in common use; SCORM 1.2 reports a point as one character, which holds at most 36."""


# The length is checked before the text rules, so an empty label reads "must not be empty".
ScaleLabel = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_plain_text(LINE_MAX_CHARS, False))]


class Statement(Strict):
    id: StableId
    text: Text = Field(min_length=1, description="What the learner rates, e.g. 'The examples were clear'.")


class Likert(QuestionBase):
    """Statements each rated on one scale: a survey, never scored (it counts toward no score or
    pass mark, whatever its ``points``) and still reported to the LMS, one likert interaction per
    statement, so the answers can be reported on."""

    type: Literal["likert"]
    statements: list[Statement] = Field(min_length=1, max_length=20, description="Rated one by one, in this order.")
    scale: list[ScaleLabel] | None = Field(
        None,
        min_length=LIKERT_POINTS[0],
        max_length=LIKERT_POINTS[1],
        description="The scale's labels, lowest first; none: five points, 'Strongly disagree' to "
        "'Strongly agree' in the course's language.",
    )

    @model_validator(mode="after")
    def _distinct(self) -> Likert:
        texts = [s.text.casefold() for s in self.statements]
        for statement in self.statements:
            if texts.count(statement.text.casefold()) > 1:
                raise ValueError(f"the statement {statement.text!r} is there twice; rate each one once")
        seen: set[str] = set()
        for label in self.scale or []:
            if label.casefold() in seen:
                raise ValueError(f"the scale has the label {label!r} twice; each point needs its own label")
            seen.add(label.casefold())
        return self


Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
REGION_COORDS = {"rectangle": "x, y, width, height", "circle": "x, y, radius", "polygon": "x1, y1, x2, y2, x3, y3..."}


class Region(Strict):
    """A part of a hotspot question's image. Coordinates are percentages of the image's width
    (x) and height (y) from its top left corner, so a region stays on its part of the picture at
    whatever size the image is shown or made; a circle's radius is a percentage of the width."""

    id: StableId
    label: Text = Field(
        min_length=1, description="What this part of the image is; keyboard and screen reader users pick by it."
    )
    shape: Literal["rectangle", "circle", "polygon"]
    coords: list[Percent] = Field(
        min_length=3,
        max_length=100,
        description="rectangle: x, y, width, height; circle: x, y, radius; polygon: x, y of each corner.",
    )
    correct: bool = False

    @model_validator(mode="after")
    def _fits(self) -> Region:
        c = self.coords
        wanted = REGION_COORDS[self.shape]
        if self.shape == "rectangle":
            if len(c) != 4:
                raise ValueError(f"a rectangle takes 4 coords ({wanted}), not {len(c)}")
            if c[2] <= 0 or c[3] <= 0:
                raise ValueError("a rectangle needs a width and a height above 0")
            if c[0] + c[2] > 100 or c[1] + c[3] > 100:
                raise ValueError("the rectangle runs off the image: x + width and y + height must be at most 100")
        elif self.shape == "circle":
            if len(c) != 3:
                raise ValueError(f"a circle takes 3 coords ({wanted}), not {len(c)}")
            if c[2] <= 0:
                raise ValueError("a circle needs a radius above 0")
        elif len(c) < 6 or len(c) % 2:
            raise ValueError(f"a polygon takes an x and a y for each of 3 corners or more ({wanted}), not {len(c)}")
        return self


class Hotspot(QuestionBase):
    """Parts of an image to pick: the learner taps or clicks them on the image, or picks them by
    label from a list (keyboard, screen reader). With one correct region it is one pick, with
    several every correct region and no other; reported as a choice of region ids."""

    type: Literal["hotspot"]
    image: RelativePath = Field(description="The image, a file in the course folder.")
    alt: Text = Field(min_length=1, description="What the image shows, read by screen readers. Required.")
    regions: list[Region] = Field(min_length=2, max_length=26, description="Checked in this order; the first hit wins.")

    @model_validator(mode="after")
    def _some_correct(self) -> Hotspot:
        if not any(r.correct for r in self.regions):
            raise ValueError("a hotspot question needs at least one region with correct: true")
        return self

    def multiple(self) -> bool:
        """Whether the learner picks several regions (more than one is correct)."""
        return sum(r.correct for r in self.regions) > 1


Question = Annotated[
    SingleChoice | MultipleResponse | TrueFalse | FillIn | FreeText | Numeric | Likert | Hotspot | Matching | Ordering,
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- blocks
class TextBlock(Strict):
    type: Literal["text"]
    id: StableId
    file: RelativePath | None = Field(None, description="A Markdown file in the course folder.")
    markdown: MultilineText | None = Field(None, description="Inline Markdown, instead of a file.")

    @model_validator(mode="after")
    def _one_source(self) -> TextBlock:
        if (self.file is None) == (self.markdown is None):
            raise ValueError("a text block needs exactly one of 'file' or 'markdown'")
        return self


class ImageBlock(Strict):
    type: Literal["image"]
    id: StableId
    src: RelativePath
    alt: Text = Field(min_length=1, description="What the image shows, read by screen readers. Required.")
    caption: Text | None = None


class VideoBlock(Strict):
    type: Literal["video"]
    id: StableId
    src: RelativePath
    title: Text = Field(min_length=1, description="Accessible name of the video.")
    captions: RelativePath | None = Field(None, description="A WebVTT captions file.")
    poster: RelativePath | None = Field(None, description="Still image; made from the video if absent.")
    complete_at: int | None = Field(
        None,
        ge=1,
        le=100,
        description="Percent of the video a learner must have watched (played, not skipped by seeking) "
        "before its page counts as complete. None: the video does not hold back completion.",
    )


class NarrationBlock(Strict):
    """Voice-over: a recorded audio file, or a script spoken by the text-to-speech engine."""

    type: Literal["narration"]
    id: StableId
    src: RelativePath | None = Field(None, description="A recorded audio file.")
    script: MultilineText | None = Field(None, description="Text to synthesise when there is no recording.")
    transcript: MultilineText | None = Field(None, description="Text shown to learners; defaults to the script.")
    captions: RelativePath | None = Field(None, description="A WebVTT captions file for the recording.")

    @model_validator(mode="after")
    def _one_source(self) -> NarrationBlock:
        if (self.src is None) == (self.script is None):
            raise ValueError("a narration block needs exactly one of 'src' (a recording) or 'script' (text to speak)")
        return self


class QuizBlock(Strict):
    type: Literal["quiz"]
    id: StableId
    title: Text = Field(min_length=1)
    pass_mark: int | None = Field(
        None, ge=0, le=100, description="Percent needed to pass; defaults to the course's passing_score."
    )
    attempts: int = Field(0, ge=0, le=100, description="Attempts allowed; 0 means unlimited.")
    shuffle: bool = Field(False, description="Shuffle choices and items for each learner.")
    questions: list[Question] = Field(min_length=1)
    # After ``questions``: its check reads them, and pydantic hands a validator only earlier fields.
    draw: int | None = Field(
        None,
        ge=1,
        description="A question bank: each attempt shows this many of the questions, drawn at random "
        "per learner and attempt and kept when the learner resumes, even after a republish; the score "
        "counts the drawn questions only. None: every question, every attempt.",
    )

    @field_validator("draw")
    @classmethod
    def _draw_fits(cls, draw: int | None, info: ValidationInfo) -> int | None:
        questions = info.data.get("questions")
        if draw is not None and questions is not None and draw > len(questions):
            raise ValueError(
                f"draw ({draw}) is more than the quiz's {len(questions)} questions; "
                f"draw at most {len(questions)}, or add questions"
            )
        return draw


Block = Annotated[
    TextBlock | ImageBlock | VideoBlock | NarrationBlock | QuizBlock,
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- structure
class Page(Strict):
    id: StableId
    title: Text = Field(min_length=1)
    blocks: list[Block] = Field(min_length=1)


class Section(Strict):
    id: StableId
    title: Text = Field(min_length=1)
    pages: list[Page] = Field(min_length=1)


class Voice(Strict):
    """Text-to-speech settings for narration scripts."""

    engine: Literal["espeak-ng"] = "espeak-ng"
    voice: Text | None = Field(None, description="Engine voice name; defaults to the course language.")
    speed: int = Field(160, ge=80, le=450, description="Words per minute.")


HexColour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="A colour as #rrggbb, e.g. #b3261e.")]


class Theme(Strict):
    """The course's brand in the player: its accent colour (links, buttons, progress, focus of the
    current page) for light and dark screens, a type family and a logo. The player checks the colours'
    contrast when the course is built, so a brand colour can never make text unreadable."""

    accent: HexColour | None = Field(None, description="Accent on light screens; default the player's blue.")
    accent_dark: HexColour | None = Field(None, description="Accent on dark screens (a lighter shade).")
    font: Literal["sans", "serif", "rounded"] = Field("sans", description="The type family of the whole course.")
    logo: RelativePath | None = Field(
        None, description="An image in the course folder shown before the course title in the player's top bar."
    )


class Course(Strict):
    id: StableId
    title: Text = Field(min_length=1, max_length=200)
    language: Text = Field("en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", description="BCP 47 language tag.")
    description: MultilineText = ""
    version: Text = Field("1.0.0", min_length=1, max_length=64)
    completion: CompletionRule = CompletionRule.ALL_PAGES_VIEWED
    passing_score: int = Field(80, ge=0, le=100, description="Percent of all quiz points needed to pass.")
    navigation: Navigation = Navigation.FREE
    voice: Voice = Field(default_factory=Voice)
    theme: Theme = Field(default_factory=Theme)
    sections: list[Section] = Field(min_length=1)

    def pages(self) -> list[Page]:
        """Every page in reading order."""
        return [page for section in self.sections for page in section.pages]

    def quizzes(self) -> list[QuizBlock]:
        return [b for page in self.pages() for b in page.blocks if isinstance(b, QuizBlock)]

    @model_validator(mode="after")
    def _quiz_rule_needs_quiz(self) -> Course:
        if self.completion != CompletionRule.ALL_PAGES_VIEWED and not self.quizzes():
            raise ValueError(f"completion '{self.completion.value}' needs at least one quiz block")
        return self
