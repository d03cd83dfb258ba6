"""The course model's own rules, checked on plain data (no files involved)."""
from __future__ import annotations

import re

import copy

import pytest
from pydantic import ValidationError

from courses.model import (
    Course,
    FillIn,
    ImageBlock,
    Matching,
    MultipleResponse,
    NarrationBlock,
    Ordering,
    QuizBlock,
    SingleChoice,
    TextBlock,
    TrueFalse,
    VideoBlock,
)

QUESTIONS = [
    {"type": "single_choice", "id": "q1", "prompt": "Pick one",
     "choices": [{"id": "q1a", "text": "A", "correct": True}, {"id": "q1b", "text": "B"}]},
    {"type": "multiple_response", "id": "q2", "prompt": "Pick some",
     "choices": [{"id": "q2a", "text": "A", "correct": True}, {"id": "q2b", "text": "B", "correct": True}]},
    {"type": "true_false", "id": "q3", "prompt": "True?", "answer": False},
    {"type": "fill_in", "id": "q4", "prompt": "Capital of France?", "accepted": ["Paris"]},
    {"type": "matching", "id": "q5", "prompt": "Match",
     "pairs": [{"id": "m1", "source": "1", "target": "one"}, {"id": "m2", "source": "2", "target": "two"}]},
    {"type": "ordering", "id": "q6", "prompt": "Order",
     "items": [{"id": "o1", "text": "first"}, {"id": "o2", "text": "second"}]},
]


def course_data(blocks: list[dict] | None = None, **fields) -> dict:
    blocks = blocks if blocks is not None else [
        {"type": "text", "id": "b1", "markdown": "# Hello"},
        {"type": "image", "id": "b2", "src": "media/a.png", "alt": "A diagram"},
        {"type": "video", "id": "b3", "src": "media/v.mp4", "title": "Intro"},
        {"type": "narration", "id": "b4", "script": "Welcome."},
        {"type": "quiz", "id": "b5", "title": "Check", "questions": copy.deepcopy(QUESTIONS)},
    ]
    data = {"id": "c1", "title": "Course", "sections": [
        {"id": "s1", "title": "Section", "pages": [{"id": "p1", "title": "Page", "blocks": blocks}]}]}
    data.update(fields)
    return data


def errors_of(data: dict) -> list[tuple[tuple, str]]:
    with pytest.raises(ValidationError) as caught:
        Course.model_validate(data)
    return [(e["loc"], e["msg"]) for e in caught.value.errors()]


def test_defaults_of_a_minimal_course():
    course = Course.model_validate(course_data([{"type": "text", "id": "b1", "markdown": "x"}]))
    assert (course.language, course.version, course.passing_score) == ("en", "1.0.0", 80)
    assert course.completion.value == "all_pages_viewed"
    assert course.navigation.value == "free"
    assert course.voice.engine == "espeak-ng" and course.voice.speed == 160


def test_type_selects_the_block_and_question_class():
    course = Course.model_validate(course_data())
    blocks = course.pages()[0].blocks
    assert [type(b) for b in blocks] == [TextBlock, ImageBlock, VideoBlock, NarrationBlock, QuizBlock]
    assert [type(q) for q in course.quizzes()[0].questions] == [
        SingleChoice, MultipleResponse, TrueFalse, FillIn, Matching, Ordering]


def test_unknown_block_type_is_rejected_by_the_discriminator():
    data = course_data([{"type": "slideshow", "id": "b1"}])
    [(loc, msg)] = errors_of(data)
    assert loc == ("sections", 0, "pages", 0, "blocks", 0)
    assert "'slideshow'" in msg


def test_fields_of_another_block_type_are_unknown_fields():
    data = course_data([{"type": "image", "id": "b1", "src": "a.png", "alt": "x", "captions": "c.vtt"}])
    [(loc, msg)] = errors_of(data)
    assert loc[-2:] == ("image", "captions") and msg == "Extra inputs are not permitted"


