"""The course history page: the revisions listed newest first on the server (paged, readable
without JavaScript, same access as the course page), and in Chromium each revision's changes with
their lines marked, a comparison with another revision, and restoring an old revision; hostile
text in a summary or a diff stays text."""
from __future__ import annotations

import re

import authoring_app
import pytest
from authoring_app import SAMPLE, add_account, folder_zip, signed_in

# The editor's fixtures, by the names the tests ask for (quick_argon2 applies to every test).
sqlite_app = authoring_app.sqlite_app
live_editor = authoring_app.live_editor
quick_argon2 = authoring_app.quick_argon2

PAGE_SIZE = 50


def new_course(browser, title: str = "History course") -> int:
    answer = browser.api("POST", "/api/courses", json={"title": title})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def text_block(browser, course: int) -> str:
    document = browser.client.get(f"/api/courses/{course}").get_json()["course"]
    return next(b["id"] for s in document["sections"] for p in s["pages"] for b in p["blocks"] if b["type"] == "text")


def save_markdown(browser, course: int, block: str, markdown: str, base: int) -> int:
    answer = browser.api("PUT", f"/api/courses/{course}/blocks/{block}/markdown",
                         json={"base_revision": base, "markdown": markdown})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["revision"]


def headings(html: str) -> list[int]:
    """The revision numbers of the page's revision headings, in page order."""
    return [int(n) for n in re.findall(r'<h2 id="revision-(\d+)">', html)]


def history(browser, course: int, query: str = ""):
    return browser.client.get(f"/courses/{course}/history{query}")


# ------------------------------------------------------------------ server-rendered list
def test_the_list_shows_each_save_newest_first_with_its_author_and_summary(sqlite_app):
    ada = signed_in(sqlite_app, "ada@example.org")
    course = new_course(ada)
    block = text_block(ada, course)
    for base, text in enumerate(["One\n", "Two\n", "Three\n"], start=1):
        save_markdown(ada, course, block, text, base)
    answer = history(ada, course)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert headings(html) == [4, 3, 2, 1]
    assert "Revision 4 (latest)" in html and "Revision 3 (latest)" not in html
    assert html.count("ada@example.org") >= 4 + 1  # each revision, and the signed-in bar
    assert f'<p class="summary">text {block}</p>' in html and '<p class="summary">created</p>' in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\d{4}-\d\d-\d\d \d\d:\d\d</time> UTC', html)
    assert f'href="/courses/{course}"' in html  # back to the course page
    # The owner may restore every revision but the latest; revision 1 has nothing before it.
    assert html.count("Restore this revision") == 3
    assert html.count("Show changes") == 3
    assert html.count("Compare with…") == 4
    # What the page script needs, and no page links when everything fits on one page.
    assert f'id="course" data-course-id="{course}" data-revision="4"' in html
    assert f'data-api="/api/courses/{course}"' in html and 'data-editable="true"' in html
    assert 'rel="next"' not in html and 'rel="prev"' not in html


def test_a_save_merged_onto_later_revisions_is_marked_merged(sqlite_app):
    ada = signed_in(sqlite_app, "ada@example.org")
    answer = ada.import_zip(folder_zip(SAMPLE, "security-basics"))
    course = answer.get_json()["id"]
    assert save_markdown(ada, course, "t-phish-example", "Ada's example\n", 1) == 2
    image = ada.client.get(f"/api/courses/{course}/blocks/i-phishing-email").get_json()["block"]
    late = ada.api("PUT", f"/api/courses/{course}/blocks/i-phishing-email",
                   json={"base_revision": 1, "block": {**image, "alt": "Better alt text"}})
    assert late.get_json()["merged"] is True
    html = history(ada, course).get_data(as_text=True)
    items = dict(zip(headings(html), re.split(r'<h2 id="revision-\d+">', html)[1:]))
    assert '<span class="merged">merged</span> (saved from revision 1)' in items[3]
    assert "merged" not in items[2] and "merged" not in items[1]


