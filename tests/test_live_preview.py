"""The course page's live preview in Chromium: the open page in the real player, launched as a
SCORM 2004 (or 1.2) SCO under scorm-again inside the editor's LMS simulator, beside the log of
every call (Initialize, SetValue of location and suspend data, Commit, with what each returned
and the error it left). A text edited in the editor shows in the preview within the running
attempt; a quiz answered in the preview logs its interactions; a renamed page, or an edit after
the learner exited, relaunches the SCO, resuming; a page a linear course keeps closed is named.
A reviewer may preview, another author may not; hostile Markdown never runs; the panel works by
keyboard and axe-core finds nothing serious in it. Without a browser: the player's files are the
package's, byte for byte, and what one revision gives is rendered once."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    add_account,
    eventually,
    folder_zip,
    live_editor,
    quick_argon2,
    signed_in,
    sqlite_app,
)
from conftest import write_course_folder
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

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
    return SimpleNamespace(live=live_editor, ada=ada, course=course, url=f"{live_editor.url}/courses/{course}")


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




def logged(page, method: str, element: str = "") -> list[dict]:
    return [c for c in calls(page) if c["method"] == method and (not element or c["element"] == element)]


def test_the_open_page_plays_in_the_lms_and_every_call_is_logged(editor, page):
    player = open_preview(editor, page)
    expect(player.locator("#main h1")).to_have_text("Alpha")
    expect(player.locator("#main")).to_contain_text("Alpha one")
    expect(player.locator("#main img")).to_have_attribute("alt", "A floor plan")
    expect(player.locator("#main img")).to_have_js_property("complete", True)
    assert player.locator("#main img").evaluate("(img) => img.naturalWidth") == 64  # the stored file
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


def test_a_quiz_answered_in_the_preview_logs_its_interactions(editor, page):
    player = open_preview(editor, page, at="p-q")
    form = player.locator("#main form[data-quiz]")
    expect(form).to_be_visible()
    form.get_by_role("radio", name="Whenever I leave").check()
    form.get_by_role("radio", name="False").check()
    form.get_by_role("button", name="Submit").click()
    expect(form.locator("[data-result]")).to_contain_text("100")
    eventually(lambda: logged(page, "SetValue", "cmi.interactions.1.result"))
    sent = {c["element"]: c for c in logged(page, "SetValue") if c["element"].startswith("cmi.interactions.")}
    assert sent["cmi.interactions.0.id"]["value"] == "q_lock"
    assert sent["cmi.interactions.0.type"]["value"] == "choice"
    assert sent["cmi.interactions.0.learner_response"]["value"] == "c_always"
    assert sent["cmi.interactions.0.result"]["value"] == "correct"
    assert sent["cmi.interactions.1.type"]["value"] == "true-false"
    assert all(c["result"] == "true" and c["error"].startswith("0") for c in sent.values())
    score = logged(page, "SetValue", "cmi.score.scaled")[-1]
    assert score["value"] == "1" and score["result"] == "true"

    page.locator("#preview-filter").select_option("SetValue")  # the log filtered by call
    visible = page.locator("#preview-calls tr:not(.launch):visible")
    assert visible.count() == len(logged(page, "SetValue"))
    assert set(visible.locator("td:nth-child(3)").all_inner_texts()) == {"SetValue"}
    page.locator("#preview-filter").select_option("all")
    assert page.locator("#preview-calls tr:not(.launch):visible").count() == len(calls(page))


def test_scorm_12_and_a_restarted_attempt(editor, page):
    player = open_preview(editor, page)
    expect(player.locator("#main h1")).to_have_text("Alpha")
    page.locator("#preview-standard").select_option("scorm12")
    player = page.frame_locator(".preview-frame").frame_locator("#sco")
    expect(player.locator("#main h1")).to_have_text("Alpha")
    eventually(lambda: logged(page, "LMSCommit"))
    (initialize,) = logged(page, "LMSInitialize")
    assert initialize["result"] == "true"
    location = logged(page, "LMSSetValue", "cmi.core.lesson_location")[-1]
    assert location["value"] == "p-a" and location["result"] == "true"
    assert logged(page, "LMSSetValue", "cmi.suspend_data")[-1]["result"] == "true"
    assert len(logged(page, "Initialize")) == 1  # the log goes on: the 2004 attempt's calls stay above
    expect(page.locator("#preview-calls tr.launch").last).to_contain_text("Attempt 1, SCORM 1.2: launched")

    player.get_by_role("button", name="Next").click()
    expect(player.locator("#main h1")).to_have_text("Beta")
    page.get_by_role("button", name="Restart attempt").click()
    expect(page.locator("#preview-calls tr.launch").last).to_contain_text("Attempt 2, SCORM 1.2")
    expect(page.locator("#preview-calls tr.launch").last).to_contain_text("cmi.entry ab-initio (restarted)")
    eventually(lambda: len(logged(page, "LMSInitialize")) == 2)
    assert logged(page, "LMSFinish")[-1]["result"] == "true"  # the first attempt ended as on any unload
    expect(player.locator("#main h1")).to_have_text("Alpha")  # the open page, from the start
    entry = logged(page, "LMSGetValue", "cmi.core.entry")[-1]
    assert entry["result"] == "ab-initio"


def test_a_renamed_page_relaunches_the_sco_which_resumes(editor, page):
    player = open_preview(editor, page, at="p-q")
    form = player.locator("#main form[data-quiz]")
    form.get_by_role("radio", name="Only at lunch").check()
    form.get_by_role("radio", name="True").check()
    form.get_by_role("button", name="Submit").click()
    expect(form.locator("[data-result]")).to_contain_text("0")
    eventually(lambda: logged(page, "SetValue", "cmi.interactions.1.result"))
    page.get_by_role("button", name="Rename page 'Check'").click()  # in the outline
    page.locator("input.rename").fill("Check, renamed")
    page.keyboard.press("Enter")
    expect(player.locator("#main h1")).to_have_text("Check, renamed")
    relaunch = eventually(lambda: [r for r in refreshes(page) if r["how"] == "relaunched"])[-1]
    assert relaunch["page"] == "p-q"
    assert logged(page, "Terminate")[-1]["result"] == "true"
    assert logged(page, "GetValue", "cmi.entry")[-1]["result"] == "resume"
    expect(page.locator("#preview-calls tr.launch").last).to_contain_text(
        "Attempt 1, SCORM 2004: launched at revision 2, cmi.entry resume (the course's outline changed)")
    expect(player.locator("#main form[data-quiz] [data-result]")).to_contain_text("0")  # the answers resumed
    assert player.locator("#main input[value='c-lunch']").is_checked()


def test_a_reviewer_may_preview_and_another_author_may_not(editor, page):
    add_account(editor.live.app, "rita@example.org", "reviewer")
    editor.ada.api("POST", f"/api/courses/{editor.course}/shares", json={"email": "rita@example.org"})
    player = open_preview(editor, page, "rita@example.org")
    expect(player.locator("#main h1")).to_have_text("Alpha")
    eventually(lambda: logged(page, "Commit"))

    other = signed_in(editor.live.app, "bob@example.org")
    course = editor.course
    for url in (f"/courses/{course}/preview", f"/api/courses/{course}/player/latest/scorm2004/index.html",
                f"/api/courses/{course}/player/1/scorm12/pages/p-a.html",
                f"/api/courses/{course}/player/latest/scorm2004/js/app.js",
                f"/api/courses/{course}/player/latest/scorm2004/media/Café plan.png"):
        assert other.client.get(url).status_code == 404, url
        assert editor.ada.client.get(url).status_code == 200, url
    signed_out = editor.live.app.test_client()
    assert signed_out.get(f"/api/courses/{course}/player/latest/scorm2004/index.html").status_code == 401
    assert signed_out.get(f"/courses/{course}/preview").status_code == 302  # to the sign-in page


def test_hostile_markdown_typed_in_a_text_block_never_runs_in_the_preview(editor, page):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    player = open_preview(editor, page)
    expect(player.locator("#main")).to_contain_text("Alpha one")
    hostile = ("# Heading\n\n<img src=x onerror=\"top.pwned='img'; console.log('pwned')\">"
               "<script>top.pwned='script'; console.log('pwned')</script>\n\n"
               "[x](javascript:top.pwned='link')\n\n<iframe src=\"javascript:top.pwned='frame'\"></iframe>"
               "<svg><script>top.pwned='svg'</script></svg><a href=\"#\" onclick=\"top.pwned='click'\">click</a>")
    page.locator("#md-t-a1").fill(hostile)
    expect(player.locator("#main h2")).to_have_text("Heading")
    fragment = player.locator("#main article")
    assert fragment.locator("script, iframe, [onerror], [onclick], a[href^='javascript']").count() == 0
    fragment.get_by_text("click").click()
    assert page.evaluate("window.pwned") is None
    answer = editor.ada.client.get(f"/api/courses/{editor.course}/player/latest/scorm2004/pages/p-a.html")
    assert b"<script" not in answer.data and b"onerror" not in answer.data
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert not [text for text in console if "pwned" in text]


def test_the_panel_by_keyboard_alone_and_axe_finds_nothing_serious(editor, chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # axe is injected
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=editor.live.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        editor.live.sign_in(page, "ada@example.org")
        page.goto(f"{editor.url}#page=p-a")
        expect(page.locator("#page-editor .card").first).to_be_visible()
        toggle = page.get_by_role("button", name="Show the preview")
        toggle.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Hide the preview")).to_have_attribute("aria-expanded", "true")
        player = page.frame_locator(".preview-frame").frame_locator("#sco")
        expect(player.locator("#main h1")).to_have_text("Alpha")
        eventually(lambda: logged(page, "Commit"))
        page.keyboard.press("Tab")
        expect(page.locator("#preview-standard")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Restart attempt")).to_be_focused()
        for control in ("#preview-filter", "button:has-text('Copy log')", "button:has-text('Clear log')",
                        ".preview-log"):
            page.locator(control).focus()  # each one is reachable and focusable
            expect(page.locator(control)).to_be_focused()
        page.locator("#preview-filter").focus()
        page.keyboard.press("ArrowDown")  # Initialize
        assert page.locator("#preview-filter").input_value() == "Initialize"
        assert page.locator("#preview-calls tr:not(.launch):visible").count() == 1
        page.locator("button:has-text('Copy log')").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#live-preview [aria-live]")).to_have_text("Copied 2 lines of the log.")
        copied = page.evaluate("() => navigator.clipboard.readText()").splitlines()
        assert copied[0].split("\t")[:3] == ["#", "ms", "call"]
        assert copied[1].startswith("Attempt 1, SCORM 2004: launched")
        assert copied[2].split("\t")[2:6] == ["Initialize", "", "", "true"]

        page.add_script_tag(path=str(AXE))
        result = page.evaluate("""(tags) => axe.run({include: [['#live-preview']]},
            {runOnly: {type: 'tag', values: tags}, iframes: false})""", WCAG21_AA)
        serious = [(rule["id"], [node["target"] for node in rule["nodes"][:3]]) for rule in result["violations"]
                   if rule["impact"] in ("serious", "critical")]
        assert not serious, serious

        page.locator("button:has-text('Clear log')").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#preview-calls tr")).to_have_count(0)
        page.get_by_role("button", name="Hide the preview").focus()
        page.keyboard.press("Enter")
        expect(page.locator(".preview-frame")).to_have_count(0)
        page.reload()  # the panel opens as it was left: closed
        expect(page.get_by_role("button", name="Show the preview")).to_be_visible()
        assert errors == []
    finally:
        context.close()


# --------------------------------------------------------------------------- without a browser
@pytest.fixture
def stored(sqlite_app, tmp_path):  # noqa: F811 - the fixture imported above
    """Ada's course in the editor (no server), and its player's address."""
    ada = signed_in(sqlite_app, "ada@example.org")
    answer = ada.import_zip(folder_zip(write_course_folder(tmp_path / "course", COURSE), "course"))
    assert answer.status_code == 201, answer.get_json()
    course = answer.get_json()["id"]
    return SimpleNamespace(app=sqlite_app, ada=ada, course=course, player=f"/api/courses/{course}/player")


def test_the_players_files_are_the_packages_byte_for_byte(stored, tmp_path):
    from courses.loader import folder_source, load_source
    from player.render import render_site

    source, file = folder_source(tmp_path / "course")
    course = load_source(source, file)
    for standard in ("scorm2004", "scorm12"):
        package = render_site(course, {}, standard, source)  # as a build renders it, renditions apart
        for name in ["index.html", *(f"pages/{p.id}.html" for p in course.pages()), "js/app.js", "css/player.css",
                     f"js/tracking/{standard}.js"]:
            answer = stored.ada.client.get(f"{stored.player}/latest/{standard}/{name}")
            assert answer.status_code == 200, (name, answer.data[:200])
            if name == "index.html":  # the package's holds its first page too; the preview fetches it
                assert answer.data == re.sub(rb"<template data-fragment=.*?</template>\n", b"", package[name], flags=re.S)
            else:
                assert answer.data == package[name], name
            assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
            assert "frame-ancestors 'self'" in answer.headers["Content-Security-Policy"]
    image = stored.ada.client.get(f"{stored.player}/1/scorm2004/media/Café plan.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data == (tmp_path / "course" / "media" / "Café plan.png").read_bytes()
    assert "sandbox" in image.headers["Content-Security-Policy"]
    text = stored.ada.client.get(f"{stored.player}/1/scorm2004/text/intro.md")  # not media: a download only
    assert text.mimetype == "application/octet-stream" and text.headers["Content-Disposition"].startswith("attachment")
    for missing in ("media/none.png", "../course.yaml", "js/../../render.py", "js/.hidden", "js/tracking", "css/"):
        assert stored.ada.client.get(f"{stored.player}/1/scorm2004/{missing}").status_code == 404, missing
    for wrong in ("latest/cmi5/index.html", "7/scorm2004/index.html", "x1/scorm2004/index.html",
                  "latest/scorm2004/pages/p-none.html", f"{2**40}/scorm12/index.html"):
        answer = stored.ada.client.get(f"{stored.player}/{wrong}")
        assert answer.status_code == 404 and answer.mimetype == "application/problem+json", wrong


def test_a_revision_is_rendered_once_and_each_answer_says_where_its_time_went(stored):
    client = stored.ada.client
    page = f"{stored.player}/latest/scorm2004/pages/p-a.html"
    first = client.get(page)
    timing = first.headers["Server-Timing"]
    assert timing.startswith("load;dur=") and 'desc="kept"' not in timing
    again = client.get(page)
    assert again.headers["Server-Timing"] == 'load;dur=0;desc="kept", render;dur=0;desc="kept"'
    assert again.data == first.data and again.headers["X-Courseforge-Revision"] == "1"
    assert client.get(page, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    launch = client.get(f"{stored.player}/latest/scorm2004/index.html")

    saved = stored.ada.api("PUT", f"/api/courses/{stored.course}/blocks/t-a1/markdown",
                           json={"base_revision": 1, "markdown": "Alpha, *edited*"})
    assert saved.status_code == 200, saved.get_json()
    edited = client.get(page)
    assert edited.headers["X-Courseforge-Revision"] == "2" and b"<em>edited</em>" in edited.data
    assert 'desc="kept"' not in edited.headers["Server-Timing"]  # a new revision: read and rendered
    assert client.get(f"{stored.player}/1/scorm2004/pages/p-a.html").data == first.data  # a revision stays
    same = client.head(f"{stored.player}/latest/scorm2004/index.html")
    assert same.headers["ETag"] == launch.headers["ETag"]  # a text edit leaves the launch page as it was
    renamed = stored.ada.api("PATCH", f"/api/courses/{stored.course}/pages/p-a",
                             json={"base_revision": 2, "title": "Alpha, renamed"})
    assert renamed.status_code == 200, renamed.get_json()
    changed = client.head(f"{stored.player}/latest/scorm2004/index.html")
    assert changed.headers["ETag"] != launch.headers["ETag"] and changed.headers["X-Courseforge-Revision"] == "3"


def test_a_page_not_open_yet_in_a_linear_course_is_named(editor, page):
    answer = editor.ada.api("PATCH", f"/api/courses/{editor.course}/settings",
                            json={"base_revision": 1, "navigation": "linear"})
    assert answer.status_code == 200, answer.get_json()
    player = open_preview(editor, page, at="p-q")
    expect(player.locator("#main h1")).to_have_text("Alpha")  # a learner starts at the start
    expect(page.locator("#preview-state")).to_have_text(
        "Showing 'Alpha' at revision 2: 'Check' is not open to learners yet in this attempt "
        "(the course's navigation is linear).")
    player.get_by_role("button", name="Next").click()
    page.get_by_role("link", name="Beta").click()  # read by the learner: it opens
    expect(player.locator("#main h1")).to_have_text("Beta")


def test_after_the_learner_exits_the_next_page_shown_resumes_the_attempt(editor, page):
    player = open_preview(editor, page, at="p-b")
    expect(player.locator("#main h1")).to_have_text("Beta")
    eventually(lambda: logged(page, "Commit"))
    player.get_by_role("button", name="Exit course").click()
    eventually(lambda: logged(page, "Terminate"))
    assert logged(page, "Terminate")[-1]["result"] == "true"
    assert logged(page, "SetValue", "cmi.exit")[-1]["value"] == "suspend"
    page.get_by_role("link", name="Alpha").click()  # relaunched, as an LMS relaunches a suspended SCO
    page.locator("#md-t-a1").fill("Alpha, after the exit")  # then redrawn in place
    expect(player.locator("#main")).to_contain_text("Alpha, after the exit")
    expect(page.locator("#preview-calls tr.launch").last).to_contain_text(
        "cmi.entry resume (the attempt had ended)")
    assert logged(page, "GetValue", "cmi.entry")[-1]["result"] == "resume"
    assert len(logged(page, "Initialize")) == 2