@pytest.mark.parametrize("correct_flags", [(False, False), (True, True)])
def test_single_choice_needs_exactly_one_correct(correct_flags):
    question = copy.deepcopy(QUESTIONS[0])
    for choice, flag in zip(question["choices"], correct_flags):
        choice["correct"] = flag
    data = course_data([{"type": "quiz", "id": "b1", "title": "Q", "questions": [question]}])
    [(_, msg)] = errors_of(data)
    assert msg == "Value error, a single_choice question needs exactly one choice with correct: true"


def test_multiple_response_needs_at_least_one_correct():
    question = copy.deepcopy(QUESTIONS[1])
    for choice in question["choices"]:
        choice["correct"] = False
    [(_, msg)] = errors_of(course_data([{"type": "quiz", "id": "b1", "title": "Q", "questions": [question]}]))
    assert msg == "Value error, a multiple_response question needs at least one choice with correct: true"


@pytest.mark.parametrize("good", ["a", "A9", "intro_1", "p-x7k2qa", "9lives", "x" * 64])
def test_valid_ids(good):
    Course.model_validate(course_data(id=good))


@pytest.mark.parametrize("bad", ["", "-lead", "_lead", "has space", "naïve", "a.b", "x" * 65])
def test_invalid_ids(bad):
    [(loc, msg)] = errors_of(course_data(id=bad))
    assert loc == ("id",)
    assert msg.startswith("String should match pattern")


@pytest.mark.parametrize("rule", ["quiz_passed", "both"])
def test_completion_by_quiz_needs_a_quiz(rule):
    no_quiz = course_data([{"type": "text", "id": "b1", "markdown": "x"}], completion=rule)
    [(loc, msg)] = errors_of(no_quiz)
    assert loc == () and msg == f"Value error, completion '{rule}' needs at least one quiz block"
    assert Course.model_validate(course_data(completion=rule)).completion.value == rule


@pytest.mark.parametrize("block", [
    {"type": "text", "id": "b1"},
    {"type": "text", "id": "b1", "file": "a.md", "markdown": "x"},
    {"type": "narration", "id": "b1"},
    {"type": "narration", "id": "b1", "src": "a.mp3", "script": "x"},
])
def test_text_and_narration_need_exactly_one_source(block):
    [(_, msg)] = errors_of(course_data([block]))
    assert "needs exactly one of" in msg


def test_unknown_keys_are_mistakes_everywhere():
    data = course_data(passing_scroe=70)
    data["sections"][0]["pages"][0]["titel"] = "typo"
    locs = [loc for loc, _ in errors_of(data)]
    assert locs == [("sections", 0, "pages", 0, "titel"), ("passing_scroe",)]


@pytest.mark.parametrize("field,value", [
    ("passing_score", 101), ("passing_score", -1), ("language", "english"), ("title", ""), ("title", "x" * 201),
])
def test_course_field_limits(field, value):
    [(loc, _)] = errors_of(course_data(**{field: value}))
    assert loc == (field,)


def test_points_must_be_positive_and_lists_have_minimums():
    data = course_data()
    quiz = data["sections"][0]["pages"][0]["blocks"][4]
    quiz["questions"][2]["points"] = 0
    quiz["questions"][5]["items"] = quiz["questions"][5]["items"][:1]
    locs = [loc[-1] for loc, _ in errors_of(data)]
    assert locs == ["points", "items"]


def test_whitespace_around_text_is_stripped():
    course = Course.model_validate(course_data(title="  Course  "))
    assert course.title == "Course"


def test_pages_and_quizzes_in_reading_order():
    data = course_data()
    data["sections"].append({"id": "s2", "title": "Two", "pages": [
        {"id": "p2", "title": "P2", "blocks": [{"type": "text", "id": "b9", "markdown": "x"}]},
        {"id": "p3", "title": "P3", "blocks": [{"type": "quiz", "id": "b10", "title": "Q2", "questions": [
            {"type": "true_false", "id": "q9", "prompt": "x", "answer": True}]}]},
    ]})
    course = Course.model_validate(data)
    assert [p.id for p in course.pages()] == ["p1", "p2", "p3"]
    assert [q.id for q in course.quizzes()] == ["b5", "b10"]


