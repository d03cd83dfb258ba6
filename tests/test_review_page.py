"""The review page and the editor's comments in Chromium. A reviewer with no account opens a review
link, gives a name once, and comments from the panel beside the course's web player on the block
in view, on a question, and on a video at the second it is at ("Comment at 0:07"); another
reviewer's browser shows those comments and replies to one; hostile text is shown as text and
never runs. The author sees each block's open comments as a count on its card, opens the thread,
replies and resolves, and jumps from the course's comment list to a comment's page and block. An
expired link shows a page saying so. The review page is keyboard usable and axe-core clean."""
from __future__ import annotations

import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    live_editor,
    quick_argon2,
    signed_in,
    sqlite_app,
)
from playwright.sync_api import expect
from test_review_links import review_course_zip, set_expiry

pytestmark = [pytest.mark.browser]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
HOSTILE = '<img src=x onerror="window.__ran = 1"><script>window.__ran = 2</script>'


@pytest.fixture
def review(live_editor, tmp_path):  # noqa: F811 - the fixture imported above
    """Ada's course (text, video, quiz) on the live editor and a review link to its head."""
    ada = signed_in(live_editor.app, "ada@example.org")
    answer = ada.import_zip(review_course_zip(tmp_path / "course"))
    assert answer.status_code == 201, answer.get_json()
    course = answer.get_json()["id"]
    link = ada.api("POST", f"/api/courses/{course}/review-links", json={"label": "For Rita"}).get_json()
    return SimpleNamespace(live=live_editor, ada=ada, course=course, link=link,
                           url=f"{live_editor.url}/review/{link['token']}")


