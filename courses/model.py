"""The course document: one typed model that every door in and out of courseforge shares.

The YAML source format *is* this model (``courseforge schema`` prints its JSON Schema), so an
author's editor can autocomplete ``course.yaml`` and the loader can report a mistake with the
exact field path. Every section, page, block, question and choice carries a stable ``id``: resume
data, interactions and review comments point at ids, never at positions, so a course can be
reordered and republished without corrupting a learner's progress.
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

StableId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
        description="Stable identifier: letters, digits, '-' and '_', at most 64 characters. "
        "Keep it when editing, so learners' saved progress still points at the right thing.",
    ),
]
RelativePath = Annotated[
    str,
    Field(min_length=1, description="Path of a file inside the course folder, with '/' separators."),
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
    correct: str | None = Field(None, description="Shown after a correct answer (Markdown).")
    incorrect: str | None = Field(None, description="Shown after a wrong answer (Markdown).")


# --------------------------------------------------------------------------- questions
class QuestionBase(Strict):
    id: StableId
    prompt: str = Field(min_length=1, description="The question, in Markdown.")
    points: float = Field(1, gt=0, le=1000)
    feedback: Feedback = Field(default_factory=Feedback)


class Choice(Strict):
    id: StableId
    text: str = Field(min_length=1)
    correct: bool = False
    feedback: str | None = Field(None, description="Shown when this choice is picked.")


class SingleChoice(QuestionBase):
    type: Literal["single_choice"]
    choices: list[Choice] = Field(min_length=2, max_length=26)

    @model_validator(mode="after")
    def _one_correct(self) -> SingleChoice:
        if sum(c.correct for c in self.choices) != 1:
            raise ValueError("a single_choice question needs exactly one choice with correct: true")
        return self


class MultipleResponse(QuestionBase):
    type: Literal["multiple_response"]
    choices: list[Choice] = Field(min_length=2, max_length=26)

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
    accepted: list[Annotated[str, Field(min_length=1, max_length=250)]] = Field(
        min_length=1, description="Every answer counted as correct (surrounding spaces are ignored)."
    )
    case_sensitive: bool = False


class MatchPair(Strict):
    id: StableId
    source: str = Field(min_length=1, description="Left-hand item.")
    target: str = Field(min_length=1, description="The right-hand item it matches.")


class Matching(QuestionBase):
    type: Literal["matching"]
    pairs: list[MatchPair] = Field(min_length=2, max_length=20)


class OrderItem(Strict):
    id: StableId
    text: str = Field(min_length=1)


class Ordering(QuestionBase):
    type: Literal["ordering"]
    items: list[OrderItem] = Field(min_length=2, max_length=20, description="In the correct order.")


Question = Annotated[
    Union[SingleChoice, MultipleResponse, TrueFalse, FillIn, Matching, Ordering],
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- blocks
class TextBlock(Strict):
    type: Literal["text"]
    id: StableId
    file: RelativePath | None = Field(None, description="A Markdown file in the course folder.")
    markdown: str | None = Field(None, description="Inline Markdown, instead of a file.")

    @model_validator(mode="after")
    def _one_source(self) -> TextBlock:
        if (self.file is None) == (self.markdown is None):
            raise ValueError("a text block needs exactly one of 'file' or 'markdown'")
        return self


class ImageBlock(Strict):
    type: Literal["image"]
    id: StableId
    src: RelativePath
    alt: str = Field(
        min_length=1, description="What the image shows, read by screen readers. Required."
    )
    caption: str | None = None


class VideoBlock(Strict):
    type: Literal["video"]
    id: StableId
    src: RelativePath
    title: str = Field(min_length=1, description="Accessible name of the video.")
    captions: RelativePath | None = Field(None, description="A WebVTT captions file.")
    poster: RelativePath | None = Field(None, description="Still image; made from the video if absent.")


class NarrationBlock(Strict):
    """Voice-over: a recorded audio file, or a script spoken by the text-to-speech engine."""

    type: Literal["narration"]
    id: StableId
    src: RelativePath | None = Field(None, description="A recorded audio file.")
    script: str | None = Field(None, description="Text to synthesise when there is no recording.")
    transcript: str | None = Field(None, description="Text shown to learners; defaults to the script.")
    captions: RelativePath | None = Field(None, description="A WebVTT captions file for the recording.")

    @model_validator(mode="after")
    def _one_source(self) -> NarrationBlock:
        if (self.src is None) == (self.script is None):
            raise ValueError("a narration block needs exactly one of 'src' (a recording) or 'script' (text to speak)")
        return self


class QuizBlock(Strict):
    type: Literal["quiz"]
    id: StableId
    title: str = Field(min_length=1)
    pass_mark: int | None = Field(
        None, ge=0, le=100, description="Percent needed to pass; defaults to the course's passing_score."
    )
    attempts: int = Field(0, ge=0, le=100, description="Attempts allowed; 0 means unlimited.")
    shuffle: bool = Field(False, description="Shuffle choices and items for each learner.")
    questions: list[Question] = Field(min_length=1)


Block = Annotated[
    Union[TextBlock, ImageBlock, VideoBlock, NarrationBlock, QuizBlock],
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- structure
class Page(Strict):
    id: StableId
    title: str = Field(min_length=1)
    blocks: list[Block] = Field(min_length=1)


class Section(Strict):
    id: StableId
    title: str = Field(min_length=1)
    pages: list[Page] = Field(min_length=1)


class Voice(Strict):
    """Text-to-speech settings for narration scripts."""

    engine: Literal["espeak-ng"] = "espeak-ng"
    voice: str | None = Field(None, description="Engine voice name; defaults to the course language.")
    speed: int = Field(160, ge=80, le=450, description="Words per minute.")


class Course(Strict):
    id: StableId
    title: str = Field(min_length=1, max_length=200)
    language: str = Field(
        "en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", description="BCP 47 language tag."
    )
    description: str = ""
    version: str = Field("1.0.0", min_length=1, max_length=64)
    completion: CompletionRule = CompletionRule.ALL_PAGES_VIEWED
    passing_score: int = Field(80, ge=0, le=100, description="Percent of all quiz points needed to pass.")
    navigation: Navigation = Navigation.FREE
    voice: Voice = Field(default_factory=Voice)
    sections: list[Section] = Field(min_length=1)

    _root: Path | None = PrivateAttr(None)

    @property
    def root(self) -> Path:
        """The course folder this course was loaded from (files are resolved against it)."""
        if self._root is None:
            raise RuntimeError(f"course {self.id!r} was not loaded from a folder")
        return self._root

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
