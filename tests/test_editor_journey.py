"""An author's first course, end to end in Chromium: a new author signs in, creates a course,
writes three pages of text and a three-question quiz with keyboard and mouse, publishes it as
SCORM 2004 and downloads the zip; the zip passes the official schemas and the package check,
and a learner completes it in the stand-in LMS (scorm-again), which then holds the completion,
the score and one interaction per question."""
from __future__ import annotations

import re
import zipfile

import pytest
from authoring_app import add_account, live_editor, quick_argon2, sqlite_app  # noqa: F401 - fixtures
from playwright.sync_api import expect
from test_scorm_e2e import HARNESS, launch, play

from courses.loader import load_course
from lms.tokens import lms_token

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AUTHOR = "new.author@example.org"
PAGES = {
    "Welcome": "# Welcome\n\nThis course is about **staying safe** online.",
    "Passwords": "# Passwords\n\nUse a long passphrase, and a different one for every site.",
    "Phishing": "# Phishing\n\nCheck the sender before you click a link.",
}


def saved(place) -> None:
    expect(place.locator(".save-state").first).to_have_text(re.compile(r"^Saved"), timeout=15_000)


def write_text(page, markdown: str) -> None:
    """Types the page's first text block by keyboard and waits for its save."""
    card = page.locator("#page-editor .card").filter(has=page.locator("textarea.markdown")).first
    area = card.locator("textarea.markdown")
    area.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(markdown)
    expect(card.get_by_role("region", name="Preview")).to_contain_text(markdown.splitlines()[-1].split("**")[0][:20])
    saved(card)


def test_a_new_author_builds_publishes_and_a_learner_completes_the_course(
    live_editor, page, lms_server, scorm_validator, tmp_path
):
    add_account(live_editor.app, AUTHOR)
    live_editor.sign_in(page, AUTHOR)

    # A new course, from the list, by keyboard.
    page.get_by_label("New course").fill("Staying safe online")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/courses/\d+$"))
    course_url = page.url
    expect(page.locator("#page-editor .card").first).to_be_visible()

    # Page 1 is the starter's Welcome page; pages 2 and 3 are added to its section (at its end),
    # then the starter's quiz page is moved after them by keyboard.
    page.get_by_role("link", name="Welcome").click()
    write_text(page, PAGES["Welcome"])
    for title in ("Passwords", "Phishing"):
        page.get_by_role("button", name="Add a page to 'Getting started'").click()
        rename = page.locator("input.rename")
        expect(rename).to_be_focused()
        page.keyboard.type(title)
        page.keyboard.press("Enter")
        page.get_by_role("link", name=title).click()
        write_text(page, PAGES[title])
    quiz_link = page.get_by_role("link", name="Check your understanding")
    for _ in range(2):
        quiz_link.focus()
        page.keyboard.press("Alt+ArrowDown")
        expect(page.locator("#announce")).to_contain_text("Moved")
    expect(page.locator(".page-item .page-link")).to_have_text(
        ["Welcome", "Passwords", "Phishing", "Check your understanding"])

    # The quiz: a new quiz block replaces the starter's; three questions of three types.
    page.get_by_role("link", name="Check your understanding").click()
    page.get_by_role("button", name="Add a block at the end").click()
    page.get_by_role("button", name="Add a quiz block at the end").click()
    cards = page.locator("#page-editor .card")
    expect(cards).to_have_count(2)
    cards.first.get_by_role("button", name=re.compile(r"^Delete block")).click()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    expect(cards).to_have_count(1)
    place = page.locator(".quiz-editor").first
    expect(place.locator(".qe-body")).to_be_visible()
    place.get_by_label("Quiz title").fill("Safety check")

    first = place.locator(".qe-question").first
    first.get_by_label("Prompt (Markdown)").fill("Which password is strongest?")
    first.get_by_label("Choice A", exact=True).fill("correct horse battery staple")
    first.get_by_label("Choice B", exact=True).fill("P@ssw0rd")
    first.get_by_label("Correct: choice A").check()

    place.get_by_label("New question type").select_option(label="True or false")
    place.get_by_role("button", name="Add question").click()
    second = place.locator(".qe-question").nth(1)
    expect(second.get_by_label("Prompt (Markdown)")).to_be_focused()
    page.keyboard.type("A bank will ask for your password by email.")
    second.get_by_label("False", exact=True).check()

    place.get_by_label("New question type").select_option(label="Fill in the blank")
    place.get_by_role("button", name="Add question").click()
    third = place.locator(".qe-question").nth(2)
    expect(third.get_by_label("Prompt (Markdown)")).to_be_focused()
    page.keyboard.type("What do you check before you click a link? The ...")
    third.get_by_label("Accepted answer 1", exact=True).fill("sender")
    expect(place).to_have_attribute("data-state", "saved", timeout=15_000)

    # Publish SCORM 2004 from the editor and download the zip.
    publish = page.locator("#publish")
    publish.get_by_label("SCORM 2004").check()
    publish.get_by_role("button", name=re.compile(r"^Build revision")).click()
    link = page.locator("#builds").get_by_role("link", name="Download").first
    expect(link).to_be_visible(timeout=120_000)
    with page.expect_download() as download:
        link.click()
    package = tmp_path / "package.zip"
    download.value.save_as(package)
    assert page.url.split("#")[0] == course_url  # the download did not take the author off the page

    # The package: the official schemas, our package check, and the course the author made.
    from exporters.check import check_package

    code, output = scorm_validator(package)
    assert code == 0, output
    assert check_package(package, "scorm2004") == []
    folder = tmp_path / "package"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(folder)
    course_zip = page.request.get(f"{live_editor.url}/api/courses/{course_url.rsplit('/', 1)[1]}/export")
    source = tmp_path / "source.zip"
    source.write_bytes(course_zip.body())
    with zipfile.ZipFile(source) as archive:
        archive.extractall(tmp_path / "source")
    course = load_course(next((tmp_path / "source").glob("*/course.yaml")).parent)
    assert [p.title for p in course.pages()] == [*PAGES, "Check your understanding"]
    quiz = course.quizzes()[0]
    assert (quiz.title, [q.type for q in quiz.questions]) == ("Safety check", ["single_choice", "true_false", "fill_in"])

    # A learner completes it in the LMS, which holds completion, score and every answer.
    lms_server.mount("/journey/", folder)
    learner = page.context.new_page()
    content = launch(learner, lms_server, "scorm2004", "/journey/index.html")
    play(content, course)
    assert learner.evaluate("() => lms.errors()") == []
    cmi = learner.evaluate("() => lms.cmi()")
    assert (cmi["completion_status"], cmi["success_status"]) == ("completed", "passed")
    assert cmi["score"]["scaled"] == "1"
    recorded = {row["id"]: row for row in cmi["interactions"].values()}
    assert sorted(recorded) == sorted(lms_token(q.id) for q in quiz.questions)
    assert {row["result"] for row in recorded.values()} == {"correct"}
    assert HARNESS in learner.url
