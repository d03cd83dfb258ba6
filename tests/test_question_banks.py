"""Question banks and partial credit: the model's rules (with the file, line and field an author
reads), the publish-time resume budget of a draw, and a learner in Chromium who gets N of a
bank's questions, keeps them across a reload and a republish with a question added, and may get
others on a retry, scored on the N."""
from __future__ import annotations

import copy
import re
import threading

import pytest
from conftest import write_course_folder
from lms.site import publish_site
from node_js import run_js
from pydantic import ValidationError

from cli.preview import serve
from courses.loader import check_course
from courses.model import Course
from player.render import course_data
from player.resume_budget import measure

BANK = ["q-a", "q-b", "q-c", "q-d", "q-e", "q-f"]


def bank_course(draw: int | None = 2, questions: list[str] = BANK, **quiz) -> dict:
    """One page with a bank of true/false questions (all true), and a page after it."""
    return {"id": "banks", "title": "Banks", "passing_score": 80, "sections": [{"id": "s", "title": "S", "pages": [
        {"id": "p-quiz", "title": "Bank quiz", "blocks": [
            {"type": "quiz", "id": "z-bank", "title": "Bank", "draw": draw, **quiz, "questions": [
                {"type": "true_false", "id": qid, "prompt": f"Statement {qid}", "answer": True} for qid in questions]},
        ]},
        {"id": "p-end", "title": "The end", "blocks": [{"type": "text", "id": "t-end", "markdown": "Done."}]},
    ]}]}


def errors_of(data: dict) -> list[tuple[tuple, str]]:
    with pytest.raises(ValidationError) as caught:
        Course.model_validate(data)
    return [(e["loc"], e["msg"]) for e in caught.value.errors()]


QUIZ_AT = ("sections", 0, "pages", 0, "blocks", 0, "quiz")


# ------------------------------------------------------------------ the model
def test_draw_is_at_least_one_and_at_most_the_questions_with_the_field_named():
    assert Course.model_validate(bank_course(draw=None)).quizzes()[0].draw is None
    assert Course.model_validate(bank_course(draw=6)).quizzes()[0].draw == 6
    assert errors_of(bank_course(draw=0)) == [((*QUIZ_AT, "draw"), "Input should be greater than or equal to 1")]
    assert errors_of(bank_course(draw=7)) == [((*QUIZ_AT, "draw"), "Value error, draw (7) is more than the quiz's "
                                                                   "6 questions; draw at most 6, or add questions")]
    assert errors_of(bank_course(draw="two"))[0][0] == (*QUIZ_AT, "draw")


def test_a_draw_too_large_is_reported_with_its_file_line_and_field(tmp_path):
    folder = write_course_folder(tmp_path / "course", bank_course(draw=9))
    [problem] = check_course(folder)
    assert problem.field == "sections[0].pages[0].blocks[0].draw"
    assert "draw (9) is more than the quiz's 6 questions" in problem.message
    lines = (folder / "course.yaml").read_text().splitlines()
    assert lines[problem.line - 1].strip() == "draw: 9"


def test_partial_credit_belongs_to_multiple_response_matching_and_ordering_only():
    questions = [
        {"type": "multiple_response", "id": "q-mr", "prompt": "Pick", "partial_credit": True,
         "choices": [{"id": "c-1", "text": "A", "correct": True}, {"id": "c-2", "text": "B"}]},
        {"type": "matching", "id": "q-m", "prompt": "Match", "partial_credit": True,
         "pairs": [{"id": "m-1", "source": "1", "target": "one"}, {"id": "m-2", "source": "2", "target": "two"}]},
        {"type": "ordering", "id": "q-o", "prompt": "Order", "partial_credit": True,
         "items": [{"id": "o-1", "text": "first"}, {"id": "o-2", "text": "second"}]},
        {"type": "true_false", "id": "q-t", "prompt": "True?", "answer": True},
    ]
    data = bank_course(draw=None)
    data["sections"][0]["pages"][0]["blocks"][0]["questions"] = copy.deepcopy(questions)
    course = Course.model_validate(data)
    assert [getattr(q, "partial_credit", None) for q in course.quizzes()[0].questions] == [True, True, True, None]
    assert [q.get("partialCredit") for q in course_data(course, "web")["quizzes"][0]["questions"]] == [
        True, True, True, None]
    plain = Course.model_validate(bank_course(draw=None))
    assert all("partialCredit" not in q for q in course_data(plain, "web")["quizzes"][0]["questions"])
    data["sections"][0]["pages"][0]["blocks"][0]["questions"][3]["partial_credit"] = True
    [(loc, message)] = errors_of(data)
    assert loc[-1] == "partial_credit" and message == "Extra inputs are not permitted"


