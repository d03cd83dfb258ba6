"""Importing a PowerPoint deck in the editor: the upload becomes a course (one page per slide,
its import report kept with its files), a deck that cannot be imported is refused with the
importer's reasons and nothing stored, and the page shows the upload's progress."""
from __future__ import annotations

import io
import threading

import pytest
from authoring_app import PASSWORD, add_account, signed_in, sqlite_app, zip_bytes  # noqa: F401 - sqlite_app is a fixture
from playwright.sync_api import expect
from pptx_decks import build_deck

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pptx")]
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    return build_deck(tmp_path_factory.mktemp("deck") / "Veilig werken.pptx").read_bytes()


def test_an_uploaded_deck_becomes_a_course_with_a_page_per_slide(sqlite_app, deck):
    browser = signed_in(sqlite_app, "ada@example.org")
    answer = browser.api("POST", "/api/courses/import-deck", data={"file": (io.BytesIO(deck), "Veilig werken.pptx")},
                         content_type="multipart/form-data")
    assert answer.status_code == 201, answer.get_json()
    course_id = answer.get_json()["id"]
    course = browser.api("GET", f"/api/courses/{course_id}").get_json()
    pages = [page for section in course["course"]["sections"] for page in section["pages"]]
    assert len(pages) == 6 and all(page["id"].startswith("p-slide-") for page in pages)
    files = zip_bytes(browser.api("GET", f"/api/courses/{course_id}/export").get_data())
    assert any(name.endswith("import-report.md") for name in files)
    assert any(name.endswith(".md") and "/text/slide-" in name for name in files)


def test_a_deck_that_cannot_be_imported_is_refused_and_nothing_is_stored(sqlite_app):
    browser = signed_in(sqlite_app, "ada@example.org")
    answer = browser.api("POST", "/api/courses/import-deck", data=b"not a deck at all", content_type=PPTX)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    problem = answer.get_json()
    assert problem["detail"].startswith("the PowerPoint deck was refused, nothing was stored: ")
    assert problem["field"] == "file"
    assert browser.api("GET", "/api/courses").get_json()["courses"] == []


@pytest.mark.browser
def test_the_deck_upload_shows_its_progress_then_opens_the_new_course(sqlite_app, deck, chromium, tmp_path):
    from werkzeug.serving import make_server

    add_account(sqlite_app, "ada@example.org")
    server = make_server("127.0.0.1", 0, sqlite_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "Veilig werken.pptx").write_bytes(deck)
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/signin")
        page.get_by_label("Email").fill("ada@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        form = page.locator("form[data-upload]")
        form.get_by_label("Import a PowerPoint deck").set_input_files(str(tmp_path / "Veilig werken.pptx"))
        form.get_by_role("button", name="Import deck").click()
        expect(form.get_by_role("status")).to_contain_text("Drawing and reading the slides", timeout=10_000)
        expect(page).to_have_url(f"http://127.0.0.1:{server.server_port}/courses/1", timeout=60_000)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    finally:
        context.close()
        server.shutdown()
