"""Voice-over and captions on the course page, in Chromium: a script typed into a narration card
is saved and spoken, its status goes to done, and the audio plays with its captions track and
its cue list; a video's captions are edited as cue rows (a time typed wrong is marked at its
field, a cue split, one added, a start set from the playing video, the playing cue highlighted)
and saved as the WebVTT expected. Both editors are keyboard usable, labelled and axe-core clean.
Results are checked through the JSON API."""
from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from authoring_app import LiveEditor, editor_settings, folder_zip, quick_argon2, signed_in  # noqa: F401
from authoring_app import eventually as poll
from conftest import write_course_folder
from media_fixtures import make_video, media_env  # noqa: F401 - media_env is a fixture
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCRIPTS = ("narration-editor.js", "captions-editor.js")
STYLES = ("narration-editor.css", "captions-editor.css")
CLIP_VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nHello there\n\n00:01.200 --> 00:02.500\nSecond line\n"
COURSE = {
    "id": "narrated-page",
    "title": "Narrated page course",
    "voice": {"voice": "en-us", "speed": 175},
    "sections": [{"id": "s-one", "title": "One", "pages": [
        {"id": "p-n", "title": "Listen", "blocks": [
            {"type": "narration", "id": "n-script", "script": "An old script."},
            {"type": "video", "id": "v-cap", "src": "media/clip.mp4", "title": "Clip", "captions": "media/clip.vtt"},
        ]},
    ]}],
}


@pytest.fixture
def editor(tmp_path, media_env):  # noqa: F811
    from authoring import create_app

    app = create_app(editor_settings(tmp_path / "data"))
    served = LiveEditor(app)
    ada = signed_in(app, "ada@example.org")
    folder = write_course_folder(tmp_path / "course", COURSE)
    make_video(folder / "media" / "clip.mp4", size="320x240", seconds=4)
    (folder / "media" / "clip.vtt").write_text(CLIP_VTT, encoding="utf-8")
    answer = ada.import_zip(folder_zip(folder, "course"))
    assert answer.status_code == 201, answer.get_json()
    course = answer.get_json()["id"]
    yield SimpleNamespace(live=served, app=app, ada=ada, course=course, url=f"{served.url}/courses/{course}")
    served.stop()
    app.extensions["courseforge"].database.engine.dispose()