@pytest.fixture
def browser_page(chromium):
    """A fresh browser (no cookies, no storage) whose scripts must not throw; the page's CSP is
    bypassed only so that axe-core can be injected."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def audit(page, where: str) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG21_AA)
    failing = [f"{rule['id']}: {rule['help']} ({', '.join(' '.join(n['target']) for n in rule['nodes'][:3])})"
               for rule in result["violations"] if rule["impact"] in ("serious", "critical")]
    for rule in result["violations"]:
        if rule["impact"] not in ("serious", "critical"):
            warnings.warn(f"{where}: {rule['id']}: {rule['help']}", stacklevel=2)
    assert failing == [], f"{where}: {failing}"


def player(page):
    return page.frame_locator("#review-frame")


def open_review(page, review, name: str | None = "Rita"):
    page.goto(review.url)
    expect(player(page).locator("article.page")).to_be_visible()
    if name:
        page.get_by_label("Your name, shown with your comments").fill(name)
        page.get_by_role("button", name="Use this name").click()
        expect(page.locator("#reviewer-shown")).to_have_text(name)


def go_to(page, title: str) -> None:
    frame = player(page)
    toggle = frame.locator("#menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()  # the player's menu is a drawer at the frame's width
    frame.locator("#menu").get_by_role("link", name=title, exact=True).click()
    expect(frame.locator("h1.page-title")).to_have_text(title)


def post(page, text: str) -> None:
    page.get_by_label("Your comment", exact=True).fill(text)
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-message")).to_have_text("Your comment is posted.")


def stored_comments(review) -> list[dict]:
    return review.ada.api("GET", f"/api/courses/{review.course}/comments").get_json()["comments"]


# --------------------------------------------------------------------------- the reviewer
def test_a_reviewer_with_no_account_comments_on_a_block_a_question_and_a_video_second(review, browser_page):
    page = browser_page
    open_review(page, review)
    target = page.get_by_label("Comment on")
    expect(target.locator("option:checked")).to_have_text("Text: Welcome to the course")
    post(page, "Say hello first.")
    expect(page.locator("#comment-list .comment")).to_have_count(1)
    expect(page.locator("#comment-list .comment").first).to_contain_text("Rita (reviewer) on Text: Welcome to the course")

    go_to(page, "Quiz")
    expect(target.locator("option:checked")).to_have_text("Quiz: Check")
    player(page).locator("[data-question='q-sky'] input").first.focus()
    expect(target.locator("option:checked")).to_have_text("Quiz: Check › Question 2: The sky is green.")
    post(page, "Too easy.")

    go_to(page, "Watch")
    video = player(page).locator("video")
    video.evaluate("(v) => new Promise((done) => { if (v.readyState >= 1) done(); else v.onloadedmetadata = done; })")
    video.evaluate("(v) => new Promise((done) => { v.onseeked = done; v.currentTime = 7.4; })")
    at = page.get_by_role("button", name=re.compile(r"^Comment at 0:07 on the video “A short clip”"))
    expect(at).to_be_visible()
    at.click()
    expect(page.locator("#comment-pin-text")).to_have_text("At 0:07 in the video.")
    expect(page.get_by_label("Your comment", exact=True)).to_be_focused()
    post(page, "The picture jumps here.")
    expect(page.locator("#comment-list .comment").first).to_contain_text("on Video: A short clip at 0:07")

    pins = [(c["block_id"], c["question_id"], c["video_second"], c["author"]) for c in stored_comments(review)]
    assert pins == [("t-intro", None, None, "Rita"), ("quiz-1", "q-sky", None, "Rita"),
                    ("v-clip", None, 7, "Rita")]
    page.get_by_label("Show the comments on every page").check()
    expect(page.locator("#comment-list .comment")).to_have_count(3)
    audit(page, "review page")


def test_comments_are_shared_replies_thread_and_hostile_text_never_runs(review, browser_page, chromium):
    page = browser_page
    open_review(page, review)
    post(page, HOSTILE)
    expect(page.locator("#comment-list .comment-body").first).to_have_text(HOSTILE)

    other = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # no CSP to hide behind
    sam = other.new_page()
    try:
        open_review(sam, review, name="Sam <b>")
        comment = sam.locator("#comment-list .comment").first
        expect(comment.locator(".comment-body")).to_have_text(HOSTILE)
        comment.get_by_role("button", name="Reply").click()
        sam.get_by_label("Your reply to Rita").fill("Agreed <script>window.__ran = 3</script>")
        sam.get_by_role("button", name="Send reply").click()
        expect(comment.locator(".replies .reply")).to_have_count(1)
        expect(sam.locator("#comment-list .reply").first).to_contain_text("Sam <b> (reviewer)")
        assert sam.evaluate("() => window.__ran") is None
        assert sam.locator("#comment-list img, #comment-list script, #comment-list b").count() == 0
    finally:
        other.close()
    page.reload()
    expect(page.locator("#reviewer-shown")).to_have_text("Rita")  # the name is kept in this browser
    expect(page.locator("#comment-list .reply")).to_have_count(1)
    assert page.evaluate("() => window.__ran") is None


def test_the_panel_works_from_the_keyboard_and_jumps_to_a_comment_in_the_player(review, browser_page):
    page = browser_page
    open_review(page, review, name=None)
    page.locator("#reviewer-name").focus()
    page.keyboard.type("Kim")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your comment", exact=True)).to_be_focused()
    page.keyboard.press("Shift+Tab")  # back to the block picker
    expect(page.get_by_label("Comment on")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Comment on").locator("option:checked")).to_have_text("Text: A block to delete")
    page.keyboard.press("Tab")
    page.keyboard.type("Remove this one.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#comment-message")).to_have_text("Your comment is posted.")
    assert stored_comments(review)[0]["block_id"] == "t-gone"

    go_to(page, "Quiz")
    page.get_by_label("Show the comments on every page").check()
    page.locator("#comment-list .comment").first.get_by_role("button", name="Show in the course").click()
    frame = player(page)
    expect(frame.locator("h1.page-title")).to_have_text("Read")
    expect(frame.locator("#b-t-gone")).to_be_focused()


def test_an_expired_link_shows_a_page_saying_so(review, browser_page):
    set_expiry(review.live.app, review.link["id"], -__import__("datetime").timedelta(seconds=1))
    answer = browser_page.goto(review.url)
    assert answer.status == 410
    expect(browser_page.get_by_role("heading", name="This review link no longer works")).to_be_visible()
    expect(browser_page.get_by_role("alert")).to_contain_text("This review link expired on")
    assert browser_page.locator("iframe").count() == 0
    audit(browser_page, "expired link page")


# --------------------------------------------------------------------------- the author
def reviewer_comments(review) -> dict[str, int]:
    """Comments a reviewer made through the link (by API): their ids by a short name."""
    from test_review_links import Reviewer

    rita = Reviewer(review.live.app, review.link["token"])
    made = {}
    for key, pin in (("intro", {"block_id": "t-intro"}), ("intro2", {"block_id": "t-intro"}),
                     ("gone", {"block_id": "t-gone"}), ("video", {"block_id": "v-clip", "video_second": 7}),
                     ("quiz", {"block_id": "quiz-1", "question_id": "q-sky"})):
        answer = rita.post("/comments", {"name": "Rita", "body": f"About {key}.", **pin})
        assert answer.status_code == 201, answer.get_json()
        made[key] = answer.get_json()["comment_id"]
    return made


def open_course(page, review, at: str = "p-read"):
    review.live.sign_in(page, "ada@example.org")
    page.goto(f"{review.live.url}/courses/{review.course}?page={at}#page={at}")
    expect(page.locator("#page-editor .card").first).to_be_visible()


def card(page, block_id: str):
    return page.locator(f"#page-editor .card[data-id='{block_id}']")


def test_the_author_sees_counts_on_blocks_replies_resolves_and_jumps_to_a_comment(review, browser_page):
    made = reviewer_comments(review)
    page = browser_page
    open_course(page, review)
    count = card(page, "t-intro").get_by_role("button", name="2 open comments")
    expect(count).to_have_attribute("aria-expanded", "false")
    expect(card(page, "t-gone").get_by_role("button", name="1 open comment")).to_be_visible()
    expect(card(page, "t-stay").locator(".comment-count")).to_have_count(0)
    expect(page.get_by_role("button", name="Comments (5 open)")).to_be_visible()

    count.click()
    threads = card(page, "t-intro").locator(".card-comments .thread")
    expect(threads).to_have_count(2)
    first = threads.first
    expect(first).to_contain_text("Rita (reviewer) · on revision 1")
    expect(first.locator(".thread-body")).to_have_text("About intro.")
    first.get_by_label("Reply to Rita").fill("Thanks, changed.")
    first.get_by_role("button", name="Send reply").click()
    expect(first.locator(".thread-replies li")).to_contain_text("ada@example.org (editor)")
    expect(first.get_by_role("button", name="Send reply")).to_be_focused()
    first.get_by_role("button", name="Resolve the comment by Rita").click()
    expect(card(page, "t-intro").get_by_role("button", name="1 open comment")).to_be_visible()
    expect(page.get_by_role("button", name="Comments (4 open)")).to_be_visible()
    resolved = {c["id"]: c["state"] for c in stored_comments(review)}
    assert resolved[made["intro"]] == "resolved" and resolved[made["intro2"]] == "open"

    page.get_by_role("button", name="Comments (4 open)").click()
    entries = page.locator("#comments .comments-entry")
    expect(entries).to_have_count(4)
    page.get_by_role("button", name="Go to Watch › Video: A short clip › at 0:07").click()
    expect(page.locator("#page-title")).to_have_text("Watch")
    assert page.evaluate("() => location.hash") == "#page=p-watch"
    video_thread = card(page, "v-clip").locator(f".card-comments [data-comment='{made['video']}']")
    expect(video_thread).to_be_focused()
    expect(video_thread).to_contain_text("at 0:07")
    page.get_by_role("button", name="Go to Quiz › Quiz: Check › Question 2: The sky is green.").click()
    expect(card(page, "quiz-1").locator(f"[data-comment='{made['quiz']}']")).to_be_focused()
    page.locator("#comments-filter").select_option("resolved")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("About intro.")

    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""(tags) => axe.run({include: [['#comments'], ['.card-comments']]},
                                                {runOnly: {type: 'tag', values: tags}})""", WCAG21_AA)
    serious = [rule["id"] for rule in result["violations"] if rule["impact"] in ("serious", "critical")]
    assert serious == []


