"""The bundled sample course loads cleanly and shows off every kind of content the model supports.

The sample doubles as the demo and as the fixture other tests build, so when a block or question
type is added to the model, this test fails until the sample uses it too.
"""
from __future__ import annotations

from pathlib import Path
from typing import get_args


from courses.loader import load_course
from courses.model import Block, NarrationBlock, Question, TextBlock

SAMPLE = Path(__file__).resolve().parents[1] / "courses" / "samples" / "security-basics"


def type_names(union: object) -> set[str]:
    """The ``type`` literals of a discriminated union such as ``Block`` or ``Question``."""
    members = get_args(get_args(union)[0])
    return {get_args(member.model_fields["type"].annotation)[0] for member in members}


def test_sample_uses_every_block_and_question_type():
    course = load_course(SAMPLE)
    blocks = [block for page in course.pages() for block in page.blocks]
    questions = [question for quiz in course.quizzes() for question in quiz.questions]

    assert {block.type for block in blocks} == type_names(Block)
    assert {question.type for question in questions} == type_names(Question)
    assert 10 <= len(course.pages()) <= 14

    narrations = [b for b in blocks if isinstance(b, NarrationBlock)]
    assert any(n.src and n.captions and n.transcript for n in narrations)
    assert any(n.script for n in narrations)
    texts = [b for b in blocks if isinstance(b, TextBlock)]
    assert any(t.file for t in texts) and any(t.file is None for t in texts)
    assert all(t.markdown or (SAMPLE / t.file).read_text(encoding="utf-8").strip() for t in texts)
