"""The editor's media, preview and review in one journey, in Chromium, as an author and a reviewer
live it: the author uploads a short video into a video block and a recording as a new block and
watches each go to done, writes a narration script and generates its voice-over, opens the preview
and sees the SCORM log's Initialize, SetValue and Commit; makes a review link; a reviewer with no
account comments on the video at a second and on a question; the author resolves one comment."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from authoring_app import LiveEditor, editor_settings, folder_zip, quick_argon2, signed_in  # noqa: F401
from conftest import write_course_folder
from media_fixtures import make_speech, make_video, media_env  # noqa: F401 - media_env is a fixture
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

COURSE = {
    "id": "media-journey",
    "title": "Media journey",
    "sections": [{"id": "s-one", "title": "One", "pages": [
        {"id": "p-watch", "title": "Watch", "blocks": [
            {"type": "video", "id": "v-intro", "src": "media/placeholder.mp4", "title": "Introduction"},
            {"type": "narration", "id": "n-voice", "script": "A first draft."},
            {"type": "quiz", "id": "quiz-check", "title": "Check", "questions": [
                {"type": "true_false", "id": "q-lock", "prompt": "Lock your screen when you leave.", "answer": True},
            ]},
        ]},
    ]}],
}
DONE = re.compile(r"^Done: ")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page) -> list[str]:
    """Every WCAG 2.1 A/AA violation axe-core finds on the page as it is, whatever its impact."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG21_AA)
    return [f"{rule['id']} ({rule['impact']}): {', '.join(' '.join(n['target']) for n in rule['nodes'][:3])}"
            for rule in result["violations"]]


@pytest.fixture
def journey(tmp_path, media_env):  # noqa: F811
    from authoring import create_app

    app = create_app(editor_settings(tmp_path / "data"))
    served = LiveEditor(app)
    ada = signed_in(app, "ada@example.org")
    folder = write_course_folder(tmp_path / "course", COURSE)
    make_video(folder / "media" / "placeholder.mp4", size="160x120", seconds=0.5, audio=False)
    answer = ada.import_zip(folder_zip(folder, "course"))
    assert answer.status_code == 201, answer.get_json()
    course = answer.get_json()["id"]
    yield SimpleNamespace(live=served, ada=ada, course=course, url=f"{served.url}/courses/{course}")
    served.stop()
    app.extensions["courseforge"].database.engine.dispose()


def document(journey) -> dict:
    return journey.ada.api("GET", f"/api/courses/{journey.course}").get_json()["course"]