# ------------------------------------------------------------------ the resume budget
def long_bank(draw: int | None) -> Course:
    """A bank of eight typed-answer questions, the first four with far longer answers."""
    data = bank_course(draw=draw)
    data["sections"][0]["pages"][0]["blocks"][0]["questions"] = [
        {"type": "fill_in", "id": f"q-long-{n}", "prompt": f"Question {n}", "accepted": ["x" * (100 if n < 4 else 20)]}
        for n in range(8)]
    return Course.model_validate(data)


def test_the_budget_counts_the_longest_draw_and_bounds_every_draw_a_learner_can_get():
    every = measure(long_bank(None), "scorm12")
    two = measure(long_bank(2), "scorm12")
    assert two.chars < every.chars
    shares = {q.id: q.chars for q in two.questions}
    assert shares["q-long-0"] > shares["q-long-7"] and len(shares) == 8, "each question's share, when drawn"
    data = course_data(long_bank(2), "scorm12")
    lengths = run_js({"state.js": "encodeState", "bank.js": "drawQuestions"}, """
        const quiz = data.quizzes[0];
        result = [];
        for (let n = 0; n < 40; n++) {
          const drawn = drawQuestions(quiz, `learner-${n}|${quiz.id}|draw|1`);
          const answers = Object.fromEntries(drawn.map((id) => {
            const q = quiz.questions.find((x) => x.id === id);
            return [id, ["€".repeat(q.maxLength)]];
          }));
          const state = { current: "p-quiz", visited: ["p-quiz", "p-end"], answers, attempts: { [quiz.id]: 999 },
                          submitted: { [quiz.id]: true }, draws: { [quiz.id]: drawn } };
          result.push(encodeState(state, data).length);
        }""", data)
    assert max(lengths) == two.chars, "the worst case is the draw of the two longest answers, not the whole bank"


# ------------------------------------------------------------------ a learner in Chromium