def test_the_list_pages_fifty_revisions_at_a_time_with_older_and_newer_links(sqlite_app):
    ada = signed_in(sqlite_app, "ada@example.org")
    course = new_course(ada)
    block = text_block(ada, course)
    for base in range(1, 56):
        save_markdown(ada, course, block, f"Save {base}\n", base)
    first = history(ada, course).get_data(as_text=True)
    assert headings(first) == list(range(56, 6, -1))
    older = re.search(r'<a href="([^"]+)" rel="next">Older</a>', first)
    assert older and older.group(1) == f"/courses/{course}/history?before=7"
    assert 'rel="prev"' not in first
    second = history(ada, course, "?before=7").get_data(as_text=True)
    assert headings(second) == [6, 5, 4, 3, 2, 1]
    assert 'rel="next"' not in second
    newer = re.search(r'<a href="([^"]+)" rel="prev">Newer</a>', second)
    assert newer and newer.group(1) == f"/courses/{course}/history"
    # A page further back links forward by one page, not to the newest.
    middle = history(ada, course, "?before=3").get_data(as_text=True)
    assert headings(middle) == [2, 1]
    assert f'href="/courses/{course}/history?before=53" rel="prev"' in middle


def test_a_page_number_that_is_not_a_number_is_refused_by_name(sqlite_app):
    ada = signed_in(sqlite_app, "ada@example.org")
    course = new_course(ada)
    answer = history(ada, course, "?before=-3")
    assert answer.status_code == 422
    assert "before: must be a whole number" in answer.get_data(as_text=True)


def test_a_stranger_gets_the_same_404_as_for_the_course_and_a_reviewer_cannot_restore(sqlite_app):
    ada = signed_in(sqlite_app, "ada@example.org")
    course = new_course(ada)
    save_markdown(ada, course, text_block(ada, course), "Changed\n", 1)
    eve = signed_in(sqlite_app, "eve@example.org")
    course_page, history_page = eve.client.get(f"/courses/{course}"), history(eve, course)
    assert course_page.status_code == history_page.status_code == 404
    assert f"course {course} not found" in history_page.get_data(as_text=True)
    assert history(eve, course + 1000).status_code == 404
    rita = signed_in(sqlite_app, "rita@example.org", role="reviewer")
    assert history(rita, course).status_code == 404
    assert ada.api("POST", f"/api/courses/{course}/shares", json={"email": "rita@example.org"}).status_code == 201
    shown = history(rita, course)
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert headings(html) == [2, 1] and "Show changes" in html
    assert "Restore this revision" not in html and 'data-editable="false"' in html and "Read only." in html
    signed_out = sqlite_app.test_client().get(f"/courses/{course}/history")
    assert signed_out.status_code == 302 and "/signin" in signed_out.headers["Location"]


def test_hostile_text_in_a_summary_is_escaped_on_the_server(sqlite_app):
    ada = signed_in(sqlite_app, "ada@example.org")
    answer = ada.import_zip(folder_zip(SAMPLE, "security-basics"), name="<img src=x onerror=alert(1)>.zip")
    course = answer.get_json()["id"]
    html = history(ada, course).get_data(as_text=True)
    assert "<img src=x" not in html
    assert "imported &lt;img src=x onerror=alert(1)&gt;.zip" in html


# ------------------------------------------------------------------ in Chromium
@pytest.fixture
def ada_course(sqlite_app):
    """Ada's new course whose welcome text she saved twice (revisions 2 and 3)."""
    ada = signed_in(sqlite_app, "ada@example.org")
    course = new_course(ada)
    block = text_block(ada, course)
    save_markdown(ada, course, block, "# Welcome\n\nLine one\nLine two\nLine three\n", 1)
    save_markdown(ada, course, block, "# Welcome\n\nLine one\nLine 2, rewritten\nLine three\n", 2)
    return ada, course, block


def revision_item(page, number: int):
    return page.locator(f'li.revision[data-number="{number}"]')


def test_show_changes_marks_the_changed_markdown_line(live_editor, page, ada_course):
    _ada, course, _block = ada_course
    live_editor.sign_in(page, "ada@example.org")
    page.goto(f"{live_editor.url}/courses/{course}/history")
    item = revision_item(page, 3)
    show = item.locator("button.show-changes")  # its name turns to "Hide changes"
    item.get_by_role("button", name="Show changes").click()
    panel = item.locator(".changes")
    panel.get_by_role("heading", name="Changes from revision 2 to revision 3").wait_for()
    assert show.get_attribute("aria-expanded") == "true" and show.text_content() == "Hide changes"
    assert panel.locator("h4").all_text_contents() == ["Changed files"]
    assert panel.locator(".files li").all_text_contents() == ["text/welcome.md"]
    assert panel.locator("figcaption").all_text_contents() == ["text/welcome.md"]
    assert panel.locator("del.removed").all_text_contents() == ["-Line two"]
    assert panel.locator("ins.added").all_text_contents() == ["+Line 2, rewritten"]
    assert " Line one" in panel.locator("span.context").all_text_contents()
    assert "Changes from revision 2 to revision 3 shown" in page.locator("#history-status").text_content()
    show.press("Enter")  # the same button, by keyboard, hides them again
    page.wait_for_function("document.querySelector('li[data-number=\"3\"] .changes').hidden")
    assert show.get_attribute("aria-expanded") == "false"
    # Compare revision 3 with revision 1: both saves at once, oldest first whatever the order asked.
    item.get_by_role("button", name="Compare with…").click()
    field = item.get_by_label("Compare revision 3 with revision")
    assert field.evaluate("node => node === document.activeElement")
    field.fill("1")
    field.press("Enter")
    panel.get_by_role("heading", name="Changes from revision 1 to revision 3").wait_for()
    assert "+Line 2, rewritten" in panel.locator("ins.added").all_text_contents()
    assert any("This page is written in" in line for line in panel.locator("del.removed").all_text_contents())


