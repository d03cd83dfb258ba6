"""The course page's live preview in Chromium: the open page in the real player, launched as a
SCORM 2004 (or 1.2) SCO under scorm-again inside the editor's LMS simulator, beside the log of
every call (Initialize, SetValue of location and suspend data, Commit, with what each returned
and the error it left). A text edited in the editor shows in the preview within the running
attempt; a quiz answered in the preview logs its interactions; a renamed page relaunches the SCO,
resuming. A reviewer may preview, another author may not; hostile Markdown never runs. Without a
browser: the player's files are the package's, byte for byte, and what one revision gives is
rendered once."""
from __future__ import annotations

import json
import re
import time
from types import SimpleNamespace

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    add_account,
    folder_zip,
    live_editor,
    quick_argon2,
    signed_in,
    sqlite_app,
)
from conftest import write_course_folder
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

COURSE = {
    "id": "live-preview",
    "title": "Live preview course",
    "sections": [
        {"id": "s-one", "title": "First section", "pages": [
            {"id": "p-a", "title": "Alpha", "blocks": [
                {"type": "text", "id": "t-a1", "markdown": "Alpha one"},
                {"type": "image", "id": "i-a", "src": "media/Café plan.png", "alt": "A floor plan"},
            ]},
            {"id": "p-b", "title": "Beta", "blocks": [{"type": "text", "id": "t-b", "file": "text/intro.md"}]},
        ]},
        {"id": "s-two", "title": "Second section", "pages": [
            {"id": "p-q", "title": "Check", "blocks": [
                {"type": "quiz", "id": "quiz-1", "title": "Quick check", "questions": [
                    {"type": "single_choice", "id": "q-lock", "prompt": "When do you lock your screen?",
                     "choices": [{"id": "c-lunch", "text": "Only at lunch"},
                                 {"id": "c-always", "text": "Whenever I leave", "correct": True}]},
                    {"type": "true_false", "id": "q-share", "prompt": "You may share your password.",
                     "answer": False},
                ]},
            ]},
        ]},
    ],
}


@pytest.fixture
def editor(live_editor, tmp_path):  # noqa: F811 - the fixture imported above
    """Ada's course on the live editor, and how to read it back through the API."""
    ada = signed_in(live_editor.app, "ada@example.org")
    folder = write_course_folder(tmp_path / "course", COURSE)
    answer = ada.import_zip(folder_zip(folder, "course"))
    assert answer.status_code == 201, answer.get_json()
    course = answer.get_json()["id"]

    def head() -> int:
        return ada.api("GET", f"/api/courses/{course}").get_json()["revision"]

    return SimpleNamespace(live=live_editor, ada=ada, course=course, url=f"{live_editor.url}/courses/{course}",
                           head=head)


def open_preview(editor, page, email: str = "ada@example.org", at: str = "p-a"):
    """The course page at page ``at`` with the preview shown; the player's frame."""
    editor.live.sign_in(page, email)
    page.goto(f"{editor.url}#page={at}")
    expect(page.locator("#page-editor .card").first).to_be_visible()
    page.get_by_role("button", name="Show the preview").click()
    return page.frame_locator(".preview-frame").frame_locator("#sco")


def calls(page) -> list[dict]:
    """The log's rows as the author sees them (launch rows apart)."""
    return page.evaluate("""() => [...document.querySelectorAll('#preview-calls tr:not(.launch)')].map((row) => {
        const cells = [...row.cells].map((cell) => cell.textContent);
        return {n: Number(cells[0]), method: cells[2], element: cells[3], value: cells[4], result: cells[5],
                error: cells[6]};
    })""")


def refreshes(page) -> list[dict]:
    return page.evaluate("""() => performance.getEntriesByName('preview-refresh')
        .map((m) => ({duration: m.duration, ...m.detail}))""")


def eventually(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"still {value!r} after {timeout} s"
            return value
        time.sleep(0.1)


def logged(page, method: str, element: str = "") -> list[dict]:
    return [c for c in calls(page) if c["method"] == method and (not element or c["element"] == element)]


def test_the_open_page_plays_in_the_lms_and_every_call_is_logged(editor, page):
    player = open_preview(editor, page)
    expect(player.locator("#main h1")).to_have_text("Alpha")
    expect(player.locator("#main")).to_contain_text("Alpha one")
    expect(player.locator("#main img")).to_have_attribute("alt", "A floor plan")
    assert player.locator("#main img").evaluate("(img) => img.complete && img.naturalWidth") == 64  # the stored file
    eventually(lambda: logged(page, "Commit"))
    (initialize,) = logged(page, "Initialize")
    assert initialize["result"] == "true" and initialize["error"].startswith("0")
    (entry,) = logged(page, "GetValue", "cmi.entry")
    assert entry["value"] == "" and entry["result"] == "ab-initio"
    location = logged(page, "SetValue", "cmi.location")[-1]
    assert location["value"] == "p-a" and location["result"] == "true" and location["error"].startswith("0")
    suspend = logged(page, "SetValue", "cmi.suspend_data")[-1]
    assert suspend["result"] == "true"
    size = len(page.evaluate("() => [...document.querySelectorAll('#preview-calls tr')].map((r) => r.entry)"
                             ".filter((e) => e && e.element === 'cmi.suspend_data').pop().value"))
    assert f"[{size} characters (" in suspend["value"] and "of SCORM 1.2's 4,096" in suspend["value"]
    assert "of SCORM 2004's 64,000" in suspend["value"]
    expect(page.locator("#preview-suspend")).to_contain_text(f"Suspend data: {size} characters")
    commit = logged(page, "Commit")[-1]
    assert commit["result"] == "true" and commit["error"].startswith("0")
    assert [c["n"] for c in calls(page)] == sorted(c["n"] for c in calls(page))  # newest last
    expect(page.locator("#preview-calls tr.launch")).to_contain_text("Attempt 1, SCORM 2004: launched at revision 1")
    launch = eventually(lambda: [r for r in refreshes(page) if r["ticket"] == "launch"])
    assert launch[0]["page"] == "p-a"


def test_an_edit_shows_in_the_running_attempt(editor, page):
    player = open_preview(editor, page)
    expect(player.locator("#main")).to_contain_text("Alpha one")
    eventually(lambda: logged(page, "Commit"))
    page.locator("#md-t-a1").fill("Alpha, **edited** live")
    expect(player.locator("#main strong")).to_have_text("edited")
    edit = eventually(lambda: [r for r in refreshes(page) if r["cause"] == "edit"])[-1]
    assert edit["how"] == "in place" and edit["page"] == "p-a" and edit["revision"] >= 2
    assert len(logged(page, "Initialize")) == 1 and not logged(page, "Terminate")  # the same attempt

    page.get_by_role("link", name="Beta").click()  # another page opened in the editor
    expect(player.locator("#main h1")).to_have_text("Beta")
    expect(player.locator("#main")).to_contain_text("Some text & more.")
    assert len(logged(page, "Initialize")) == 1
