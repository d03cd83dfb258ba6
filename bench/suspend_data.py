"""Suspend data size: how long the resume string gets for a big course, against SCORM 1.2's
4,096-character cmi.suspend_data.

Builds a 100-page course with 100 quiz questions (all eight question types) from the course model,
renders its course.json through the player, makes a state where every page is visited and every
question answered, and encodes it with the player's own state.js in Node. Two learners:

* typical: answers as people give them (a few choices ticked, short typed answers);
* maximal: the model's upper bounds on every question (26 choices all ticked, 20 matching
  pairs, 20 ordering items, 250-character typed answers): the worst case, for the record.

Run: .venv/bin/python bench/suspend_data.py   (or python -m bench.suspend_data)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from courses.model import Course  # noqa: E402

STATE_JS = REPO / "player" / "static" / "js" / "state.js"
SCORM12_LIMIT = 4096
TYPES = ("single_choice", "multiple_response", "true_false", "fill_in", "free_text", "numeric", "matching", "ordering")


def _question(n: int, kind: str, size: str) -> dict[str, Any]:
    """Question number ``n`` of type ``kind``; ``size`` "typical" or "maximal" sets how many items."""
    big = size == "maximal"
    qid = f"question-{n:03d}-{kind.replace('_', '-')}"
    base = {"id": qid, "type": kind, "prompt": f"Question {n}: which is right?"}
    if kind in ("single_choice", "multiple_response"):
        count = 26 if big else (4 if kind == "single_choice" else 5)
        choices = [{"id": f"{qid}-choice-{i:02d}", "text": f"Option {i}", "correct": i in (0, 2)} for i in range(count)]
        if kind == "single_choice":
            choices[2]["correct"] = False
        return {**base, "choices": choices}
    if kind == "true_false":
        return {**base, "answer": n % 2 == 0}
    if kind == "fill_in":
        return {**base, "accepted": ["password manager", "a password manager"]}
    if kind == "numeric":
        return {**base, "min": 5, "max": 8}
    if kind == "free_text":
        return {**base, "max_length": 250}
    if kind == "matching":
        count = 20 if big else 4
        return {
            **base,
            "pairs": [
                {"id": f"{qid}-pair-{i:02d}", "source": f"Term {i}", "target": f"Meaning {i}"} for i in range(count)
            ],
        }
    count = 20 if big else 5
    return {**base, "items": [{"id": f"{qid}-step-{i:02d}", "text": f"Step {i}"} for i in range(count)]}


def build_course(pages: int = 100, questions: int = 100, size: str = "typical") -> Course:
    """``pages`` pages in sections of ten; every fifth page has a five-question quiz."""
    quiz_pages = max(1, questions // 5)
    every = max(1, pages // quiz_pages)
    sections, n = [], 0
    for s in range(0, pages, 10):
        section_pages = []
        for p in range(s, min(s + 10, pages)):
            blocks: list[dict[str, Any]] = [
                {"type": "text", "id": f"text-{p + 1:03d}", "markdown": f"Page {p + 1} text."}
            ]
            if (p + 1) % every == 0 and n < questions:
                qs = []
                for _ in range(min(5, questions - n)):
                    qs.append(_question(n + 1, TYPES[n % len(TYPES)], size))
                    n += 1
                blocks.append({"type": "quiz", "id": f"quiz-{p + 1:03d}", "title": f"Check {p + 1}", "questions": qs})
            section_pages.append({"id": f"page-{p + 1:03d}-lesson-content", "title": f"Page {p + 1}", "blocks": blocks})
        sections.append({"id": f"section-{s // 10 + 1:02d}", "title": f"Section {s // 10 + 1}", "pages": section_pages})
    return Course.model_validate(
        {"id": "suspend-data-bench", "title": "Suspend data bench", "completion": "both", "sections": sections}
    )


def course_json(course: Course) -> dict[str, Any]:
    """course.json exactly as the player gets it (player.render's course_data)."""
    from player.render import course_data

    return course_data(course, "scorm12")


def full_state(data: dict[str, Any], size: str = "typical") -> dict[str, Any]:
    """Every page visited, every question answered (wrongly where that makes the answer longer)."""
    answers: dict[str, Any] = {}
    for quiz in data["quizzes"]:
        for q in quiz["questions"]:
            kind, correct = q["type"], q["correct"]
            if kind == "single_choice":
                answers[q["id"]] = q["choices"][-1]["id"]
            elif kind == "multiple_response":
                picked = q["choices"] if size == "maximal" else q["choices"][:3]
                answers[q["id"]] = [c["id"] for c in picked]
            elif kind == "true_false":
                answers[q["id"]] = not correct
            elif kind == "fill_in":
                text = "my own password manager" if size == "typical" else ("pâté & crème brûlée, 100% " * 10)[:250]
                answers[q["id"]] = [text]
            elif kind == "free_text":
                answers[q["id"]] = ["Report it to the security team." if size == "typical" else "€" * 250]
            elif kind == "numeric":
                answers[q["id"]] = 12 if size == "typical" else -123456789012345.67
            elif kind == "matching":
                targets = [t for _, t in correct]
                answers[q["id"]] = [[s, targets[(i + 1) % len(targets)]] for i, (s, _) in enumerate(correct)]
            elif kind == "ordering":
                answers[q["id"]] = list(reversed(correct))
    quizzes = [quiz["id"] for quiz in data["quizzes"]]
    return {
        "current": data["pages"][-1]["id"],
        "visited": [p["id"] for p in data["pages"]],
        "answers": answers,
        "attempts": {z: 1 + i % 3 for i, z in enumerate(quizzes)},
        "submitted": {z: True for z in quizzes},
    }


def encode(state: dict[str, Any], data: dict[str, Any]) -> str:
    """encodeState from the player's state.js, run in Node; also checks that decoding gives it back."""
    script = (
        f"import {{ encodeState, decodeState }} from {json.dumps(STATE_JS.as_uri())};\n"
        "let input = ''; for await (const chunk of process.stdin) input += chunk;\n"
        "const { state, course } = JSON.parse(input);\n"
        "const text = encodeState(state, course);\n"
        "process.stdout.write(JSON.stringify({ text, back: decodeState(text, course) }));\n"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps({"state": state, "course": data}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    out = json.loads(result.stdout)
    if out["back"] != state:
        raise AssertionError("state.js did not decode its own encoding back to the same state")
    return out["text"]


def measure(size: str = "typical", pages: int = 100, questions: int = 100) -> dict[str, Any]:
    data = course_json(build_course(pages, questions, size))
    state = full_state(data, size)
    text = encode(state, data)
    return {
        "case": size,
        "pages": len(data["pages"]),
        "questions": len(state["answers"]),
        "json_chars": len(json.dumps(state, separators=(",", ":"))),
        "chars": len(text),
        "limit": SCORM12_LIMIT,
        "fits": len(text) <= SCORM12_LIMIT,
    }


def main() -> None:
    print(f"{'case':<9} {'pages':>5} {'questions':>9} {'as JSON':>8} {'encoded':>8}  SCORM 1.2 (4096)")
    for size in ("typical", "maximal"):
        r = measure(size)
        print(
            f"{r['case']:<9} {r['pages']:>5} {r['questions']:>9} {r['json_chars']:>8} {r['chars']:>8}  "
            f"{'fits' if r['fits'] else 'too long'}"
        )


if __name__ == "__main__":
    main()