@pytest.fixture
def page(chromium):
    """A page whose scripts must not throw; its CSP is bypassed only so that axe-core can be injected."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def open_course(editor, page, again: bool = False) -> None:
    """The course page with both editors (``again``: loaded anew): loaded by the page itself, or
    else added to it from the editor's static files, as the page's own tags would."""
    if again:
        page.evaluate("() => { window.notReloaded = true; }")
        page.reload()
        assert page.evaluate("() => window.notReloaded") is None
    else:
        editor.live.sign_in(page, "ada@example.org")
        page.goto(f"{editor.url}#page=p-n")
    expect(page.locator("#page-editor .card").first).to_be_visible()
    for name in STYLES:
        if not page.locator(f'link[href*="{name}"]').count():
            page.add_style_tag(url=f"{editor.live.url}/static/{name}")
    for name in SCRIPTS:
        if not page.locator(f'script[src*="{name}"]').count():
            page.add_script_tag(url=f"{editor.live.url}/static/{name}")


def audit(page, where: str, include: list[str]) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("([tags, include]) => axe.run({include: include.map((s) => [s])}, "
                           "{runOnly: {type: 'tag', values: tags}})", [WCAG21_AA, include])
    failing = [f"{rule['id']}: {rule['help']} ({', '.join(' '.join(n['target']) for n in rule['nodes'][:3])})"
               for rule in result["violations"] if rule["impact"] in ("serious", "critical")]
    for rule in result["violations"]:
        if rule["impact"] not in ("serious", "critical"):
            warnings.warn(f"{where}: {rule['id']}: {rule['help']}", stacklevel=2)
    assert failing == [], f"{where}: {failing}"


def block_of(editor, block_id: str) -> dict:
    doc = editor.ada.api("GET", f"/api/courses/{editor.course}").get_json()["course"]
    return next(b for s in doc["sections"] for p in s["pages"] for b in p["blocks"] if b["id"] == block_id)


def stored_file(editor, path: str) -> bytes:
    answer = editor.ada.api("GET", f"/api/courses/{editor.course}/export")
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        return next(archive.read(i) for i in archive.infolist() if i.filename.split("/", 1)[1] == path)



def eventually(check, timeout: float = 30.0):
    return poll(check, timeout)  # a longer wait by default: media jobs run


def test_a_typed_script_is_saved_spoken_and_played_with_its_captions(editor, page):
    open_course(editor, page)
    card = page.locator('.card[data-id="n-script"]')
    script = card.get_by_label("Script", exact=True)
    expect(script).to_have_value("An old script.")
    script.fill("Welcome to the course.\nLock your screen when you leave.")
    card.get_by_role("button", name="Generate voice-over").click()
    status = card.locator(".voice-status")
    expect(status).to_contain_text("Voice-over ready", timeout=30_000)
    expect(status).to_have_attribute("aria-live", "polite")
    assert block_of(editor, "n-script")["script"] == "Welcome to the course.\nLock your screen when you leave."

    cues = card.get_by_role("list", name="Captions of the voice-over").get_by_role("listitem")
    expect(cues).to_have_count(2)
    expect(cues.nth(1)).to_contain_text("Lock your screen when you leave.")
    audio = card.locator("audio")
    track = audio.locator('track[kind="captions"]')
    expect(track).to_have_count(1)
    assert track.get_attribute("srclang") == "en"
    played = audio.evaluate("""(a) => new Promise((done, fail) => {
        a.muted = true;
        a.textTracks[0].mode = 'hidden';
        a.play().catch(fail);
        const started = a.currentTime;
        const check = () => a.currentTime > started + 0.3 ? done({time: a.currentTime,
            cues: a.textTracks[0].cues ? a.textTracks[0].cues.length : -1}) : setTimeout(check, 50);
        check();
    })""")
    assert played["time"] > 0.3 and played["cues"] == 2, played
    audit(page, "narration card", ['.card[data-id="n-script"] .narration-editor'])

    # Opened again, the page shows the voice-over made before; typing marks it out of date.
    open_course(editor, page, again=True)
    card = page.locator('.card[data-id="n-script"]')
    status = card.locator(".voice-status")
    expect(status).to_contain_text("Voice-over ready")
    expect(card.get_by_role("list", name="Captions of the voice-over").get_by_role("listitem")).to_have_count(2)
    script = card.get_by_label("Script", exact=True)
    script.press("End")
    page.keyboard.type(" Now.")
    expect(status).to_contain_text("The script changed since this voice-over was made")
    expect(card.locator(".voice-preview")).to_have_attribute("data-stale", "true")


def test_a_videos_cues_are_edited_in_place_and_saved_as_webvtt(editor, page):
    open_course(editor, page)
    card = page.locator('.card[data-id="v-cap"]')
    toggle = card.get_by_role("button", name="Edit captions")
    toggle.focus()
    page.keyboard.press("Enter")  # keyboard: the toggle opens the editor
    expect(toggle).to_have_attribute("aria-expanded", "true")
    rows = card.locator("tr.cue-row")
    expect(rows).to_have_count(2)
    expect(card.get_by_label("Text of cue 1", exact=True)).to_have_value("Hello there")

    start = card.get_by_label("Start of cue 2", exact=True)
    start.fill("1:2")
    message = card.locator(f"#{start.get_attribute('aria-describedby').split()[0]}")
    expect(message).to_have_text("write the time as mm:ss.mmm, e.g. 01:05.250")
    expect(start).to_have_attribute("aria-invalid", "true")
    card.get_by_role("button", name="Save captions").click()
    expect(card.locator(".captions-status")).to_have_text("Not saved: fix the marked fields first.")
    expect(start).to_be_focused()
    start.fill("00:01.200")
    expect(start).not_to_have_attribute("aria-invalid", "true")
    end = card.get_by_label("End of cue 2", exact=True)
    end.fill("00:01.100")
    expect(card.locator(f"#{end.get_attribute('aria-describedby')}")).to_have_text(
        "must be after the start (00:01.200)")
    end.fill("00:03.000")

    # The playing cue is highlighted; "Set start to now" takes the video's time.
    video = card.locator("video")
    video.evaluate("(v) => new Promise((done) => { v.onseeked = done; v.currentTime = 1.5; })")
    expect(rows.nth(1)).to_have_class("cue-row current")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    card.get_by_role("button", name="Set start to now (cue 2)").click()
    expect(start).to_have_value("00:01.500")

    card.get_by_role("button", name="Split cue 1").click()  # the video is at 1.5 s: halfway, 0.5 s
    expect(rows).to_have_count(3)
    expect(card.get_by_label("End of cue 1", exact=True)).to_have_value("00:00.500")
    expect(card.get_by_label("Text of cue 1", exact=True)).to_have_value("Hello")
    expect(card.get_by_label("Text of cue 2", exact=True)).to_have_value("there")
    card.get_by_role("button", name="Add cue").click()
    expect(card.get_by_label("Start of cue 4", exact=True)).to_have_value("00:03.000")
    expect(card.get_by_label("Text of cue 4", exact=True)).to_be_focused()
    page.keyboard.type("The end")
    card.get_by_role("button", name="Delete cue 2").click()
    expect(rows).to_have_count(3)
    card.get_by_label("Text of cue 1", exact=True).fill("Hello there")
    audit(page, "cue editor", ['.card[data-id="v-cap"] .captions-editor'])

    card.get_by_role("button", name="Save captions").click()
    expect(card.locator(".captions-status")).to_contain_text("Saved as revision")
    assert stored_file(editor, "media/clip.vtt").decode() == (
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:00.500\nHello there\n\n"
        "2\n00:00:01.500 --> 00:00:03.000\nSecond line\n\n"
        "3\n00:00:03.000 --> 00:00:05.000\nThe end\n")


def test_a_reviewer_listens_and_reads_the_cues_but_changes_nothing(editor, page):
    from authoring_app import add_account

    add_account(editor.app, "rita@example.org", "reviewer")
    shared = editor.ada.api("POST", f"/api/courses/{editor.course}/shares", json={"email": "rita@example.org"})
    assert shared.status_code == 201
    editor.live.sign_in(page, "rita@example.org")
    page.goto(f"{editor.url}#page=p-n")
    expect(page.locator("#page-editor .card").first).to_be_visible()
    open_course(editor, page, again=True)
    narration = page.locator('.card[data-id="n-script"]')
    expect(narration.get_by_label("Script", exact=True)).to_have_attribute("readonly", "")
    expect(narration.get_by_role("button", name="Generate voice-over")).to_be_hidden()
    video = page.locator('.card[data-id="v-cap"]')
    video.get_by_role("button", name="Show captions").click()
    expect(video.get_by_label("Text of cue 1", exact=True)).to_have_value("Hello there")
    expect(video.get_by_label("Text of cue 1", exact=True)).to_have_attribute("readonly", "")
    expect(video.get_by_role("button", name="Save captions")).to_be_hidden()
    expect(video.get_by_role("button", name="Add cue")).to_be_hidden()
    expect(video.get_by_role("button", name="Split cue 1")).to_have_count(0)
