"""The publish-time resume data budget: measured with the player's own codec, an upper bound of
what any learner's state encodes to, and a SCORM 1.2 build that could overflow 4,096 characters
is refused with the questions to blame, before any media work starts."""
from __future__ import annotations

import random

import pytest
from click.testing import CliRunner

from cli.main import cli
from conftest import PACKAGE_COURSE, write_course_folder
from courses.loader import load_course
from exporters.build import BuildError, build_package
from node_js import run_js
from player.render import course_data
from player.resume_budget import measure

SAMPLE = "courses/samples/security-basics"


def long_answers_course(questions: int) -> dict:
    """PACKAGE_COURSE plus a quiz of ``questions`` typed-answer questions with 120-character answers."""
    course = {**PACKAGE_COURSE, "sections": [dict(s) for s in PACKAGE_COURSE["sections"]]}
    quiz = {"type": "quiz", "id": "quiz-long", "title": "Long answers", "questions": [
        {"type": "fill_in", "id": f"q-long-{n}", "prompt": f"Question {n}", "accepted": [f"{n} " + "x" * 118]}
        for n in range(questions)]}
    course["sections"][0] = {**course["sections"][0], "pages": [
        *course["sections"][0]["pages"], {"id": "p-long", "title": "Long", "blocks": [quiz]}]}
    return course


def test_the_worst_case_bounds_every_state_a_learner_can_reach():
    data = course_data(load_course(SAMPLE), "scorm12")
    worst = measure(load_course(SAMPLE), "scorm12").chars
    rng = random.Random(7)
    alphabet = ["a", " ", "é", "€", "🙂", "\"", ".", "~", "[,]", "%"]
    states = []
    for _ in range(200):
        answers = {}
        for quiz in data["quizzes"]:
            for q in quiz["questions"]:
                ids = [c["id"] for c in q.get("choices", [])]
                kind = q["type"]
                if kind == "single_choice":
                    answers[q["id"]] = rng.choice(ids)
                elif kind == "multiple_response":
                    answers[q["id"]] = rng.sample(ids, rng.randint(1, len(ids)))
                elif kind == "true_false":
                    answers[q["id"]] = rng.random() < 0.5
                elif kind == "fill_in":
                    text = "".join(rng.choice(alphabet) for _ in range(q["maxLength"]))
                    answers[q["id"]] = [text.encode("utf-16-le")[: 2 * q["maxLength"]].decode("utf-16-le", "ignore")]
                elif kind == "free_text":
                    text = "".join(rng.choice(alphabet) for _ in range(q["maxLength"]))
                    answers[q["id"]] = [text.encode("utf-16-le")[: 2 * q["maxLength"]].decode("utf-16-le", "ignore")]
                elif kind == "numeric":
                    answers[q["id"]] = round(rng.uniform(-1e15, 1e15), rng.randint(0, 2)) * rng.choice([1, 1e-9])
                elif kind == "likert":
                    answers[q["id"]] = {st["id"]: rng.randint(1, len(q["scale"])) for st in q["statements"]}
                elif kind == "matching":
                    targets = [t for _, t in q["correct"]]
                    answers[q["id"]] = [[s, rng.choice(targets)] for s, _ in q["correct"]]
                else:
                    answers[q["id"]] = rng.sample(q["correct"], len(q["correct"]))
        pages = [p["id"] for p in data["pages"]]
        states.append({"current": rng.choice(pages), "visited": rng.sample(pages, rng.randint(1, len(pages))),
                       "answers": answers, "attempts": {z["id"]: rng.randint(1, 999) for z in data["quizzes"]},
                       "submitted": {z["id"]: True for z in data["quizzes"]}})
    lengths = run_js({"state.js": "encodeState"},
                     "result = data.states.map((s) => encodeState(s, data.course).length);",
                     {"states": states, "course": data})
    assert max(lengths) <= worst, (max(lengths), worst)
    assert max(lengths) > worst * 0.5, "the bound should be close to what learners can reach"


def test_the_sample_course_fits_scorm12_with_room_to_spare():
    budget = measure(load_course(SAMPLE), "scorm12")
    assert budget.fits("scorm12") and budget.chars < 4096 * 0.6
    assert budget.summary("scorm12") == (f"resume data: at most {budget.chars:,} of the 4,096 characters SCORM 1.2 "
                                         f"keeps ({100 * budget.chars / 4096:.0f} %)")
    assert [q.type for q in budget.questions[:3]] == ["free_text", "fill_in", "fill_in"], "typed answers weigh the most"


def test_a_scorm12_build_that_could_lose_progress_is_refused_and_names_the_questions(tmp_path, monkeypatch):
    folder = write_course_folder(tmp_path / "course", long_answers_course(3))
    started = []
    monkeypatch.setattr("exporters.build.prepare_course", lambda *a, **k: started.append(a))
    out = tmp_path / "out.zip"
    with pytest.raises(BuildError) as caught:
        build_package(folder, "scorm12", out)
    message = str(caught.value)
    assert message.startswith("SCORM 1.2 keeps at most 4,096 characters of resume data, but this course's can reach ")
    assert ("The questions that take the most: q-long-0 (fill_in, 2,165), q-long-1 (fill_in, 2,165), "
            "q-long-2 (fill_in, 2,165). ") in message, message
    assert "--format scorm2004" in message
    assert not out.exists() and started == [], "refused before any media work and nothing written"

    result = CliRunner().invoke(cli, ["build", str(folder), "--format", "scorm12", "-o", str(out)])
    assert result.exit_code != 0 and "SCORM 1.2 keeps at most 4,096 characters" in result.output


def test_the_same_course_builds_for_scorm2004_with_its_figure(tmp_path):
    folder = write_course_folder(tmp_path / "course", long_answers_course(3))
    result = build_package(folder, "scorm2004", tmp_path / "out.zip")
    assert result.budget is not None and 4096 < result.budget.chars < 64000
    assert build_package(folder, "web", tmp_path / "web.zip").budget is None


def test_a_survey_of_twenty_statements_on_eleven_points_costs_a_few_characters_a_statement():
    from courses.model import Course

    survey = {"type": "likert", "id": "q-survey", "prompt": "Rate", "scale": [str(n) for n in range(11)],
              "statements": [{"id": f"l-{n}", "text": f"Statement {n}"} for n in range(20)]}
    course = Course.model_validate({**PACKAGE_COURSE, "sections": [{"id": "s-survey", "title": "Survey", "pages": [
        {"id": "p-survey", "title": "Survey", "blocks": [
            {"type": "quiz", "id": "quiz-survey", "title": "Survey", "questions": [survey]}]}]}]})
    budget = measure(course, "scorm12")
    [question] = budget.questions
    # A question hash and its type letter, then per statement a 2-character hash and one for the point.
    assert (question.type, question.chars) == ("likert", 3 + 1 + 20 * 3)
    data = course_data(course, "scorm12")
    rng = random.Random(3)
    states = [{"current": "p-survey", "visited": ["p-survey"], "attempts": {"quiz-survey": 999},
               "submitted": {"quiz-survey": True},
               "answers": {"q-survey": {f"l-{n}": rng.randint(1, 11) for n in range(20)}}} for _ in range(50)]
    lengths = run_js({"state.js": "encodeState"},
                     "result = data.states.map((s) => encodeState(s, data.course).length);",
                     {"states": states, "course": data})
    assert max(lengths) == budget.chars, "every rating costs the same, so the worst case is every case"