def test_a_loaded_course_round_trips_through_its_dump():
    """The model knows no disk: a loaded course dumped (as Python or as JSON) and validated again
    is the same course, which is how the editor stores and reloads it."""
    from pathlib import Path

    from courses.loader import load_course

    course = load_course(Path(__file__).resolve().parents[1] / "courses" / "samples" / "security-basics")
    assert Course.model_validate(course.model_dump()) == course
    assert Course.model_validate_json(course.model_dump_json()) == course
    assert not hasattr(course, "root")


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "a numeric question needs 'answer', or both 'min' and 'max'"),
    ({"min": 1}, "a numeric question needs 'answer', or both 'min' and 'max'"),
    ({"answer": 3, "min": 1, "max": 5}, "a numeric question takes either 'answer' (and 'tolerance') or 'min' and 'max'"),
    ({"min": 1, "max": 5, "tolerance": 1}, "'tolerance' goes with 'answer'; with 'min' and 'max' the range is the tolerance"),
    ({"min": 5, "max": 1}, "'min' (5) is more than 'max' (1)"),
])
def test_a_numeric_question_has_one_right_range(fields, message):
    from courses.model import Numeric

    with pytest.raises(ValueError, match=re.escape(message)):
        Numeric.model_validate({"type": "numeric", "id": "q", "prompt": "How many?", **fields})
    assert Numeric.model_validate({"type": "numeric", "id": "q", "prompt": "?", "answer": 10, "tolerance": 0.5}).bounds() == (
        9.5, 10.5)


LIKERT_YAML = """\
id: survey
title: Survey
sections:
  - id: s-1
    title: One
    pages:
      - id: p-1
        title: Your view
        blocks:
          - type: quiz
            id: quiz-view
            title: Your view
            questions:
              - type: likert
                id: q-view
                prompt: How far do you agree?
{rest}"""


@pytest.mark.parametrize(("rest", "message"), [
    ("                statements: []\n",
     "course.yaml:17: sections[0].pages[0].blocks[0].questions[0].statements: needs at least 1 item, has 0"),
    ("                statements:\n" + "".join(f"                  - {{id: l-{n}, text: S{n}}}\n" for n in range(21)),
     "course.yaml:17: sections[0].pages[0].blocks[0].questions[0].statements: allows at most 20 items, has 21"),
    ("                statements: [{id: l-a, text: Clear}]\n                scale: [Only]\n",
     "course.yaml:18: sections[0].pages[0].blocks[0].questions[0].scale: needs at least 2 items, has 1"),
    ("                statements: [{id: l-a, text: Clear}]\n                scale: [" + ", ".join(map(str, range(12))) + "]\n",
     "course.yaml:18: sections[0].pages[0].blocks[0].questions[0].scale: allows at most 11 items, has 12"),
    ("                statements: [{id: l-a, text: Clear}]\n                scale: [Low, High, low]\n",
     "the scale has the label 'low' twice; each point needs its own label"),
    ("                statements: [{id: l-a, text: Clear}, {id: l-b, text: clear}]\n",
     "course.yaml:14: sections[0].pages[0].blocks[0].questions[0]: the statement 'Clear' is there twice; rate each "
     "one once"),
    ("                statements: [{id: l-a, text: Clear}]\n                scale: [Low, '']\n",
     "course.yaml:18: sections[0].pages[0].blocks[0].questions[0].scale[1]: must not be empty"),
])
def test_a_likert_question_needs_statements_and_a_scale_of_2_to_11_distinct_points(tmp_path, rest, message):
    from courses.loader import check_course

    (tmp_path / "course.yaml").write_text(LIKERT_YAML.format(rest=rest))
    problems = [str(p) for p in check_course(tmp_path)]
    assert len(problems) == 1 and message in problems[0], problems


def test_a_likert_question_defaults_to_five_points_and_takes_the_authors_own():
    from courses.model import Likert

    base = {"type": "likert", "id": "q", "prompt": "?", "statements": [{"id": "l-a", "text": "Clear"}]}
    assert Likert.model_validate(base).scale is None
    assert Likert.model_validate({**base, "scale": ["No", "Yes"]}).scale == ["No", "Yes"]
    assert Likert.model_validate({**base, "scale": [str(n) for n in range(11)]}).scale[-1] == "10"
