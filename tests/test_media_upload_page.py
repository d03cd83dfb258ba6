"""Media uploads on the course page, in Chromium: a video picked for a video block goes up in
chunks with a labelled progress bar, goes on after the connection drops (and after a reload,
when the same file is picked again), then its transcoding is followed to the end; a broken file
dropped on a block shows the pipeline's message there and changes nothing; a new image block
from the end of the page needs its alt text; a reviewer gets no upload controls. Results are
checked through the JSON API."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    Browser,
    LiveEditor,
    add_account,
    editor_settings,
    eventually as poll,
    folder_zip,
    quick_argon2,
    signed_in,
)
from conftest import write_course_folder
from media_fixtures import make_video, media_env, text_file  # noqa: F401 - media_env is a fixture
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

CHUNK = 128 << 10  # the editor's request limit, so a small video still goes up in several chunks
COURSE = {
    "id": "upload-page",
    "title": "Upload page course",
    "sections": [{"id": "s-one", "title": "First section", "pages": [
        {"id": "p-a", "title": "Alpha", "blocks": [
            {"type": "text", "id": "t-a", "markdown": "Alpha"},
            {"type": "video", "id": "v-a", "src": "media/intro.mp4", "title": "Introduction"},
            {"type": "image", "id": "i-a", "src": "media/Café plan.png", "alt": "A floor plan"},
        ]},
    ]}],
}
VIDEO_PICKER = "Replace the video, or add captions (WebVTT) or a poster image"
NEW_BLOCK_PICKER = "Add a video, recording or image as a new block"


@pytest.fixture
def editor(tmp_path, media_env):
    from authoring import create_app

    app = create_app(editor_settings(tmp_path / "data").model_copy(update={"max_upload_bytes": CHUNK}))
    served = LiveEditor(app)
    ada = signed_in(app, "ada@example.org")
    folder = write_course_folder(tmp_path / "course", COURSE)
    make_video(folder / "media" / "intro.mp4", size="160x120", seconds=0.5, audio=False)
    answer = ada.import_zip(folder_zip(folder, "course"))
    assert answer.status_code == 201, answer.get_json()
    course = answer.get_json()["id"]

    def document() -> dict:
        return ada.api("GET", f"/api/courses/{course}").get_json()

    yield SimpleNamespace(live=served, app=app, ada=ada, course=course, url=f"{served.url}/courses/{course}",
                          document=document)
    served.stop()
    app.extensions["courseforge"].database.engine.dispose()


def open_course(editor, page, email: str = "ada@example.org") -> None:
    editor.live.sign_in(page, email)
    page.goto(f"{editor.url}#page=p-a")
    expect(page.locator("#page-editor .card").first).to_be_visible()


def record_status(page) -> None:
    """Keep every status text and progress value the upload panels show, in order."""
    page.evaluate("""() => {
        window.uploadSeen = [];
        new MutationObserver((changes) => {
            for (const change of changes) {
                const node = change.target.nodeType === 1 ? change.target : change.target.parentNode;
                const panel = node && node.closest && node.closest('.media-upload');
                if (!panel) continue;
                const status = panel.querySelector('.upload-status').textContent;
                const bar = panel.querySelector('progress');
                const label = panel.querySelector('.upload-progress label').textContent;
                window.uploadSeen.push({status, progress: Number(bar.value), label,
                                        bar: !panel.querySelector('.upload-progress').hidden});
            }
        }).observe(document.getElementById('page-editor'),
                   {subtree: true, childList: true, characterData: true, attributes: true,
                    attributeFilter: ['value', 'hidden']});
    }""")


def block(document: dict, block_id: str) -> dict:
    return next(b for s in document["course"]["sections"] for p in s["pages"] for b in p["blocks"]
                if b["id"] == block_id)



def eventually(check, timeout: float = 60.0):
    return poll(check, timeout)  # a longer wait by default: media jobs run


def test_a_video_goes_up_in_chunks_survives_a_dropped_connection_and_its_transcoding_is_shown(
        editor, page, tmp_path):
    clip = make_video(tmp_path / "clip.mp4", size="640x360", seconds=2)
    assert clip.stat().st_size > 3 * CHUNK
    open_course(editor, page)
    record_status(page)
    puts: list[str] = []

    def drop_the_second_chunk(route):
        if route.request.method == "PUT":
            puts.append(route.request.headers.get("content-range", ""))
            if len(puts) == 2:
                route.abort("connectionreset")  # the connection drops: the server never sees this chunk
                return
        route.continue_()

    page.route(re.compile(r".*/api/courses/\d+/uploads/\d+$"), drop_the_second_chunk)
    card = page.locator('.card[data-id="v-a"]')
    card.get_by_label(VIDEO_PICKER).set_input_files(str(clip))
    status = card.locator(".upload-status")
    expect(status).to_have_text("Done: clip.mp4 is in the course as media/clip.mp4.", timeout=90_000)
    expect(status).to_have_attribute("role", "status")

    video = block(editor.document(), "v-a")
    assert video["src"] == "media/clip.mp4" and video["title"] == "Introduction"
    expect(card.locator(".file-name")).to_have_text("File: media/clip.mp4")  # the card shows the new file
    seen = page.evaluate("window.uploadSeen")
    texts = [one["status"] for one in seen]
    assert any(text.startswith("The connection was lost at ") for text in texts), texts
    assert any(text.startswith("Connected again: going on from ") for text in texts), texts
    assert any(re.fullmatch(r"Transcoding clip\.mp4: \d+ %\.", text) for text in texts) or any(
        "queued for transcoding" in text for text in texts), texts
    uploading = [one["progress"] for one in seen if one["bar"] and one["label"] == "Uploading clip.mp4"]
    assert uploading and uploading[-1] == 100 and len(set(uploading)) >= 3, uploading
    assert len(puts) >= 5 and puts[1] == puts[2], puts  # the dropped chunk was sent again, from the same offset
    exported = editor.ada.api("GET", f"/api/courses/{editor.course}/export")
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        assert archive.read("upload-page/media/clip.mp4") == clip.read_bytes()


def test_an_upload_stopped_by_a_reload_goes_on_when_the_same_file_is_picked_again(editor, page, tmp_path):
    clip = make_video(tmp_path / "again.mp4", size="640x360", seconds=2)
    open_course(editor, page)

    def stop_after_two_chunks(route):
        if route.request.method == "PUT" and int(route.request.headers["content-range"].split()[1].split("-")[0]) \
                >= 2 * CHUNK:
            route.abort("connectionreset")
            return
        route.continue_()

    page.route(re.compile(r".*/api/courses/\d+/uploads/\d+$"), stop_after_two_chunks)
    card = page.locator('.card[data-id="v-a"]')
    card.get_by_label(VIDEO_PICKER).set_input_files(str(clip))
    expect(card.locator(".upload-status")).to_contain_text("The connection was lost at", timeout=30_000)
    uploads = editor.ada.api("GET", f"/api/courses/{editor.course}/uploads").get_json()["uploads"]
    assert [(u["status"], u["offset"]) for u in uploads] == [("receiving", 2 * CHUNK)]

    page.unroute(re.compile(r".*/api/courses/\d+/uploads/\d+$"))
    page.reload()
    expect(page.locator('.card[data-id="v-a"]')).to_be_visible()
    record_status(page)
    card = page.locator('.card[data-id="v-a"]')
    card.get_by_label(VIDEO_PICKER).set_input_files(str(clip))
    expect(card.locator(".upload-status")).to_have_text("Done: again.mp4 is in the course as media/again.mp4.",
                                                        timeout=90_000)
    texts = [one["status"] for one in page.evaluate("window.uploadSeen")]
    assert any(text.startswith("Going on with again.mp4 from ") for text in texts), texts
    uploads = editor.ada.api("GET", f"/api/courses/{editor.course}/uploads").get_json()["uploads"]
    assert len(uploads) == 1 and uploads[0]["status"] == "done"  # the same upload, not a second one


def test_a_broken_file_dropped_on_a_block_shows_the_pipelines_message_there(editor, page, tmp_path):
    notes = text_file(tmp_path / "notes.mp4")
    before = editor.document()["head_revision"]
    open_course(editor, page)
    data = list(notes.read_bytes())
    transfer = page.evaluate_handle("""(bytes) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], 'notes.mp4', {type: 'video/mp4'}));
        return transfer;
    }""", data)
    panel = page.locator('.card[data-id="v-a"] .media-upload')
    panel.dispatch_event("dragover", {"dataTransfer": transfer})
    expect(panel).to_have_class(re.compile(r"\bdragover\b"))
    panel.dispatch_event("drop", {"dataTransfer": transfer})
    status = panel.locator(".upload-status")
    expect(status).to_contain_text("media/notes.mp4: is not a media file ffmpeg can read", timeout=30_000)
    expect(status).to_have_attribute("data-kind", "error")
    assert editor.document()["head_revision"] == before
    assert block(editor.document(), "v-a")["src"] == "media/intro.mp4"


def test_a_new_image_block_from_the_end_of_the_page_needs_its_alt_text(editor, page, tmp_path):
    from PIL import Image

    photo = tmp_path / "desk.png"
    Image.new("RGB", (120, 80), (20, 90, 160)).save(photo)
    open_course(editor, page)
    end = page.locator(".page-end .media-upload")
    end.get_by_label(NEW_BLOCK_PICKER).set_input_files(str(photo))
    expect(end.locator(".upload-status")).to_contain_text("alt: a new image block needs alt text")
    end.get_by_label("Alt text for a new image").fill("A tidy desk")
    end.get_by_label(NEW_BLOCK_PICKER).set_input_files(str(photo))
    expect(end.locator(".upload-status")).to_have_text("Done: desk.png is in the course as media/desk.png.",
                                                       timeout=60_000)
    blocks = editor.document()["course"]["sections"][0]["pages"][0]["blocks"]
    assert [b["type"] for b in blocks] == ["text", "video", "image", "image"]
    assert blocks[-1]["src"] == "media/desk.png" and blocks[-1]["alt"] == "A tidy desk"
    expect(page.locator(f'.card[data-id="{blocks[-1]["id"]}"]')).to_be_visible()  # drawn from the new revision
    expect(page.locator(".page-end .media-upload")).to_have_count(1)


def test_a_reviewer_gets_no_upload_controls(editor, page):
    add_account(editor.app, "rita@example.org", "reviewer")
    shared = editor.ada.api("POST", f"/api/courses/{editor.course}/shares", json={"email": "rita@example.org"})
    assert shared.status_code == 201
    open_course(editor, page, "rita@example.org")
    expect(page.locator('.card[data-id="v-a"]')).to_be_visible()
    expect(page.locator(".media-upload")).to_have_count(0)
    expect(page.locator('input[type="file"]')).to_have_count(0)
