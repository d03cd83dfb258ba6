"""The quiz editor (authoring/static/quiz-editor.js) in Chromium: each question type
added and edited through the form and stored as the course model wants it, with ids made by the
server and kept by later saves; invalid states shown with the model's own message next to the
field and not saved until fixed; keyboard-only editing with reorder, delete and undo; conflicts;
the read-only summary; and hostile text that stays text."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from authoring_app import (  # noqa: F401 - live_editor, quick_argon2 and sqlite_app are fixtures
    SAMPLE,
    Browser,
    LiveEditor,
    add_account,
    folder_zip,
    live_editor,
    quick_argon2,
    signed_in,
    sqlite_app,
)
from playwright.sync_api import expect

from courses.model import Course

AUTHOR = "ada@example.org"
FINAL = ("quiz-final", "p-final")  # the sample's final assessment: every question type but numeric
ACCOUNTS = ("quiz-accounts", "p-mfa-fatigue")  # holds the numeric question q-passphrase-words
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & "quotes" 日本'

@dataclass
class Quiz:
    """The editor served on loopback, Ada's test-client browser and her copy of the sample."""

    live: LiveEditor
    browser: Browser
    course: int


@pytest.fixture
def quiz(request) -> Quiz:
    live = request.getfixturevalue("live_editor")
    browser = signed_in(live.app, AUTHOR)
    answer = browser.import_zip(folder_zip(SAMPLE, "security-basics"))
    assert answer.status_code == 201, answer.get_json()
    return Quiz(live, browser, answer.get_json()["id"])


