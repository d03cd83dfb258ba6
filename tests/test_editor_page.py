"""The course page in Chromium: the outline edited by keyboard alone and by drag, text blocks with
their live preview (hostile Markdown never runs), image alt text checked by the course model,
offline editing, a tab closed before its save, two authors on one page, and a reviewer's
read-only view; another page's previews and the quiz editor fetched when needed. Every result
is checked through the JSON API, not only on screen. Without a browser: the static files'
versioned, long-cached URLs, and the server drawing one page and embedding each text once."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    SAMPLE,
    add_account,
    eventually,
    folder_zip,
    imported_sample,
    live_editor,
    quick_argon2,
    signed_in,
    sqlite_app,
)
from conftest import write_course_folder
from flask import url_for
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

IMAGE = "media/Café plan.png"  # written by write_course_folder
COURSE = {
    "id": "editor-page",
    "title": "Editor page course",
    "sections": [
        {"id": "s-one", "title": "First section", "pages": [
            {"id": "p-a", "title": "Alpha", "blocks": [
                {"type": "text", "id": "t-a1", "markdown": "Alpha one"},
                {"type": "text", "id": "t-a2", "markdown": "Alpha two"},
                {"type": "image", "id": "i-a", "src": IMAGE, "alt": "A floor plan"},
            ]},
            {"id": "p-b", "title": "Beta", "blocks": [{"type": "text", "id": "t-b", "file": "text/intro.md"}]},
        ]},
        {"id": "s-two", "title": "Second section", "pages": [
            {"id": "p-c", "title": "Gamma", "blocks": [{"type": "text", "id": "t-c", "markdown": "Gamma"}]},
            {"id": "p-d", "title": "Delta", "blocks": [{"type": "text", "id": "t-d", "markdown": "Delta"}]},
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

    def document() -> dict:
        return ada.api("GET", f"/api/courses/{course}").get_json()["course"]

    def markdown(block: str) -> str:
        return ada.api("GET", f"/api/courses/{course}/blocks/{block}").get_json()["markdown"]

    return SimpleNamespace(live=live_editor, ada=ada, course=course, url=f"{live_editor.url}/courses/{course}",
                           document=document, markdown=markdown)




def section_ids(document: dict) -> list[str]:
    return [section["id"] for section in document["sections"]]


def page_ids(document: dict, section: str) -> list[str]:
    return [p["id"] for s in document["sections"] if s["id"] == section for p in s["pages"]]


def page_titles(document: dict) -> list[str]:
    return [p["title"] for s in document["sections"] for p in s["pages"]]


def block_ids(document: dict, page: str) -> list[str]:
    return [b["id"] for s in document["sections"] for p in s["pages"] if p["id"] == page for b in p["blocks"]]


def block(document: dict, block_id: str) -> dict:
    return next(b for s in document["sections"] for p in s["pages"] for b in p["blocks"] if b["id"] == block_id)


def open_course(editor, page, email: str = "ada@example.org", at: str = "p-a"):
    editor.live.sign_in(page, email)
    page.goto(f"{editor.url}#page={at}")
    expect(page.locator("#page-editor .card").first).to_be_visible()


def test_the_outline_by_keyboard_alone(editor, page):
    open_course(editor, page)
    page.get_by_role("button", name="Add a section").focus()
    page.keyboard.press("Enter")
    expect(page.locator("input.rename")).to_be_focused()
    page.keyboard.type("Third section")
    page.keyboard.press("Enter")
    eventually(lambda: editor.document()["sections"][-1]["title"] == "Third section")
    third = editor.document()["sections"][-1]["id"]

    page.get_by_role("button", name="Add a page to 'Third section'").focus()
    page.keyboard.press("Enter")
    expect(page.locator("input.rename")).to_be_focused()
    page.keyboard.type("Epsilon")
    page.keyboard.press("Enter")
    eventually(lambda: "Epsilon" in [p["title"] for p in editor.document()["sections"][-1]["pages"]])
    assert editor.document()["sections"][-1]["id"] == third
    expect(page.locator("#page-title")).to_have_text("Epsilon")  # the new page is the one shown

    page.get_by_role("button", name="Rename page 'Beta'").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("Beta, renamed")
    page.keyboard.press("Escape")  # cancelled: nothing sent
    page.get_by_role("button", name="Rename page 'Beta'").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("Beta, renamed")
    page.keyboard.press("Enter")
    eventually(lambda: "Beta, renamed" in page_titles(editor.document()))

    alpha = page.get_by_role("link", name="Alpha")
    alpha.focus()
    page.keyboard.press("Alt+ArrowDown")
    eventually(lambda: page_ids(editor.document(), "s-one") == ["p-b", "p-a"])
    expect(page.get_by_role("link", name="Alpha")).to_be_focused()
    expect(page.locator("#announce")).to_have_text("Moved 'Alpha' to position 2 of 2 in 'First section'.")
    page.keyboard.press("Alt+ArrowDown")  # past the end of its section: first of the next one
    eventually(lambda: page_ids(editor.document(), "s-two") == ["p-a", "p-c", "p-d"])
    expect(page.get_by_role("link", name="Alpha")).to_be_focused()
    page.keyboard.press("Alt+ArrowUp")
    eventually(lambda: page_ids(editor.document(), "s-one") == ["p-b", "p-a"])

    page.get_by_role("button", name="Delete page 'Gamma'").focus()
    page.keyboard.press("Enter")
    eventually(lambda: "p-c" not in page_ids(editor.document(), "s-two"))
    expect(page.locator("#toast")).to_contain_text("Page 'Gamma' deleted.")
    expect(page.get_by_role("button", name="Undo")).to_be_focused()
    page.keyboard.press("Enter")
    eventually(lambda: page_ids(editor.document(), "s-two") == ["p-c", "p-d"])
    expect(page.get_by_role("link", name="Gamma")).to_be_visible()


def drag(page, handle, target, below: bool = False) -> None:
    """A mouse drag of ``handle`` to just above (or below) ``target``, in small steps as a hand
    moves, so SortableJS sees a real drag."""
    expect(handle).to_be_visible()
    page.wait_for_load_state("networkidle")  # the page is not being redrawn after an earlier change
    start = handle.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2 + 5, steps=3)
    end = target.bounding_box()  # where it is once the drag has started
    y = end["y"] + (end["height"] - 4 if below else 4)
    page.mouse.move(end["x"] + end["width"] / 2, y, steps=15)
    page.wait_for_timeout(200)
    page.mouse.up()


def test_blocks_and_pages_by_mouse_drag(editor, page):
    open_course(editor, page)
    cards = page.locator("#page-editor .card")
    drag(page, cards.nth(1).locator(".handle"), cards.nth(0))
    eventually(lambda: block_ids(editor.document(), "p-a") == ["t-a2", "t-a1", "i-a"])
    expect(cards.first).to_have_attribute("data-id", "t-a2")

    beta = page.locator('.page-item[data-id="p-b"]')
    delta = page.locator('.page-item[data-id="p-d"]')
    drag(page, beta.locator(".handle"), delta, below=True)
    eventually(lambda: page_ids(editor.document(), "s-two") == ["p-c", "p-d", "p-b"])
    assert page_ids(editor.document(), "s-one") == ["p-a"]


def test_text_block_preview_saves_and_hostile_markdown_never_runs(editor, page):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    open_course(editor, page)
    area = page.locator("#md-t-a1")
    preview = page.locator('.card[data-id="t-a1"] .preview')
    area.fill("Some **bold** words")
    expect(preview.locator("strong")).to_have_text("bold")
    eventually(lambda: editor.markdown("t-a1") == "Some **bold** words")
    expect(page.locator("#state-t-a1")).to_have_text("Saved.")

    hostile = ("# Heading\n\n<img src=x onerror=\"window.pwned='img'; console.log('pwned')\">"
               "<script>window.pwned='script'; console.log('pwned')</script>\n\n[x](javascript:window.pwned='link')")
    area.fill(hostile)
    expect(preview.locator("h2")).to_have_text("Heading")  # a page's headings start at h2
    eventually(lambda: editor.markdown("t-a1") == hostile)
    expect(page.locator("#state-t-a1")).to_have_text("Saved.")
    assert page.evaluate("window.pwned") is None
    assert preview.locator("script, img[onerror], [onerror], a[href^='javascript']").count() == 0
    assert "onerror" not in preview.inner_html() and "<script" not in preview.inner_html()
    page.reload()
    expect(page.locator("#md-t-a1")).to_have_value(hostile)
    assert page.evaluate("window.pwned") is None
    assert not [text for text in console if "pwned" in text]


def test_image_alt_text_is_checked_by_the_model_and_saved(editor, page):
    open_course(editor, page)
    alt = page.locator("#alt-i-a")
    message = page.locator("#alt-i-a-message")
    expect(page.locator("#src-i-a")).to_have_value(IMAGE)
    alt.fill("")
    expect(message).to_contain_text("at least 1 character")
    expect(alt).to_have_attribute("aria-invalid", "true")
    expect(alt).to_have_attribute("aria-describedby", "alt-i-a-message")
    page.wait_for_timeout(1000)
    assert block(editor.document(), "i-a")["alt"] == "A floor plan"  # not saved

    alt.fill("The office floor plan, exits marked")
    page.locator("#caption-i-a").fill("Know your exits")
    eventually(lambda: block(editor.document(), "i-a").get("caption") == "Know your exits")
    saved = block(editor.document(), "i-a")
    assert saved["alt"] == "The office floor plan, exits marked" and saved["src"] == IMAGE
    expect(message).to_have_text("")
    expect(alt).not_to_have_attribute("aria-invalid", "true")


def test_offline_changes_are_kept_and_saved_when_the_connection_returns(editor, page):
    open_course(editor, page)
    banner = page.locator("#connection")
    expect(banner).to_be_hidden()
    page.context.set_offline(True)
    area = page.locator("#md-t-a2")
    area.click()
    area.press("End")
    page.keyboard.type(", typed offline")
    expect(banner).to_be_visible(timeout=2000)
    expect(banner).to_contain_text("Offline")
    page.wait_for_timeout(1000)
    expect(area).to_have_value("Alpha two, typed offline")
    page.get_by_role("link", name="Beta").click()  # the open page shows its buttons
    page.get_by_role("button", name="Rename page 'Beta'").click()
    page.keyboard.type("Beta, renamed offline")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Beta, renamed offline")).to_be_visible()
    page.get_by_role("link", name="Gamma").focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("#outline .page-link")).to_have_text(["Alpha", "Beta, renamed offline", "Delta", "Gamma"])
    assert editor.markdown("t-a2") == "Alpha two"
    assert page_ids(editor.document(), "s-two") == ["p-c", "p-d"]
    page.context.set_offline(False)
    eventually(lambda: editor.markdown("t-a2") == "Alpha two, typed offline", timeout=15)
    eventually(lambda: "Beta, renamed offline" in page_titles(editor.document()), timeout=15)
    eventually(lambda: page_ids(editor.document(), "s-two") == ["p-d", "p-c"], timeout=15)
    expect(banner).to_be_hidden()


def test_text_typed_in_a_tab_closed_before_its_save_is_kept(editor, page):
    open_course(editor, page)
    area = page.locator("#md-t-a1")
    area.click()
    area.press("End")
    page.keyboard.type(" and more")
    context = page.context
    page.close()  # well within the save pause
    again = context.new_page()
    again.goto(f"{editor.url}#page=p-a")
    eventually(lambda: editor.markdown("t-a1") == "Alpha one and more")
    expect(again.locator("#md-t-a1")).to_have_value("Alpha one and more")


def test_two_authors_on_one_page_are_merged_and_a_conflict_loses_nothing(editor, page, chromium):
    add_account(editor.live.app, "bob@example.org")
    shared = editor.ada.api("POST", f"/api/courses/{editor.course}/shares",
                            json={"email": "bob@example.org", "can_edit": True})
    assert shared.status_code == 201
    open_course(editor, page)
    other = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        bob = other.new_page()
        open_course(editor, bob, "bob@example.org")

        page.locator("#md-t-a1").fill("Ada's words")
        bob.locator("#md-t-a2").fill("Bob's words")
        eventually(lambda: editor.markdown("t-a1") == "Ada's words" and editor.markdown("t-a2") == "Bob's words")
        expect(bob.locator("#state-t-a2")).to_contain_text("Saved")

        page.locator("#md-t-a1").fill("Ada, second thoughts")
        eventually(lambda: editor.markdown("t-a1") == "Ada, second thoughts")
        ada_revision = editor.ada.api("GET", f"/api/courses/{editor.course}").get_json()["head_revision"]
        bob.locator("#md-t-a1").fill("Bob's version of it")
        box = bob.locator('.card[data-id="t-a1"] .conflict')
        expect(box).to_be_visible()
        expect(box.locator(".mine")).to_have_text("Bob's version of it")
        expect(box.locator(".theirs")).to_have_text("Ada, second thoughts")
        expect(bob.locator("#state-t-a1")).to_contain_text("someone else")
        assert editor.markdown("t-a1") == "Ada, second thoughts"  # nothing overwritten
        box.get_by_role("button", name="Keep mine").click()
        eventually(lambda: editor.markdown("t-a1") == "Bob's version of it")
        assert editor.markdown("t-a2") == "Bob's words"
        kept = editor.ada.api("GET", f"/api/courses/{editor.course}/revisions/{ada_revision}").get_json()
        assert block(kept["course"], "t-a1")["markdown"] == "Ada, second thoughts"  # Ada's is in the history
    finally:
        other.close()


def test_a_reviewer_sees_the_course_without_editing_controls(editor, page):
    add_account(editor.live.app, "rita@example.org", "reviewer")
    editor.ada.api("POST", f"/api/courses/{editor.course}/shares", json={"email": "rita@example.org"})
    open_course(editor, page, "rita@example.org")
    expect(page.locator('.card[data-id="t-a1"] .preview')).to_have_text("Alpha one")
    expect(page.locator('.card[data-id="i-a"]')).to_contain_text("A floor plan")
    # The preview's controls (its standard, its log's filter) and the comments' (a filter, a
    # reply) are a reader's too.
    reading = ":not(#live-preview *):not(#comments *):not(.thread *)"
    editing = (f"#course textarea{reading}, #course input{reading}, #course select{reading}, "
               ".handle, #course .controls, #publish-form")
    assert page.locator(editing).count() == 0
    for name in ("Add a section", "Add a block", "Delete", "Rename"):
        assert page.get_by_role("button", name=name).count() == 0
    page.get_by_role("link", name="Gamma").click()
    expect(page.locator("#page-title")).to_have_text("Gamma")
    expect(page.locator('.card[data-id="t-c"] .preview')).to_have_text("Gamma")  # asked for on opening
    assert page.url.endswith("#page=p-c")
    page.reload()
    expect(page.locator("#page-title")).to_have_text("Gamma")  # the page in the URL opens again


def test_blocks_added_after_any_block_get_focus_and_a_deleted_block_comes_back(editor, page):
    open_course(editor, page)
    page.get_by_role("button", name="Add a block after this block").first.click()
    page.get_by_role("button", name="Add a text block after this block").click()
    eventually(lambda: len(block_ids(editor.document(), "p-a")) == 4)
    added = block_ids(editor.document(), "p-a")[1]
    expect(page.locator(f"#md-{added}")).to_be_focused()
    page.keyboard.type("A new *paragraph*")
    eventually(lambda: editor.markdown(added) == "A new *paragraph*")

    page.get_by_role("button", name="Add a block at the end").click()
    page.get_by_role("button", name="Add a quiz block at the end").click()
    eventually(lambda: len(block_ids(editor.document(), "p-a")) == 5)
    quiz = block(editor.document(), block_ids(editor.document(), "p-a")[-1])
    assert quiz["type"] == "quiz" and quiz["questions"][0]["prompt"] == "New question"
    assert [c.get("correct", False) for c in quiz["questions"][0]["choices"]] == [True, False]
    expect(page.locator(f'.card[data-id="{quiz["id"]}"] .quiz-editor[data-block-id="{quiz["id"]}"]')).to_have_count(1)
    expect(page.locator(f'.card[data-id="{quiz["id"]}"] .block-kind')).to_have_text("Quiz: New quiz")

    page.get_by_role("button", name="Add a block at the end").click()
    page.get_by_role("button", name="Add an image block at the end").click()
    eventually(lambda: len(block_ids(editor.document(), "p-a")) == 6)
    image = block_ids(editor.document(), "p-a")[-1]
    expect(page.locator(f"#alt-{image}")).to_be_focused()
    page.keyboard.type("Our office plan")
    eventually(lambda: block(editor.document(), image)["alt"] == "Our office plan")

    page.get_by_role("button", name="Delete block 'Text: Alpha two'").click()
    eventually(lambda: "t-a2" not in block_ids(editor.document(), "p-a"))
    expect(page.locator('.card[data-id="t-a2"]')).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    eventually(lambda: "t-a2" in block_ids(editor.document(), "p-a"))
    expect(page.locator("#md-t-a2")).to_have_value("Alpha two")


def test_course_settings_show_the_models_messages_and_save_as_typed(editor, page):
    open_course(editor, page)
    page.get_by_text("Course settings").click()
    score = page.get_by_label("Passing score (%)", exact=True)
    score.fill("150")
    expect(page.locator("#setting-passing_score-message")).to_contain_text("less than or equal to 100")
    expect(score).to_have_attribute("aria-invalid", "true")
    score.fill("70")
    eventually(lambda: editor.document().get("passing_score") == 70)
    expect(score).not_to_have_attribute("aria-invalid", "true")
    page.get_by_label("Title", exact=True).fill("Renamed course")
    page.get_by_label("Navigation", exact=True).select_option("linear")
    settings = ("Renamed course", "linear")
    eventually(lambda: (editor.document()["title"], editor.document().get("navigation")) == settings)
    expect(page.locator("#course-title")).to_have_text("Renamed course")
    language = page.get_by_label("Language (a BCP 47 tag such as en or nl-BE)", exact=True)
    language.fill("not a tag")
    expect(page.locator("#setting-language-message")).to_contain_text("String should match pattern")
    # The voice is two fields of one setting, saved together; a speed out of range is named.
    speed = page.get_by_label("Speaking speed (words per minute, 80 to 450)", exact=True)
    expect(speed).to_have_value("160")
    speed.fill("30")
    expect(page.locator("#setting-voice\\.speed-message")).to_contain_text("greater than or equal to 80")
    expect(speed).to_have_attribute("aria-invalid", "true")
    speed.fill("190")
    page.get_by_label(re.compile("^Voice of narration scripts"), exact=False).fill("en-gb")
    eventually(lambda: editor.document().get("voice") == {"engine": "espeak-ng", "voice": "en-gb", "speed": 190})
    expect(speed).not_to_have_attribute("aria-invalid", "true")
    page.reload()
    expect(page.get_by_label("Passing score (%)", exact=True)).to_have_value("70")
    expect(page.get_by_label("Speaking speed (words per minute, 80 to 450)", exact=True)).to_have_value("190")


def test_other_pages_previews_and_the_quiz_editor_come_when_needed(editor, page):
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    open_course(editor, page)
    page.wait_for_function("() => performance.getEntriesByName('editor-ready', 'mark').length === 1")
    assert not [url for url in fetched if "quiz-editor" in url]  # no quiz on this page (nor in the course)
    page.get_by_role("link", name="Beta").click()
    expect(page.locator('.card[data-id="t-b"] .preview h2')).to_have_text("Intro")  # text/intro.md, rendered
    expect(page.locator("#md-t-b")).to_have_value("# Intro\n\nSome *text* & more.\n")
    page.get_by_role("button", name="Add a block at the end").click()
    page.get_by_role("button", name="Add a quiz block at the end").click()
    expect(page.locator(".quiz-editor .qe-body")).to_be_visible()  # fetched, run and mounted
    assert page.locator('head script[src*="/static/quiz-editor.js?v="]').count() == 1
    assert page.locator('head link[href*="/static/quiz-editor.css?v="]').count() == 1
    page.get_by_role("link", name="Alpha").click()
    page.get_by_role("link", name="Beta").click()
    expect(page.locator(".quiz-editor .qe-body")).to_be_visible()  # mounted again, not fetched again
    assert len([url for url in fetched if "quiz-editor.js" in url]) == 1


# ------------------------------------------------------------------ served without a browser
STATIC_REF = re.compile(r'(?:src|href|data-[a-z-]+)="(/(?:static|vendor)/[^"]*)"')  # data-: fetched later


def test_static_urls_carry_their_content_hash_and_are_cached_for_good(sqlite_app, tmp_path):  # noqa: F811
    ada = signed_in(sqlite_app, "ada@example.org")
    course = imported_sample(ada)
    html = ada.client.get(f"/courses/{course}").get_data(as_text=True)
    refs = STATIC_REF.findall(html)
    named = " ".join(refs)
    assert "/vendor/sortable.js" in named and "/static/quiz-editor.js" in named and len(refs) >= 9
    for ref in refs:
        assert re.search(r"\?v=[0-9a-f]{16}$", ref), ref
        answer = ada.client.get(ref)
        assert answer.status_code == 200, ref
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable", ref
        unversioned = ada.client.get(ref.split("?")[0])
        assert unversioned.get_data() == answer.get_data()
        assert unversioned.headers["Cache-Control"] == "public, max-age=300", ref

    # A changed file gets a new URL; its old URL is no longer cached for good.
    static = tmp_path / "static"
    static.mkdir()
    script = static / "part.js"
    script.write_text("one", encoding="utf-8")
    sqlite_app.static_folder = str(static)
    with sqlite_app.test_request_context():
        first = url_for("static", filename="part.js")
        assert url_for("static", filename="part.js") == first  # the same while the file is unchanged
        script.write_text("two, longer", encoding="utf-8")
        second = url_for("static", filename="part.js")
        assert url_for("static", filename="missing.js") == "/static/missing.js"
    assert first != second and first.startswith("/static/part.js?v=")
    assert ada.client.get(second).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    old = ada.client.get(first)
    assert old.get_data() == b"two, longer" and old.headers["Cache-Control"] == "public, max-age=300"
    assert ada.client.get("/static/missing.js").status_code == 404


def test_the_course_page_draws_one_page_and_embeds_each_text_once(sqlite_app):  # noqa: F811
    ada = signed_in(sqlite_app, "ada@example.org")
    course = imported_sample(ada)
    html = ada.client.get(f"/courses/{course}").get_data(as_text=True)
    assert len(html) < 60_000  # the whole course drawn, and its Markdown twice, made 100 KB
    data = json.loads(html.split('<script type="application/json" id="course-data">', 1)[1].split("</script>", 1)[0])
    assert data["page"] == "p-welcome"
    assert re.findall(r'<article class="page" id="([^"]+)"', html) == ["p-welcome"]
    assert re.findall(r'data-block-id="([^"]+)"', html) == ["n-welcome", "t-welcome"]
    assert "<strong>an ordinary person being tricked</strong>" in html  # the drawn page's preview
    # Markdown kept in files comes once, as it is; inline Markdown only in the document.
    blocks = [b for s in data["course"]["sections"] for p in s["pages"] for b in p["blocks"] if b["type"] == "text"]
    assert set(data["texts"]) == {b["id"] for b in blocks if "file" in b} and len(data["texts"]) == 12
    assert data["texts"]["t-mfa"] == (SAMPLE / "pages" / "mfa.md").read_text(encoding="utf-8")
    assert "<p>" not in json.dumps(data["texts"])
    assert 'class="page-item current"><a class="page-link" href="#page=p-welcome" aria-current="page">' in html

    # Without JavaScript the outline's links draw the page they name.
    assert 'href="?page=p-mfa#page=p-mfa"' in html
    other = ada.client.get(f"/courses/{course}?page=p-mfa").get_data(as_text=True)
    assert re.findall(r'<article class="page" id="([^"]+)"', other) == ["p-mfa"]
    assert "<strong>Multi-factor authentication (MFA)</strong>" in other
    assert json.loads(other.split('id="course-data">', 1)[1].split("</script>", 1)[0])["page"] == "p-mfa"
    gone = ada.client.get(f"/courses/{course}?page=p-gone")
    assert gone.status_code == 404
    assert f"page: no page &#39;p-gone&#39; in course {course}" in gone.get_data(as_text=True)