def test_restoring_an_older_revision_makes_the_head_that_revision(sqlite_app, live_editor, page, ada_course):
    ada, course, _block = ada_course
    live_editor.sign_in(page, "ada@example.org")
    page.goto(f"{live_editor.url}/courses/{course}/history")
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    revision_item(page, 2).get_by_role("button", name="Restore this revision").click()
    status = page.locator("#history-status")
    status.get_by_text("Revision 2 restored as revision 4.").wait_for()
    assert dialogs and "Restore revision 2?" in dialogs[0]
    assert status.evaluate("node => node === document.activeElement")
    link = status.get_by_role("link", name="Back to the course page")
    assert link.get_attribute("href") == f"/courses/{course}"
    assert page.locator("h2").first.text_content() == "Revision 4 (latest)"
    assert revision_item(page, 4).locator(".summary").text_content() == "restored revision 2"
    head = ada.client.get(f"/api/courses/{course}").get_json()
    assert head["head_revision"] == 4
    assert head["course"] == ada.client.get(f"/api/courses/{course}/revisions/2").get_json()["course"]
    files = ada.client.get(f"/api/courses/{course}/revisions/4").get_json()["files"]
    assert files == ada.client.get(f"/api/courses/{course}/revisions/2").get_json()["files"]


def test_a_restore_after_someone_else_saved_is_refused_and_the_list_reloaded(live_editor, page, ada_course):
    ada, course, block = ada_course
    live_editor.sign_in(page, "ada@example.org")
    page.goto(f"{live_editor.url}/courses/{course}/history")
    save_markdown(ada, course, block, "Saved in another tab\n", 3)
    page.on("dialog", lambda dialog: dialog.accept())
    revision_item(page, 2).get_by_role("button", name="Restore this revision").click()
    status = page.locator("#history-status")
    refused = "Not restored: the course changed since this list was loaded (the latest is revision 4)."
    status.get_by_text(refused).wait_for()
    assert page.locator("h2").first.text_content() == "Revision 4 (latest)"
    assert ada.client.get(f"/api/courses/{course}").get_json()["head_revision"] == 4


def test_a_reader_can_see_changes_but_not_restore(sqlite_app, live_editor, page, ada_course):
    ada, course, _block = ada_course
    add_account(sqlite_app, "rita@example.org", "reviewer")
    ada.api("POST", f"/api/courses/{course}/shares", json={"email": "rita@example.org"})
    live_editor.sign_in(page, "rita@example.org")
    page.goto(f"{live_editor.url}/courses/{course}/history")
    item = revision_item(page, 3)
    item.get_by_role("button", name="Show changes").click()
    item.locator("ins.added").first.wait_for()
    assert page.get_by_role("button", name="Restore this revision").count() == 0


def test_hostile_text_in_a_summary_or_a_diff_stays_text(sqlite_app, live_editor, page):
    ada = signed_in(sqlite_app, "ada@example.org")
    hostile = "<img src=x onerror=window.hacked=1>"
    answer = ada.import_zip(folder_zip(SAMPLE, "security-basics"), name=f"{hostile}.zip")
    course = answer.get_json()["id"]
    save_markdown(ada, course, "t-phish-example", f"{hostile}\n<script>window.hacked=2</script>\n", 1)
    live_editor.sign_in(page, "ada@example.org")
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_editor.url}/courses/{course}/history")
    assert revision_item(page, 1).locator(".summary").text_content() == f"imported {hostile}.zip"
    item = revision_item(page, 2)
    item.get_by_role("button", name="Show changes").click()
    added = item.locator("ins.added")
    added.first.wait_for()
    assert f"+{hostile}" in added.all_text_contents()
    assert "+<script>window.hacked=2</script>" in added.all_text_contents()
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("window.hacked") is None and alerts == []