def test_a_comment_keeps_its_block_through_an_edit_and_one_whose_block_is_deleted_says_so(review, browser_page):
    made = reviewer_comments(review)
    ada = review.ada
    api = f"/api/courses/{review.course}"
    assert ada.api("PUT", f"{api}/blocks/t-intro/markdown",
                   json={"base_revision": 1, "markdown": "Welcome, edited"}).status_code == 200
    assert ada.api("DELETE", f"{api}/blocks/t-gone?base_revision=2").status_code == 200
    page = browser_page
    open_course(page, review)
    expect(card(page, "t-intro").locator(".preview")).to_contain_text("Welcome, edited")
    card(page, "t-intro").get_by_role("button", name="2 open comments").click()
    expect(card(page, "t-intro").locator(".thread").first).to_contain_text("on revision 1")
    page.get_by_role("button", name="Comments (5 open)").click()
    removed = page.locator("#comments .comments-entry").filter(has_text="About gone.")
    expect(removed).to_contain_text("Block removed since this comment was made.")
    expect(removed.get_by_role("button")).to_have_count(0)
    assert made["gone"] in {c["id"] for c in stored_comments(review) if c["block_removed"]}


def test_an_author_makes_a_review_link_on_the_course_page_and_revokes_it(review, browser_page, chromium):
    page = browser_page
    open_course(page, review)
    links = page.locator("#review-links")
    links.get_by_label("Label (optional: who it is for)").fill("For Quinn")
    links.get_by_label("Works for (days, at most 90)").fill("3")
    links.get_by_role("button", name="Make a review link").click()
    address = links.get_by_label(re.compile("Review link to revision 1: copy it now"))
    expect(address).to_be_focused()
    url = address.input_value()
    assert re.fullmatch(rf"{re.escape(review.live.url)}/review/[A-Za-z0-9_-]{{43}}", url)
    row = links.locator("tbody tr").filter(has_text="For Quinn")
    expect(row).to_contain_text("works")

    other = chromium.new_context()
    try:
        quinn = other.new_page()
        assert quinn.goto(url).status == 200
        row.get_by_role("button", name="Revoke the review link 'For Quinn'").click()
        expect(row).to_contain_text("revoked")
        expect(links.get_by_role("heading", name="Review links")).to_be_focused()
        assert quinn.goto(url).status == 410
        expect(quinn.get_by_role("alert")).to_contain_text("withdrawn")
    finally:
        other.close()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""(tags) => axe.run({include: [['#review-links']]},
                                                {runOnly: {type: 'tag', values: tags}})""", WCAG21_AA)
    assert [rule["id"] for rule in result["violations"] if rule["impact"] in ("serious", "critical")] == []