def test_upload_narrate_preview_review_and_resolve(journey, chromium, tmp_path):
    clip = make_video(tmp_path / "clip.mp4", size="320x240", seconds=3)
    recording = make_speech(tmp_path / "welcome.m4a", "Welcome to the course.", gain_db=0)
    # The editor's CSP is bypassed only so that axe-core can be added to the page.
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    journey.live.sign_in(page, "ada@example.org")
    page.goto(f"{journey.url}#page=p-watch")
    expect(page.locator("#page-editor .card").first).to_be_visible()

    # A short video into the video block, a recording as a new block: progress, then done.
    video = page.locator('.card[data-id="v-intro"]')
    video.get_by_label("Replace the video, or add captions (WebVTT) or a poster image").set_input_files(str(clip))
    expect(video.locator(".upload-progress progress")).to_be_attached()
    expect(video.locator(".upload-status")).to_have_text(DONE, timeout=120_000)
    expect(video.locator(".file-name")).to_have_text("File: media/clip.mp4")
    end = page.locator(".page-end .media-upload")
    end.get_by_label("Add a video, recording or image as a new block").set_input_files(str(recording))
    expect(end.locator(".upload-status")).to_have_text(DONE, timeout=120_000)
    blocks = document(journey)["sections"][0]["pages"][0]["blocks"]
    assert blocks[0]["src"] == "media/clip.mp4"
    assert (blocks[-1]["type"], blocks[-1]["src"]) == ("narration", "media/welcome.m4a")

    # A narration script, spoken: the voice-over is ready and plays.
    narration = page.locator('.card[data-id="n-voice"]')
    narration.get_by_label("Script", exact=True).fill("Welcome. Lock your screen whenever you leave your desk.")
    narration.get_by_role("button", name="Generate voice-over").click()
    expect(narration.locator(".voice-status")).to_contain_text("Voice-over ready", timeout=60_000)
    audio = narration.locator("audio")
    expect(audio).to_have_count(1)
    assert audio.evaluate("(a) => new Promise((done) => { a.muted = true; a.play().then(() => "
                          "setTimeout(() => done(a.currentTime > 0), 600), () => done(false)); })")

    # The preview: the page in the player under scorm-again, and the SCORM log.
    page.get_by_role("button", name="Show the preview").click()
    sco = page.frame_locator(".preview-frame").frame_locator("#sco")
    expect(sco.locator("#main h1")).to_have_text("Watch")
    log = page.locator(".preview-log tbody tr, .preview-log li")
    for call in ("Initialize", "SetValue", "Commit"):
        expect(log.filter(has_text=call).first).to_be_visible(timeout=15_000)
    assert violations(page) == [], "uploads, voice-over, preview and its log"

    # A review link, opened by a reviewer with no account.
    links = page.locator("#review-links")
    links.get_by_role("button", name="Make a review link").click()
    url = links.get_by_label(re.compile(r"Review link to revision \d+: copy it now")).input_value()
    reviewer = chromium.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True).new_page()
    try:
        reviewer.goto(url)
        frame = reviewer.frame_locator("#review-frame")
        expect(frame.locator("article.page")).to_be_visible()
        reviewer.get_by_label("Your name, shown with your comments").fill("Rita")
        reviewer.get_by_role("button", name="Use this name").click()
        player_video = frame.locator("video").first
        player_video.evaluate("(v) => new Promise((done) => { if (v.readyState >= 1) done(); else v.onloadedmetadata = done; })")
        player_video.evaluate("(v) => new Promise((done) => { v.onseeked = done; v.currentTime = 2.2; })")
        reviewer.get_by_role("button", name=re.compile(r"^Comment at 0:02 on the video “Introduction”")).click()
        reviewer.get_by_label("Your comment", exact=True).fill("The picture jumps here.")
        reviewer.get_by_role("button", name="Post comment").click()
        expect(reviewer.locator("#comment-message")).to_have_text("Your comment is posted.")
        frame.locator("[data-question='q-lock'] input").first.focus()
        expect(reviewer.get_by_label("Comment on").locator("option:checked")).to_contain_text("Question 1")
        reviewer.get_by_label("Your comment", exact=True).fill("Say why it matters.")
        reviewer.get_by_role("button", name="Post comment").click()
        expect(reviewer.locator("#comment-message")).to_have_text("Your comment is posted.")
        assert violations(reviewer) == [], "the review page with its comments"
    finally:
        reviewer.context.close()
    comments = journey.ada.api("GET", f"/api/courses/{journey.course}/comments").get_json()["comments"]
    assert sorted((c["block_id"], c["question_id"], c["video_second"]) for c in comments) == [
        ("quiz-check", "q-lock", None), ("v-intro", None, 2)]

    # The author sees them on their blocks and resolves the video's.
    page.reload()
    count = page.locator('.card[data-id="v-intro"]').get_by_role("button", name="1 open comment")
    count.click()
    thread = page.locator('.card[data-id="v-intro"] .card-comments .thread')
    expect(thread).to_contain_text("at 0:02")
    thread.get_by_role("button", name="Resolve the comment by Rita").click()
    expect(page.get_by_role("button", name="Comments (1 open)")).to_be_visible()
    states = {c["video_second"]: c["state"] for c in
              journey.ada.api("GET", f"/api/courses/{journey.course}/comments").get_json()["comments"]}
    assert states == {2: "resolved", None: "open"}
    assert violations(page) == [], "the comments on the blocks"
    assert errors == []
    context.close()