def stored(browser, course: int, block: str) -> dict:
    answer = browser.client.get(f"/api/courses/{course}/blocks/{block}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["block"]


def head(browser, course: int) -> int:
    return browser.client.get(f"/api/courses/{course}").get_json()["head_revision"]


def still_valid(browser, course: int) -> None:
    Course.model_validate(browser.client.get(f"/api/courses/{course}").get_json()["course"])


def open_quiz(page, live, course: int, where: tuple[str, str], email: str = AUTHOR, signed: bool = False):
    """The quiz editor of block ``where[0]``, loaded and ready: the course page shows one page at a
    time (``where[1]``) and renders a place for each quiz block, which the editor mounts into."""
    block, page_id = where
    if not signed:
        live.sign_in(page, email)
    page.goto(f"{live.url}/courses/{course}#page={page_id}")
    place = page.locator(f'.quiz-editor[data-block-id="{block}"]')
    expect(place.locator(".qe-body, .qe-read").first).to_be_visible()
    return place


def question_of(place, browser, course: int, block: str, question: str):
    """The form of the stored question ``question``, found by its place in the quiz."""
    ids = [q["id"] for q in stored(browser, course, block)["questions"]]
    return place.locator(".qe-question").nth(ids.index(question))


def saved(place) -> None:
    expect(place).to_have_attribute("data-state", "saved")
    expect(place.locator(".qe-state")).to_have_text(re.compile(r"^Saved"))


def add_question(place, label: str):
    """Adds a question of the type named ``label``; its prompt has the focus."""
    place.get_by_label("New question type").select_option(label=label)
    place.get_by_role("button", name="Add question").click()
    question = place.locator(".qe-question").last
    expect(question.get_by_label("Prompt (Markdown)")).to_be_focused()
    return question


# ------------------------------------------------------------------ the eight types
def fill_single_choice(question):
    question.get_by_label("Choice A", exact=True).fill("443")
    question.get_by_label("Choice B", exact=True).fill("80")
    question.get_by_role("button", name="Add choice").click()
    expect(question.get_by_label("Choice C", exact=True)).to_be_focused()
    question.get_by_label("Choice C", exact=True).fill("22")
    question.get_by_label("Feedback for B (optional)").fill("That one is plain HTTP.")
    question.get_by_label("Correct: choice A").check()


def check_single_choice(q):
    assert [c["text"] for c in q["choices"]] == ["443", "80", "22"]
    assert [c.get("correct", False) for c in q["choices"]] == [True, False, False]
    assert q["choices"][1]["feedback"] == "That one is plain HTTP."
    assert "feedback" not in q["choices"][0]


def fill_multiple_response(question):
    question.get_by_label("Choice A", exact=True).fill("A look-alike domain")
    question.get_by_label("Choice B", exact=True).fill("A deadline")
    question.get_by_role("button", name="Add choice").click()
    question.get_by_label("Choice C", exact=True).fill("Your own thread")
    question.get_by_label("Correct: choice A").check()
    question.get_by_label("Correct: choice B").check()


def check_multiple_response(q):
    assert [(c["text"], c.get("correct", False)) for c in q["choices"]] == [
        ("A look-alike domain", True), ("A deadline", True), ("Your own thread", False)]


def fill_true_false(question):
    question.get_by_label("False", exact=True).check()


def check_true_false(q):
    assert q["answer"] is False


def fill_fill_in(question):
    question.get_by_label("Accepted answer 1", exact=True).fill("length")
    question.get_by_role("button", name="Add accepted answer").click()
    question.get_by_label("Accepted answer 2", exact=True).fill("Password length")
    question.get_by_label(re.compile("^Case sensitive")).check()


def check_fill_in(q):
    assert q["accepted"] == ["length", "Password length"] and q["case_sensitive"] is True


def fill_free_text(question):
    expect(question.locator(".qe-unscored")).to_have_text(re.compile("not scored"))
    question.get_by_role("button", name="Add keyword").click()
    question.get_by_label("Keyword 1", exact=True).fill("verify")
    expect(question.locator(".qe-unscored")).to_have_count(0)
    question.get_by_label("Longest answer (characters)").fill("500")


def check_free_text(q):
    assert q["keywords"] == ["verify"] and q["max_length"] == 500


def fill_numeric(question):
    question.get_by_label("Right number", exact=True).fill("42")
    question.get_by_label("Tolerance (give or take)").fill("0.5")
    question.get_by_label("Any number from a lowest to a highest").check()
    expect(question.get_by_label("Right number", exact=True)).to_have_count(0)
    question.get_by_label("Lowest right number", exact=True).fill("3")
    question.get_by_label("Highest right number", exact=True).fill("5,5")
    question.get_by_label("Unit (optional, e.g. km or %)").fill("words")


def check_numeric(q):
    assert (q["min"], q["max"], q["unit"]) == (3, 5.5, "words")
    assert "answer" not in q and "tolerance" not in q


def fill_matching(question):
    question.get_by_label("Item 1", exact=True).fill("SMS code")
    question.get_by_label("Matches 1", exact=True).fill("Can be stolen by SIM swapping")
    question.get_by_label("Item 2", exact=True).fill("Passkey")
    question.get_by_label("Matches 2", exact=True).fill("Fails on a fake site")


def check_matching(q):
    assert [(p["source"], p["target"]) for p in q["pairs"]] == [
        ("SMS code", "Can be stolen by SIM swapping"), ("Passkey", "Fails on a fake site")]


def fill_ordering(question):
    question.get_by_label("Item 1", exact=True).fill("Second step")
    question.get_by_label("Item 2", exact=True).fill("First step")
    question.get_by_role("button", name="Move up: item 2").click()
    expect(question.get_by_role("button", name="Move up: item 1")).to_be_disabled()


def check_ordering(q):
    assert [item["text"] for item in q["items"]] == ["First step", "Second step"]


def fill_hotspot(question):
    question.get_by_label("Image", exact=True).select_option("media/phishing-email.png")
    question.get_by_label("Alt text (required: what the image shows)").fill("A phishing email")
    question.get_by_label("Region 1 label").fill("Sender address")
    question.get_by_label("Region 2 label").fill("Greeting")
    question.get_by_label("Correct: region 2").check()
    question.get_by_label("Shape 2").select_option("Circle")
    question.get_by_label("Coordinates 2").fill("50, 60, 8")


def check_hotspot(q):
    assert q["image"] == "media/phishing-email.png" and q["alt"] == "A phishing email"
    assert [(r["label"], r["shape"], r["coords"], r.get("correct", False)) for r in q["regions"]] == [
        ("Sender address", "rectangle", [10, 10, 20, 20], True), ("Greeting", "circle", [50, 60, 8], True)]


TYPES = {
    "single_choice": ("Single choice", fill_single_choice, check_single_choice, "choices"),
    "multiple_response": ("Multiple response", fill_multiple_response, check_multiple_response, "choices"),
    "true_false": ("True or false", fill_true_false, check_true_false, None),
    "fill_in": ("Fill in the blank", fill_fill_in, check_fill_in, None),
    "free_text": ("Free text", fill_free_text, check_free_text, None),
    "numeric": ("Numeric", fill_numeric, check_numeric, None),
    "matching": ("Matching", fill_matching, check_matching, "pairs"),
    "ordering": ("Ordering", fill_ordering, check_ordering, "items"),
    "hotspot": ("Hotspot on an image", fill_hotspot, check_hotspot, "regions"),
}


@pytest.mark.parametrize("kind", list(TYPES))
def test_a_question_of_each_type_is_added_through_the_form_and_stored(page, quiz, kind):
    browser, course = quiz.browser, quiz.course
    label, fill, check, answers = TYPES[kind]
    before = stored(browser, course, FINAL[0])
    place = open_quiz(page, quiz.live, course, FINAL)
    question = add_question(place, label)
    question.get_by_label("Prompt (Markdown)").fill(f"A new *{label}* question?")
    question.get_by_label("Points").fill("2")
    fill(question)
    question.get_by_label("Feedback when right (optional)").fill("Well done.")
    saved(place)

    block = stored(browser, course, FINAL[0])
    assert block["questions"][:-1] == before["questions"]  # the others, their ids included, as they were
    new = block["questions"][-1]
    assert new["type"] == kind and new["prompt"] == f"A new *{label}* question?" and new["points"] == 2
    assert new["feedback"] == {"correct": "Well done."}
    check(new)
    assert re.fullmatch(r"q-[a-z0-9-]+", new["id"])  # made by the server, in the project style
    prefix = {"choices": "c", "pairs": "m", "items": "o", "regions": "r"}.get(answers or "")
    for answer in new.get(answers, []) if answers else []:
        assert re.fullmatch(rf"{prefix}-[a-z0-9-]+", answer["id"])
    still_valid(browser, course)

    # A later save keeps the ids the server made.
    question.get_by_label("Prompt (Markdown)").fill(f"A new *{label}* question, reworded?")
    saved(place)
    again = stored(browser, course, FINAL[0])["questions"][-1]
    assert again["prompt"].endswith("reworded?") and again["id"] == new["id"]
    if answers:
        assert [a["id"] for a in again[answers]] == [a["id"] for a in new[answers]]


def test_editing_existing_questions_keeps_their_ids_and_the_quiz_settings_are_saved(page, quiz):
    browser, course = quiz.browser, quiz.course
    place = open_quiz(page, quiz.live, course, FINAL)
    place.get_by_label("Quiz title").fill("Final check")
    place.get_by_label("Pass mark (%)").fill("")
    place.get_by_label("Attempts").fill("0")
    place.get_by_label("Shuffle choices and items for each learner").uncheck()
    passphrase = question_of(place, browser, course, FINAL[0], "q-final-passphrase")
    passphrase.get_by_label("Choice C", exact=True).fill("`ILoveMyCat2025!`")
    # Every target is at least 44 px high for a finger (a box's target is its whole label).
    heights = place.locator("button, input[type=text], textarea, select, label.qe-check").evaluate_all(
        "nodes => nodes.filter(node => !node.closest('[hidden]')).map(node => node.getBoundingClientRect().height)")
    assert len(heights) > 100 and min(heights) >= 44
    passphrase.get_by_label("Question type").select_option(label="Multiple response")
    passphrase.get_by_label("Correct: choice D").check()
    saved(place)
    block = stored(browser, course, FINAL[0])
    assert block["title"] == "Final check" and "pass_mark" not in block
    assert block["attempts"] == 0 and block["shuffle"] is False
    q = next(q for q in block["questions"] if q["id"] == "q-final-passphrase")
    assert q["type"] == "multiple_response"
    assert [c["id"] for c in q["choices"]] == [
        "c-pass-troubador", "c-pass-random-words", "c-pass-dog", "c-pass-keyboard"]
    assert [c.get("correct", False) for c in q["choices"]] == [False, True, False, True]
    assert q["choices"][2]["text"] == "`ILoveMyCat2025!`"
    still_valid(browser, course)
    # Back to single choice: only the first correct choice stays correct, and the author is told.
    passphrase.get_by_label("Question type").select_option(label="Single choice")
    expect(place.locator(".qe-note")).to_contain_text("one choice can be correct")
    saved(place)
    q = next(q for q in stored(browser, course, FINAL[0])["questions"] if q["id"] == "q-final-passphrase")
    assert [c.get("correct", False) for c in q["choices"]] == [False, True, False, False]


# ------------------------------------------------------------------ invalid states
def problem_of(place, control):
    """The message a control is described by, once it is marked invalid."""
    expect(control).to_have_attribute("aria-invalid", "true")
    ids = control.get_attribute("aria-describedby").split()
    return [place.locator(f"#{i}").text_content() for i in ids if place.locator(f"#{i}.qe-problem").count()]


def test_invalid_states_show_the_model_message_at_the_field_and_are_saved_once_fixed(page, quiz):
    browser, course = quiz.browser, quiz.course
    place = open_quiz(page, quiz.live, course, ACCOUNTS)
    revision = head(browser, course)
    summary = place.locator(".qe-problems")

    # A single choice question with no correct choice.
    question = add_question(place, "Single choice")
    question.get_by_label("Prompt (Markdown)").fill("Which factor resists phishing best?")
    question.get_by_label("Choice A", exact=True).fill("SMS")
    question.get_by_label("Choice B", exact=True).fill("Passkey")
    message = "a single_choice question needs exactly one choice with correct: true"
    choices = question.locator("fieldset.qe-group").first
    expect(choices.locator(".qe-problem")).to_have_text(message)
    assert problem_of(place, choices) == [message]
    expect(summary).to_contain_text(f"Question 5: {message}")
    expect(place).to_have_attribute("data-state", "invalid")
    assert head(browser, course) == revision
    question.get_by_label("Correct: choice B").check()
    saved(place)
    expect(summary).to_be_hidden()
    assert place.locator(".qe-problem").count() == 0 and place.locator("[aria-invalid]").count() == 0
    revision = head(browser, course)
    assert stored(browser, course, ACCOUNTS[0])["questions"][-1]["choices"][1]["correct"] is True

    # A numeric range whose lowest number is above its highest.
    numeric = question_of(place, browser, course, ACCOUNTS[0], "q-passphrase-words")
    numeric.get_by_label("Lowest right number", exact=True).fill("9")
    group = numeric.locator("fieldset.qe-group")
    expect(group.locator(".qe-problem")).to_have_text("'min' (9) is more than 'max' (8)")
    assert problem_of(place, group) == ["'min' (9) is more than 'max' (8)"]
    # The message in the summary takes the author to the field.
    summary.get_by_role("button", name=re.compile("more than 'max'")).click()
    expect(numeric.get_by_label("Lowest right number", exact=True)).to_be_focused()
    assert head(browser, course) == revision
    assert stored(browser, course, ACCOUNTS[0])["questions"][3]["min"] == 5
    numeric.get_by_label("Highest right number", exact=True).fill("12")
    saved(place)
    q = stored(browser, course, ACCOUNTS[0])["questions"][3]
    assert (q["min"], q["max"]) == (9, 12)

    # A field's own problem: the title left empty, a number nobody can read.
    title = place.get_by_label("Quiz title")
    title.fill("")
    assert problem_of(place, title) == ["String should have at least 1 character"]
    points = numeric.get_by_label("Points")
    points.fill("lots")
    expect(points).to_have_attribute("aria-invalid", "true")
    assert "valid number" in problem_of(place, points)[0]
    assert problem_of(place, title) == ["String should have at least 1 character"]
    expect(summary.locator("li")).to_have_count(2)
    title.fill("Passwords, checked")
    points.fill("3")
    saved(place)
    block = stored(browser, course, ACCOUNTS[0])
    assert block["title"] == "Passwords, checked" and block["questions"][3]["points"] == 3
    still_valid(browser, course)


# ------------------------------------------------------------------ keyboard only
def test_one_question_edited_by_keyboard_alone(page, quiz):
    browser, course = quiz.browser, quiz.course
    place = open_quiz(page, quiz.live, course, FINAL)
    count = place.locator(".qe-question").count()
    keys = page.keyboard
    place.get_by_label("New question type").focus()  # the one start; from here only keys
    keys.press("End")  # Ordering
    keys.press("Home")  # Single choice
    for _ in range(2):
        keys.press("ArrowDown")  # True or false
    keys.press("Tab")
    expect(place.get_by_role("button", name="Add question")).to_be_focused()
    keys.press("Enter")
    question = place.locator(".qe-question").nth(count)
    expect(question.get_by_label("Prompt (Markdown)")).to_be_focused()
    keys.type("Keys are enough to **edit** a quiz.")
    keys.press("Shift+Tab")
    expect(question.get_by_label("Points")).to_be_focused()
    keys.press("Control+A")
    keys.type("3")
    keys.press("Tab")
    keys.press("Tab")
    expect(question.get_by_label("True", exact=True)).to_be_focused()
    keys.press("ArrowRight")
    expect(question.get_by_label("False", exact=True)).to_be_checked()
    # Alt+ArrowUp moves the question the focus is in, and the focus stays where it was.
    keys.press("Alt+ArrowUp")
    moved = place.locator(".qe-question").nth(count - 1)
    expect(moved.get_by_label("False", exact=True)).to_be_focused()
    expect(moved.locator(".qe-question-title")).to_have_text(f"Question {count} · True or false")
    saved(place)
    block = stored(browser, course, FINAL[0])
    new = block["questions"][count - 1]
    assert (new["type"], new["prompt"], new["points"], new["answer"]) == (
        "true_false", "Keys are enough to **edit** a quiz.", 3, False)
    # Move it back with its own button, delete it, then undo.
    for _ in range(4):
        keys.press("Shift+Tab")  # prompt, points, Delete, Move down
    expect(moved.get_by_role("button", name="Move down")).to_be_focused()
    keys.press("Enter")  # back to last place
    last = place.locator(".qe-question").nth(count)
    expect(last.get_by_role("button", name="Move down")).to_be_disabled()
    expect(last.get_by_role("button", name="Move up")).to_be_focused()
    keys.press("Tab")
    expect(last.get_by_role("button", name=f"Delete question {count + 1}")).to_be_focused()
    keys.press("Enter")
    undo = place.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    expect(place.locator(".qe-note")).to_contain_text(f"Deleted question {count + 1}.")
    expect(place.locator(".qe-question")).to_have_count(count)
    saved(place)
    assert len(stored(browser, course, FINAL[0])["questions"]) == count
    keys.press("Enter")
    expect(place.locator(".qe-question")).to_have_count(count + 1)
    restored = place.locator(".qe-question").nth(count)
    expect(restored.get_by_label("Prompt (Markdown)")).to_have_value("Keys are enough to **edit** a quiz.")
    saved(place)
    back = stored(browser, course, FINAL[0])["questions"][count]
    assert back["id"] == new["id"] and back["answer"] is False  # the same question, its id kept
    still_valid(browser, course)


# ------------------------------------------------------------------ conflicts, read-only, hostile text
def test_a_conflict_shows_both_versions_and_keep_mine_or_take_theirs(page, quiz):
    browser, course = quiz.browser, quiz.course
    place = open_quiz(page, quiz.live, course, FINAL)
    theirs = stored(browser, course, FINAL[0])
    answer = browser.api("PUT", f"/api/courses/{course}/blocks/{FINAL[0]}",
                         json={"base_revision": head(browser, course), "block": {**theirs, "title": "Their title"}})
    assert answer.status_code == 200, answer.get_json()
    place.get_by_label("Quiz title").fill("My title")
    box = place.locator(".qe-conflict")
    expect(box).to_be_visible()
    expect(place).to_have_attribute("data-state", "conflict")
    expect(box.locator(".qe-version")).to_have_count(2)
    expect(box.locator(".qe-version").first.locator(".qe-read-title")).to_have_text("My title")
    expect(box.locator(".qe-version").last.locator(".qe-read-title")).to_have_text("Their title")
    expect(box.get_by_role("button", name="Keep mine")).to_be_focused()
    assert stored(browser, course, FINAL[0])["title"] == "Their title"
    box.get_by_role("button", name="Keep mine").click()
    saved(place)
    assert stored(browser, course, FINAL[0])["title"] == "My title"

    mine = stored(browser, course, FINAL[0])
    browser.api("PUT", f"/api/courses/{course}/blocks/{FINAL[0]}",
                json={"base_revision": head(browser, course), "block": {**mine, "attempts": 7}})
    place.get_by_label("Attempts").fill("2")
    box.get_by_role("button", name="Take theirs").click()
    expect(box).to_be_hidden()
    expect(place.get_by_label("Attempts")).to_have_value("7")
    expect(place.locator(".qe-state")).to_have_text("Their version loaded.")
    place.get_by_label("Quiz title").fill("My title, again")
    saved(place)
    block = stored(browser, course, FINAL[0])
    assert block["title"] == "My title, again" and block["attempts"] == 7


def test_hostile_text_in_a_choice_stays_text(page, quiz):
    browser, course = quiz.browser, quiz.course
    place = open_quiz(page, quiz.live, course, FINAL)
    passphrase = question_of(place, browser, course, FINAL[0], "q-final-passphrase")
    passphrase.get_by_label("Choice A", exact=True).fill(HOSTILE)
    passphrase.get_by_label("Feedback for A (optional)").fill(HOSTILE)
    saved(place)
    questions = stored(browser, course, FINAL[0])["questions"]
    choice = next(q for q in questions if q["id"] == "q-final-passphrase")["choices"][0]
    assert choice["text"] == HOSTILE and choice["feedback"] == HOSTILE
    place = open_quiz(page, quiz.live, course, FINAL, signed=True)
    passphrase = question_of(place, browser, course, FINAL[0], "q-final-passphrase")
    expect(passphrase.get_by_label("Choice A", exact=True)).to_have_value(HOSTILE)
    assert place.locator("img, script").count() == 0
    assert page.evaluate("() => window.__pwned") is None

    # A reviewer reads the quiz as a summary, with no controls, the same text as text.
    add_account(quiz.live.app, "rita@example.org", "reviewer")
    assert browser.api("POST", f"/api/courses/{course}/shares", json={"email": "rita@example.org"}).status_code == 201
    reader = page.context.browser.new_context().new_page()
    try:
        place = open_quiz(reader, quiz.live, course, FINAL, email="rita@example.org")
        summary = place.locator(".qe-read")
        expect(summary).to_be_visible()
        assert place.locator("input, textarea, select, button").count() == 0
        expect(summary.locator(".qe-read-title")).to_have_text("Final assessment")
        expect(summary.get_by_text(f"A. {HOSTILE} · feedback: {HOSTILE}", exact=True)).to_have_count(1)
        expect(summary.get_by_text("Pass mark: 80% · Attempts: 3 · Choices and items shuffled")).to_be_visible()
        assert place.locator("img, script").count() == 0
        assert reader.evaluate("() => window.__pwned") is None
    finally:
        reader.context.close()


def test_changes_made_offline_are_kept_in_the_browser_and_saved_when_the_quiz_is_opened_again(page, quiz):
    browser, course = quiz.browser, quiz.course
    place = open_quiz(page, quiz.live, course, FINAL)
    context = page.context
    context.set_offline(True)
    place.get_by_label("Quiz title").fill("Written on a train")
    expect(place).to_have_attribute("data-state", "offline")
    page.close()  # its last try to save, on the way out, finds no network either
    context.set_offline(False)
    assert stored(browser, course, FINAL[0])["title"] == "Final assessment"
    again = context.new_page()
    place = open_quiz(again, quiz.live, course, FINAL, signed=True)
    expect(place.get_by_label("Quiz title")).to_have_value("Written on a train")
    expect(place.locator(".qe-note-text")).to_have_text("Restored your unsaved changes from this browser.")
    saved(place)
    assert stored(browser, course, FINAL[0])["title"] == "Written on a train"


# ------------------------------------------------------------------ likert scale
def test_a_likert_question_is_made_with_statements_and_a_scale_and_the_server_gives_the_ids(page, quiz):
    """Statements are added, reordered and deleted (1 to 20), the scale is the preset or the
    author's labels (2 to 11); the stored question has no points, and a reviewer reads it all."""
    browser, course = quiz.browser, quiz.course
    place = open_quiz(page, quiz.live, course, FINAL)
    question = add_question(place, "Likert scale")
    expect(question.get_by_label("Points", exact=True)).to_have_count(0)
    expect(question.locator(".qe-unscored")).to_have_text(re.compile("^Never scored"))
    question.get_by_label("Prompt (Markdown)").fill("How far do you agree?")
    expect(question.get_by_role("button", name="Delete statement 1")).to_be_disabled()
    question.get_by_label("Statement 1", exact=True).fill("I will use it")
    question.get_by_role("button", name="Add statement").click()
    expect(question.get_by_label("Statement 2", exact=True)).to_be_focused()
    question.get_by_label("Statement 2", exact=True).fill("The examples were clear")
    question.get_by_role("button", name="Move up: statement 2").click()
    question.get_by_role("button", name="Add statement").click()
    question.get_by_label("Statement 3", exact=True).fill("Too long")
    question.get_by_role("button", name="Delete statement 3").click()
    saved(place)
    new = stored(browser, course, FINAL[0])["questions"][-1]
    assert new["type"] == "likert" and "points" not in new and "scale" not in new
    assert [s["text"] for s in new["statements"]] == ["The examples were clear", "I will use it"]
    assert all(re.fullmatch(r"l-[a-z0-9-]+", s["id"]) for s in new["statements"]), new["statements"]
    still_valid(browser, course)

    question.get_by_label(re.compile("^My own labels")).check()
    expect(question.get_by_label("Point 5", exact=True)).to_have_value("Strongly agree")
    for n in (5, 4, 3):
        question.get_by_role("button", name=f"Delete scale label {n}").click()
    expect(question.get_by_role("button", name="Delete scale label 2")).to_be_disabled()
    question.get_by_label("Point 1", exact=True).fill("No")
    question.get_by_label("Point 2", exact=True).fill("no")
    expect(question.locator(".qe-problem").first).to_contain_text("the scale has the label 'no' twice")
    question.get_by_label("Point 2", exact=True).fill("Yes")
    saved(place)
    again = stored(browser, course, FINAL[0])["questions"][-1]
    assert again["scale"] == ["No", "Yes"]
    assert [s["id"] for s in again["statements"]] == [s["id"] for s in new["statements"]], "ids kept"

    summary_place = open_quiz(page, quiz.live, course, FINAL, signed=True)
    expect(summary_place.locator(".qe-question").last.get_by_label("Point 2", exact=True)).to_have_value("Yes")
    add_account(quiz.live.app, "rita@example.org", "reviewer")
    assert browser.api("POST", f"/api/courses/{course}/shares", json={"email": "rita@example.org"}).status_code == 201
    reader = page.context.browser.new_context().new_page()
    try:
        summary = open_quiz(reader, quiz.live, course, FINAL, email="rita@example.org").locator(".qe-read")
        last = summary.locator(".qe-read-question").last
        expect(last.locator(".qe-read-kind")).to_have_text("Likert scale · unscored")
        expect(last.locator(".qe-read-list li")).to_have_text(["The examples were clear", "I will use it"])
        expect(last.get_by_text("Scale: No | Yes", exact=True)).to_be_visible()
    finally:
        reader.context.close()


def test_a_hotspots_regions_are_drawn_on_its_image_as_typed_and_a_wrong_one_named_at_its_field(page, quiz):
    browser, course = quiz.browser, quiz.course
    place = open_quiz(page, quiz.live, course, FINAL)
    question = add_question(place, "Hotspot on an image")
    question.get_by_label("Prompt (Markdown)").fill("Where is the giveaway?")
    question.get_by_label("Image", exact=True).select_option("media/phishing-email.png")
    preview = question.locator(".qe-hotspot-preview")
    expect(preview.locator("img")).to_have_attribute("src", re.compile(r"/player/latest/scorm2004/media/phishing-email\.png$"))
    expect(preview.locator(".qe-region")).to_have_count(2)
    expect(preview.locator(".qe-region-correct")).to_have_count(1)
    expect(preview.locator("img")).to_have_js_property("complete", True)
    assert preview.locator("img").evaluate("(img) => img.naturalWidth") > 0, "the image loads"
    question.get_by_label("Alt text (required: what the image shows)").fill("A phishing email")
    question.get_by_label("Region 1 label").fill("Sender address")
    question.get_by_label("Region 2 label").fill("Link")
    question.get_by_label("Coordinates 1").fill("90, 10, 20, 20")
    problem = question.locator(".qe-problem").first
    expect(problem).to_contain_text("the rectangle runs off the image")
    question.get_by_label("Shape 2").select_option("Polygon")
    expect(question.get_by_label("Coordinates 2")).to_have_accessible_description(re.compile("each corner"))
    question.get_by_label("Coordinates 2").fill("40, 40, 60, 40, 50, 55")
    question.get_by_label("Coordinates 1").fill("70, 10, 20, 20")
    saved(place)
    expect(preview.locator("polygon.qe-region")).to_have_count(1)
    new = stored(browser, course, FINAL[0])["questions"][-1]
    assert new["regions"][0]["coords"] == [70, 10, 20, 20] and new["regions"][1]["shape"] == "polygon"
    still_valid(browser, course)

    add_account(quiz.live.app, "rita@example.org", "reviewer")
    assert browser.api("POST", f"/api/courses/{course}/shares", json={"email": "rita@example.org"}).status_code == 201
    reader = page.context.browser.new_context().new_page()
    try:
        summary = open_quiz(reader, quiz.live, course, FINAL, email="rita@example.org").locator(".qe-read")
        last = summary.locator(".qe-read-question").last
        expect(last.locator(".qe-read-kind")).to_have_text("Hotspot on an image · 1 point")
        expect(last.locator(".qe-read-list li")).to_have_text(
            ["Sender address (rectangle 70, 10, 20, 20) (correct)", "Link (polygon 40, 40, 60, 40, 50, 55)"])
    finally:
        reader.context.close()


# ------------------------------------------------------------------ question banks and partial credit
def test_a_question_bank_and_partial_credit_are_set_in_the_form_with_the_models_message_at_the_draw_field(page, quiz):
    browser, course = quiz.browser, quiz.course
    place = open_quiz(page, quiz.live, course, FINAL)
    block = stored(browser, course, FINAL[0])
    total = len(block["questions"])
    revision = head(browser, course)
    draw = place.get_by_label("Draw N questions per attempt")
    expect(draw).to_have_value("")
    draw.fill(str(total + 1))
    message = f"draw ({total + 1}) is more than the quiz's {total} questions; draw at most {total}, or add questions"
    assert problem_of(place, draw) == [message]
    expect(place.locator(".qe-problems")).to_contain_text(f"Draw: {message}")
    expect(place).to_have_attribute("data-state", "invalid")
    draw.fill("0")
    expect(place.locator(".qe-problems")).to_contain_text("Draw: Input should be greater than or equal to 1")
    assert problem_of(place, draw) == ["Input should be greater than or equal to 1"]
    assert head(browser, course) == revision, "an invalid draw is not saved"
    draw.fill("3")
    saved(place)
    assert stored(browser, course, FINAL[0])["draw"] == 3

    kinds = {q["type"]: q["id"] for q in block["questions"]}
    for kind in ("multiple_response", "matching", "ordering"):
        box = question_of(place, browser, course, FINAL[0], kinds[kind]).get_by_label("Partial credit")
        expect(box).not_to_be_checked()
        box.check()
    expect(question_of(place, browser, course, FINAL[0], kinds["single_choice"]).get_by_label("Partial credit")).to_have_count(0)
    saved(place)
    questions = {q["id"]: q for q in stored(browser, course, FINAL[0])["questions"]}
    assert [questions[kinds[k]].get("partial_credit") for k in ("multiple_response", "matching", "ordering")] == [True] * 3
    assert "partial_credit" not in questions[kinds["single_choice"]]
    still_valid(browser, course)

    # A multiple response question made single choice drops its partial credit (no such field there).
    switched = question_of(place, browser, course, FINAL[0], kinds["multiple_response"])
    switched.get_by_label("Question type").select_option(label="Single choice")
    saved(place)
    q = next(q for q in stored(browser, course, FINAL[0])["questions"] if q["id"] == kinds["multiple_response"])
    assert q["type"] == "single_choice" and "partial_credit" not in q
    draw.fill("")
    saved(place)
    assert stored(browser, course, FINAL[0]).get("draw") is None, "empty: every question"
    still_valid(browser, course)