@pytest.fixture
def site(tmp_path):
    """A loopback web server of published courses: ``publish(data)`` (re)publishes a course as a
    web package at /<its id>/ and gives the URL of its index.html."""
    root = tmp_path / "site"
    root.mkdir()
    httpd = serve(root, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def publish(data: dict) -> str:
        publish_site(Course.model_validate(data), {}, root / data["id"])
        return f"http://127.0.0.1:{httpd.server_address[1]}/{data['id']}/index.html"

    yield publish
    httpd.shutdown()
    httpd.server_close()


LEARNER = "learner-1"  # this browser's learner id (the web tracker's, set before the page loads)


def expected_draw(attempt: int, data: dict, kept: list[str] | None = None, learner: str = LEARNER) -> list[str]:
    """The draw the player makes for the web learner ``learner`` at ``attempt``, by the player's own code."""
    quiz = course_data(Course.model_validate(data), "web")["quizzes"][0]
    return run_js({"bank.js": "drawQuestions"}, "result = drawQuestions(data.quiz, data.seed, data.kept);",
                  {"quiz": quiz, "seed": f"{learner}|z-bank|draw|{attempt}", "kept": kept or []})


def shown(page) -> list[str]:
    return page.locator("form[data-quiz='z-bank'] fieldset.question:not([hidden])").evaluate_all(
        "nodes => nodes.map((node) => node.dataset.question)")


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_a_learner_gets_n_questions_keeps_them_after_a_reload_and_a_republish_and_retries_for_others(page, site):
    from playwright.sync_api import expect

    url = site(bank_course())
    republish = site
    first, second = expected_draw(1, bank_course()), expected_draw(2, bank_course())
    assert first != second, "the two attempts of this test draw differently"
    page.add_init_script(f"localStorage.setItem('courseforge:#learner', {LEARNER!r})")
    page.goto(url)
    expect(page.locator("#main h1")).to_have_text("Bank quiz")
    form = page.locator("form[data-quiz='z-bank']")
    expect(page.locator(".quiz-intro")).to_have_text("2 questions. Pass mark 80%.")
    asked = [q for q in BANK if q in first]
    assert shown(page) == asked
    expect(form.locator("fieldset.question:not([hidden]) .question-number")).to_have_text(
        ["Question 1 of 2", "Question 2 of 2"])
    hidden = [q for q in BANK if q not in first]
    for qid in hidden:
        expect(form.locator(f"[data-question='{qid}']")).to_be_hidden()

    # A reload, then a republish with a question added at the front: the same two questions.
    page.reload()
    expect(page.locator("#main h1")).to_have_text("Bank quiz")
    assert shown(page) == asked
    grown = bank_course(questions=["q-new", *BANK])
    assert expected_draw(1, grown) != first, "without the kept draw the grown bank would draw others"
    republish(grown)
    page.reload()
    expect(page.locator("#main h1")).to_have_text("Bank quiz")
    assert shown(page) == asked

    # Submit one right and one wrong: the score is out of the 2 drawn points.
    right, wrong = asked
    form.locator(f"[data-question='{right}']").get_by_label("True", exact=True).check()
    form.locator(f"[data-question='{wrong}']").get_by_label("False", exact=True).check()
    form.get_by_role("button", name="Submit answers").click()
    expect(form.locator("[data-result]")).to_have_text("You scored 1 of 2 points (50%). Pass mark 80%: not passed.")
    record = page.evaluate("() => JSON.parse(localStorage.getItem('courseforge:banks'))")
    assert record["score"]["raw"] == 50

    # The results page lists only the drawn question answered wrongly.
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Finish").click()
    revisit = page.locator("#main ul").first.get_by_role("link")
    expect(revisit).to_have_text([f"Bank quiz: Statement {wrong}"])

    # A retry draws the second attempt's questions from the grown bank, kept after a reload too.
    page.get_by_role("navigation", name="Course menu").get_by_role("link", name="Bank quiz").click()
    form.get_by_role("button", name="Try again").click()
    again = [q for q in grown["sections"][0]["pages"][0]["blocks"][0]["questions"]
             if q["id"] in expected_draw(2, grown)]
    expect(form.locator("fieldset.question:not([hidden])")).to_have_count(2)
    assert shown(page) == [q["id"] for q in again]
    page.reload()
    expect(page.locator("#main h1")).to_have_text("Bank quiz")
    assert shown(page) == [q["id"] for q in again]
    for q in again:
        form.locator(f"[data-question='{q['id']}']").get_by_label("True", exact=True).check()
    form.get_by_role("button", name="Submit answers").click()
    expect(form.locator("[data-result]")).to_have_text("You scored 2 of 2 points (100%). Pass mark 80%: passed.")
    assert page.evaluate("() => JSON.parse(localStorage.getItem('courseforge:banks'))")["score"]["raw"] == 100


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_a_partly_right_answer_earns_part_of_the_points_and_is_told_so(page, site):
    from playwright.sync_api import expect

    data = bank_course(draw=None, questions=["q-a"])
    data["id"] = "partial"
    data["sections"][0]["pages"][0]["blocks"][0]["questions"].append(
        {"type": "multiple_response", "id": "q-signs", "prompt": "Which are signs of phishing?", "points": 2,
         "partial_credit": True, "choices": [{"id": "c-urgent", "text": "Urgent tone", "correct": True},
                                             {"id": "c-sender", "text": "Odd sender address", "correct": True},
                                             {"id": "c-logo", "text": "A company logo"}]})
    page.goto(site(data))
    form = page.locator("form[data-quiz='z-bank']")
    expect(page.locator(".quiz-intro")).to_have_text("2 questions. Pass mark 80%.")
    form.get_by_label("True", exact=True).check()
    form.get_by_label("Urgent tone").check()
    form.get_by_role("button", name="Submit answers").click()
    expect(form.locator("[data-result]")).to_have_text("You scored 2 of 3 points (66.67%). Pass mark 80%: not passed.")
    expect(page.locator("#fb-q-signs .verdict")).to_have_text("Partly right: 1 of 2 points.")
    expect(page.locator("[data-question='q-signs']")).to_have_class("question question-multiple-response is-incorrect")
    assert page.evaluate("() => JSON.parse(localStorage.getItem('courseforge:partial'))")["score"]["raw"] == 66.67


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_each_browser_is_a_learner_of_its_own_so_web_learners_are_not_all_given_one_draw(chromium, site):
    from playwright.sync_api import expect

    url = site(bank_course())
    ids = []
    for _ in range(2):
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(url)
            expect(page.locator("#main h1")).to_have_text("Bank quiz")
            learner = page.evaluate("() => localStorage.getItem('courseforge:#learner')")
            assert re.fullmatch(r"[0-9a-f]{24}", learner or ""), learner
            assert shown(page) == [q for q in BANK if q in expected_draw(1, bank_course(), learner=learner)]
            page.reload()
            expect(page.locator("#main h1")).to_have_text("Bank quiz")
            assert page.evaluate("() => localStorage.getItem('courseforge:#learner')") == learner, "kept"
            ids.append(learner)
        finally:
            context.close()
    assert ids[0] != ids[1]
