"""Media files sent into a block from the editor: in chunks, resumed from the server's offset
after a dropped connection (over real HTTP), a chunk at the wrong offset refused with the
server's offset, a size over the limit refused before a byte of it is read; broken and hostile
files refused with the media pipeline's own message and the course left as it was; a good video
added as a block, its media job seen queued, running and done, and the build after it making
nothing again; and who may upload."""
from __future__ import annotations

import http.client
import io
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from api_fuzz import fuzz, report
from authoring_app import (  # noqa: F401 - app, sqlite_app and postgres fixtures
    REPO,
    Browser,
    LiveEditor,
    add_account,
    app,
    editor_settings,
    folder_zip,
    postgres_database,
    postgres_server,
    quick_argon2,
    signed_in,
    sqlite_app,
)
from conftest import write_course_folder
from media_fixtures import (  # noqa: F401 - media_env and process_launches are fixtures
    bomb_png,
    garble,
    make_silence,
    make_speech,
    make_video,
    media_env,
    png,
    process_launches,
    svg,
    text_file,
    truncate,
)

WAIT_SECONDS = 120


# --------------------------------------------------------------------------- helpers
def small_course(browser: Browser, tmp_path: Path) -> int:
    """The package test course (a text block and an image on page p-text, a quiz): quick to build."""
    folder = write_course_folder(tmp_path / "small-course")
    answer = browser.import_zip(folder_zip(folder, "small"))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def head(browser: Browser, course: int) -> int:
    return browser.api("GET", f"/api/courses/{course}").get_json()["head_revision"]


def course_files(browser: Browser, course: int) -> dict[str, bytes]:
    answer = browser.api("GET", f"/api/courses/{course}/export")
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        return {info.filename.split("/", 1)[1]: archive.read(info) for info in archive.infolist()}


def document(browser: Browser, course: int) -> dict:
    return browser.api("GET", f"/api/courses/{course}").get_json()["course"]


def blocks_of(browser: Browser, course: int, page_id: str) -> list[dict]:
    return next(p["blocks"] for s in document(browser, course)["sections"] for p in s["pages"] if p["id"] == page_id)


def begin(browser: Browser, course: int, name: str, size: int, kind: str, **fields):
    return browser.api("POST", f"/api/courses/{course}/uploads", json={"name": name, "size": size, "kind": kind,
                                                                      **fields})


def send(browser: Browser, url: str, data: bytes, offset: int, total: int):
    return browser.api("PUT", url, data=data, content_type="application/octet-stream",
                       headers={"Content-Range": f"bytes {offset}-{offset + len(data) - 1}/{total}"})


def upload(browser: Browser, course: int, path: Path, kind: str, chunk: int = 64 << 10, name: str | None = None,
           **fields):
    """Begin an upload of ``path`` and send it in chunks of ``chunk`` bytes; the last answer."""
    data = path.read_bytes()
    begun = begin(browser, course, name or path.name, len(data), kind, **fields)
    assert begun.status_code == 201, begun.get_json()
    url = begun.get_json()["url"]
    answer = begun
    for offset in range(0, len(data), chunk):
        answer = send(browser, url, data[offset: offset + chunk], offset, len(data))
        if offset + chunk < len(data):
            assert answer.status_code == 200 and answer.get_json()["offset"] == offset + chunk, answer.get_json()
    return answer


def wait_for(browser: Browser, url: str) -> tuple[dict, list[tuple[str, int]]]:
    """Poll an upload until its media job ends; its last state and the (status, percent) seen."""
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        state = browser.api("GET", url).get_json()
        if not seen or seen[-1] != (state["status"], state["percent"]):
            seen.append((state["status"], state["percent"]))
        if state["status"] not in ("queued", "running"):
            return state, seen
        time.sleep(0.02)
    raise AssertionError(f"the media job did not end in {WAIT_SECONDS} s: {seen[-3:]}")


def wait_build(browser: Browser, course: int) -> dict:
    started = browser.api("POST", f"/api/courses/{course}/builds", json={"format": "web"})
    assert started.status_code == 202, started.get_json()
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        build = browser.api("GET", started.get_json()["url"]).get_json()
        if build["status"] != "running":
            return build
        time.sleep(0.1)
    raise AssertionError("the build did not finish")


@pytest.fixture
def author(app, media_env):
    """Ada, an author, signed in on the editor (SQLite and PostgreSQL) with a fresh media cache."""
    return signed_in(app, "ada@example.org")


# --------------------------------------------------------------------------- a good video
def test_a_video_in_chunks_becomes_a_new_block_its_job_runs_and_the_build_after_makes_nothing(
        app, author, tmp_path, process_launches):
    course = small_course(author, tmp_path)
    before = head(author, course)
    clip = make_video(tmp_path / "Safety clip (final).mp4", size="1280x720", seconds=2)
    answer = upload(author, course, clip, "video", chunk=256 << 10, page_id="p-text", after="t-file",
                    title="Lock your screen")
    assert answer.status_code == 200, answer.get_json()
    done_chunks = answer.get_json()
    assert done_chunks["status"] == "queued" and done_chunks["offset"] == clip.stat().st_size
    assert done_chunks["path"] == "media/Safety-clip-final.mp4"  # a name every disk, zip and URL takes
    assert done_chunks["revision"] == before + 1

    final, seen = wait_for(author, done_chunks["url"])
    assert final["status"] == "done" and final["percent"] == 100 and final["problems"] == [], final
    statuses = [status for status, _ in seen]
    assert statuses[0] in ("queued", "running") and statuses[-1] == "done"
    assert any(status == "running" and 0 < percent < 100 for status, percent in seen), seen
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents), seen

    blocks = blocks_of(author, course, "p-text")
    assert [b["type"] for b in blocks] == ["text", "video", "image"]
    video = blocks[1]
    assert video == {"type": "video", "id": final["block"], "src": final["path"], "title": "Lock your screen"}
    assert course_files(author, course)[final["path"]] == clip.read_bytes()

    encodes_before = [argv for argv in process_launches if "libx264" in argv]
    assert encodes_before, "the upload's own job encoded the video"
    launched = len(process_launches)
    build = wait_build(author, course)
    assert build["status"] == "done", build["problems"]
    assert [argv for argv in process_launches[launched:] if "libx264" in argv] == []  # from the cache


def test_the_command_line_build_of_the_pulled_course_takes_the_uploaded_videos_outputs_from_the_cache(
        sqlite_app, media_env, tmp_path):
    """``courseforge build`` of the course folder as the editor exports it, with the same cache:
    the video's job is the one the upload ran, so only the course's image is made."""
    ada = signed_in(sqlite_app, "ada@example.org")
    course = small_course(ada, tmp_path)
    clip = make_video(tmp_path / "clip.mp4", seconds=1)
    final = wait_for(ada, upload(ada, course, clip, "video", page_id="p-quiz").get_json()["url"])[0]
    assert final["status"] == "done", final
    before = {path: path.stat().st_mtime_ns for path in media_env.glob("jobs/*/*")}
    assert [json.loads((path / "result.json").read_text())["kind"] for path in before] == ["video_renditions"]
    folder = tmp_path / "pulled"
    with zipfile.ZipFile(io.BytesIO(ada.api("GET", f"/api/courses/{course}/export").data)) as archive:
        archive.extractall(folder)
    (top,) = folder.iterdir()
    built = subprocess.run([sys.executable, "-m", "cli", "build", str(top), "--format", "web", "-o",
                            str(tmp_path / "web.zip")], cwd=REPO, capture_output=True, text=True, timeout=300,
                           env={**os.environ, "COURSEFORGE_CACHE_DIR": str(media_env)})
    assert built.returncode == 0, built.stderr
    after = {path: path.stat().st_mtime_ns for path in media_env.glob("jobs/*/*")}
    assert {path: after[path] for path in before} == before  # the video's outputs, as the upload's job left them
    made = [json.loads((path / "result.json").read_text())["kind"] for path in set(after) - set(before)]
    assert made == ["image_sizes"]
    with zipfile.ZipFile(tmp_path / "web.zip") as package:
        assert any(re.fullmatch(r"media/[0-9a-f]{12}-clip-240p\.mp4", name) for name in package.namelist())


def test_a_poster_for_a_video_block_makes_the_videos_job_as_the_build_will_run_it(
        author, tmp_path, process_launches):
    """With a poster of its own, a video's outputs have no poster frame: that job is run when the
    poster arrives, so the build after encodes nothing."""
    course = small_course(author, tmp_path)
    clip = make_video(tmp_path / "clip.mp4", seconds=1)
    added = wait_for(author, upload(author, course, clip, "video", page_id="p-quiz").get_json()["url"])[0]
    assert added["status"] == "done", added
    poster = png(tmp_path / "poster.png", 320, 240)
    answer = upload(author, course, poster, "image", block_id=added["block"])
    assert answer.status_code == 200 and answer.get_json()["status"] == "queued", answer.get_json()
    final, _seen = wait_for(author, answer.get_json()["url"])
    assert final["status"] == "done", final
    video = next(b for b in blocks_of(author, course, "p-quiz") if b["id"] == added["block"])
    assert video["poster"] == "media/poster.png" and video["src"] == "media/clip.mp4"
    launched = len(process_launches)
    build = wait_build(author, course)
    assert build["status"] == "done", build["problems"]
    assert [argv for argv in process_launches[launched:] if "libx264" in argv] == []


def test_uploads_that_took_no_byte_for_a_week_are_given_up(author, app, tmp_path):
    from datetime import timedelta

    from authoring.models import MediaUpload, utcnow

    course = small_course(author, tmp_path)
    old = begin(author, course, "old.mp4", 1000, "video", page_id="p-text").get_json()
    assert send(author, old["url"], b"x" * 10, 0, 1000).status_code == 200
    scratch = Path(app.extensions["courseforge"].scratch) / "media"
    assert (scratch / str(old["id"]) / "old.mp4").stat().st_size == 10
    session = app.extensions["courseforge"].database.session()
    try:
        session.get(MediaUpload, old["id"]).updated_at = utcnow() - timedelta(days=8)
        session.commit()
    finally:
        session.close()
    fresh = begin(author, course, "new.mp4", 1000, "video", page_id="p-text")
    assert fresh.status_code == 201
    given_up = author.api("GET", old["url"]).get_json()
    assert given_up["status"] == "cancelled" and not (scratch / str(old["id"])).exists()
    assert given_up["message"] == "media/old.mp4: no byte arrived for 7 days; begin the upload again"
    assert send(author, old["url"], b"x", 10, 1000).status_code == 409
    assert author.api("GET", fresh.get_json()["url"]).get_json()["status"] == "receiving"


def test_the_status_of_an_upload_is_the_same_from_another_editor_process(app, author, tmp_path):
    """A second app on the same database and data folder (another editor process) answers the
    same offset and takes the next chunk."""
    from authoring import create_app

    course = small_course(author, tmp_path)
    body = b"WEBVTT\n\n" + b"00:00.000 --> 00:01.000\nHello.\n\n" * 50
    settings = app.extensions["courseforge"].settings
    other = create_app(settings, migrate=False)
    other.testing = True
    try:
        token = add_account(app, "ci@example.org", token=True)
        assert author.api("POST", f"/api/courses/{course}/shares", json={"email": "ci@example.org"}).status_code == 201
        narration_id = author.api("POST", f"/api/courses/{course}/pages/p-text/blocks", json={
            "base_revision": head(author, course),
            "block": {"type": "narration", "script": "Hello there."}}).get_json()["block"]["id"]
        begun = begin(author, course, "hello.vtt", len(body), "captions", block_id=narration_id)
        url = begun.get_json()["url"]
        assert send(author, url, body[:1000], 0, len(body)).get_json()["offset"] == 1000
        client = other.test_client()
        bearer = {"Authorization": f"Bearer {token}"}
        seen = client.head(url, headers=bearer)
        assert seen.status_code == 200 and seen.headers["Upload-Offset"] == "1000"
        finished = client.put(url, data=body[1000:], content_type="application/octet-stream",
                              headers={**bearer, "Upload-Offset": "1000"})
        assert finished.status_code == 200, finished.get_json()
        assert finished.get_json()["status"] == "done"  # captions are used as they are: no job
        narration = next(b for b in blocks_of(author, course, "p-text") if b["id"] == narration_id)
        assert narration["captions"] == "media/hello.vtt"
        assert author.api("GET", url).get_json()["status"] == "done"
    finally:
        other.extensions["courseforge"].database.engine.dispose()


def test_a_chunk_at_the_wrong_offset_is_a_409_with_the_servers_offset(author, tmp_path):
    course = small_course(author, tmp_path)
    data = png(tmp_path / "photo.png", 200, 100).read_bytes()
    begun = begin(author, course, "photo.png", len(data), "image", block_id="i-plan").get_json()
    assert begun["chunk_size"] > 0 and begun["offset"] == 0 and begun["status"] == "receiving"
    assert send(author, begun["url"], data[:100], 0, len(data)).status_code == 200
    for offset in (0, 50, 200):
        refused = send(author, begun["url"], data[offset: offset + 100], offset, len(data))
        assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
        assert refused.get_json()["offset"] == 100 and "has 100 bytes" in refused.get_json()["detail"]
    wrong_total = author.api("PUT", begun["url"], data=data[100:], content_type="application/octet-stream",
                             headers={"Content-Range": f"bytes 100-{len(data) - 1}/{len(data) + 5}"})
    assert wrong_total.status_code == 422 and wrong_total.get_json()["field"] == "Content-Range"
    finished = send(author, begun["url"], data[100:], 100, len(data))
    assert finished.status_code == 200 and finished.get_json()["status"] in ("queued", "running", "done")
    final, _seen = wait_for(author, begun["url"])
    assert final["status"] == "done"
    files = course_files(author, course)
    assert files["media/photo.png"] == data and "media/Café plan.png" not in files  # the old file went with its use
    image = next(b for b in blocks_of(author, course, "p-text") if b["id"] == "i-plan")
    assert image["src"] == "media/photo.png" and image["alt"] == "A floor plan"
    again = author.api("PUT", begun["url"], data=b"more", content_type="application/octet-stream",
                       headers={"Upload-Offset": str(len(data))})
    assert again.status_code == 409 and "takes no more bytes" in again.get_json()["detail"]


def test_a_finish_cut_short_runs_again_on_a_chunk_of_no_bytes_at_the_end(author, app, tmp_path):
    """Every byte arrived but the process stopped before the file was checked (its row says all
    bytes are in, the upload still receiving): a chunk of no bytes at the end finishes it."""
    from authoring.models import MediaUpload

    course = small_course(author, tmp_path)
    data = png(tmp_path / "photo.png", 50, 50).read_bytes()
    begun = begin(author, course, "photo.png", len(data), "image", block_id="i-plan").get_json()
    assert send(author, begun["url"], data[:-1], 0, len(data)).status_code == 200
    received = Path(app.extensions["courseforge"].scratch) / "media" / str(begun["id"]) / "photo.png"
    with received.open("ab") as out:
        out.write(data[-1:])
    session = app.extensions["courseforge"].database.session()
    try:
        session.get(MediaUpload, begun["id"]).received = len(data)
        session.commit()
    finally:
        session.close()
    stuck = author.api("GET", begun["url"]).get_json()
    assert (stuck["status"], stuck["offset"]) == ("receiving", len(data))
    again = author.api("PUT", begun["url"], data=b"", content_type="application/octet-stream",
                       headers={"Upload-Offset": str(len(data))})
    assert again.status_code == 200 and again.get_json()["status"] == "queued", again.get_json()
    assert wait_for(author, begun["url"])[0]["status"] == "done"
    assert course_files(author, course)["media/photo.png"] == data
    twice = author.api("PUT", begun["url"], data=b"", content_type="application/octet-stream",
                       headers={"Upload-Offset": str(len(data))})
    assert twice.status_code == 409  # finished once only


def test_a_name_other_bytes_hold_gets_a_new_name_and_the_same_bytes_keep_theirs(author, tmp_path):
    course = small_course(author, tmp_path)
    (tmp_path / "a").mkdir()
    first = png(tmp_path / "a" / "photo.png", 64, 64)
    second = png(tmp_path / "photo.png", 80, 40)
    paths = []
    for path in (first, second, first):
        answer = upload(author, course, path, "image", page_id="p-quiz", alt="A photo")
        final, _seen = wait_for(author, answer.get_json()["url"])
        assert final["status"] == "done", final
        paths.append(final["path"])
    assert paths == ["media/photo.png", "media/photo-2.png", "media/photo.png"]
    files = course_files(author, course)
    assert files["media/photo.png"] == first.read_bytes() and files["media/photo-2.png"] == second.read_bytes()


def test_an_upload_merges_with_edits_made_meanwhile_and_conflicts_only_on_its_own_field(author, tmp_path):
    course = small_course(author, tmp_path)
    base = head(author, course)
    first = png(tmp_path / "plan.png", 120, 80).read_bytes()
    begun = begin(author, course, "plan.png", len(first), "image", block_id="i-plan").get_json()
    image = next(b for b in blocks_of(author, course, "p-text") if b["id"] == "i-plan")
    changed = author.api("PUT", f"/api/courses/{course}/blocks/i-plan",
                         json={"base_revision": base, "block": {**image, "alt": "The floor plan, first floor"}})
    assert changed.status_code == 200, changed.get_json()
    finished = send(author, begun["url"], first, 0, len(first))
    assert finished.status_code == 200, finished.get_json()
    assert finished.get_json()["revision"] == base + 2
    image = next(b for b in blocks_of(author, course, "p-text") if b["id"] == "i-plan")
    assert image["src"] == "media/plan.png" and image["alt"] == "The floor plan, first floor"  # both kept

    (tmp_path / "b").mkdir()
    second = png(tmp_path / "b" / "other.png", 60, 40).read_bytes()
    late = begin(author, course, "other.png", len(second), "image", block_id="i-plan").get_json()
    third = png(tmp_path / "third.png", 90, 30).read_bytes()
    assert upload(author, course, tmp_path / "third.png", "image", block_id="i-plan").status_code == 200
    revision, files = head(author, course), course_files(author, course)
    refused = send(author, late["url"], second, 0, len(second))
    assert refused.status_code == 422, refused.get_json()
    assert "block i-plan was changed by someone else since revision" in refused.get_json()["detail"]
    assert head(author, course) == revision and course_files(author, course) == files
    assert files["media/third.png"] == third


def test_two_chunks_of_one_upload_at_once_the_second_is_a_409(sqlite_app, media_env, tmp_path):
    """Two processes (here two connections) sending the same chunk: the second is refused while
    the first is being written, with the offset to go on from."""
    served = LiveEditor(sqlite_app)
    try:
        ada = signed_in(sqlite_app, "ada@example.org")
        course = small_course(ada, tmp_path)
        token = add_account(sqlite_app, "ci@example.org", token=True)
        assert ada.api("POST", f"/api/courses/{course}/shares", json={"email": "ci@example.org"}).status_code == 201
        data = make_video(tmp_path / "clip.mp4", seconds=1).read_bytes()
        url = begin(ada, course, "clip.mp4", len(data), "video", page_id="p-text").get_json()["url"]
        with socket.create_connection(("127.0.0.1", served.server.server_port), timeout=30) as slow:
            head_lines = [f"PUT {url} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {token}",
                          "Content-Type: application/octet-stream", f"Content-Length: {len(data)}",
                          "Upload-Offset: 0", "", ""]
            slow.sendall("\r\n".join(head_lines).encode() + data[:1000])
            time.sleep(0.5)  # the first chunk is being written, its connection still open
            second = raw_put(served.server.server_port, url, token,
                             {"Content-Length": str(len(data)), "Upload-Offset": "0"}, data, close_after=False)
            assert second.startswith(b"HTTP/1.1 409"), second[:300]
            assert b"another chunk of this upload is being received" in second
            slow.sendall(data[1000:])
            answer = read_answer(slow)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert ada.api("GET", url).get_json()["offset"] == len(data)
    finally:
        served.stop()


# --------------------------------------------------------------------------- dropped connections
def raw_put(port: int, path: str, token: str, headers: dict[str, str], body: bytes, close_after: bool) -> bytes:
    """A PUT over a plain socket: ``body`` is sent, then the socket is closed at once when
    ``close_after`` (a dropped connection mid-chunk), or the answer read."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        lines = [f"PUT {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {token}",
                 "Content-Type: application/octet-stream", *[f"{k}: {v}" for k, v in headers.items()], "", ""]
        conn.sendall("\r\n".join(lines).encode() + body)
        if close_after:
            conn.shutdown(socket.SHUT_RDWR)
            return b""
        return read_answer(conn)


def read_answer(conn: socket.socket) -> bytes:
    """An HTTP answer, head and body (as long as its Content-Length says)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        piece = conn.recv(65536)
        if not piece:
            return answer
        answer += piece
    head, _, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)content-length: (\d+)", head)
    while length and len(body) < int(length[1]):
        piece = conn.recv(65536)
        if not piece:
            break
        body += piece
    return head + b"\r\n\r\n" + body


def test_a_connection_dropped_mid_chunk_resumes_from_the_servers_offset(sqlite_app, media_env, tmp_path):
    served = LiveEditor(sqlite_app)
    try:
        token = add_account(sqlite_app, "ci@example.org", token=True)
        api = http.client.HTTPConnection("127.0.0.1", served.server.server_port, timeout=30)
        bearer = {"Authorization": f"Bearer {token}"}
        folder = write_course_folder(tmp_path / "small-course")
        api.request("POST", "/api/courses/import", body=folder_zip(folder, "small"),
                    headers={**bearer, "Content-Type": "application/zip"})
        course = json.loads(api.getresponse().read())["id"]
        clip = make_video(tmp_path / "clip.mp4", seconds=1)
        data = clip.read_bytes()
        api.request("POST", f"/api/courses/{course}/uploads", headers={**bearer, "Content-Type": "application/json"},
                    body=json.dumps({"name": "clip.mp4", "size": len(data), "kind": "video", "page_id": "p-quiz"}))
        begun = json.loads(api.getresponse().read())
        url = begun["url"]

        half = len(data) // 2
        raw_put(served.server.server_port, url, token,
                {"Content-Length": str(len(data)), "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
                data[:half], close_after=True)
        deadline = time.monotonic() + 10
        offset = 0
        while time.monotonic() < deadline:  # the server notices the drop once the socket closes
            api.request("HEAD", url, headers=bearer)
            answer = api.getresponse()
            answer.read()
            offset = int(answer.getheader("Upload-Offset"))
            if offset > 0:
                break
            time.sleep(0.05)
        assert 0 < offset <= half  # what arrived is kept, nothing past what was sent

        api.request("PUT", url, body=data[offset:], headers={
            **bearer, "Content-Type": "application/octet-stream",
            "Content-Range": f"bytes {offset}-{len(data) - 1}/{len(data)}"})
        finished = api.getresponse()
        state = json.loads(finished.read())
        assert finished.status == 200, state
        assert state["offset"] == len(data) and state["status"] in ("queued", "running", "done")
        while state["status"] in ("queued", "running"):
            time.sleep(0.05)
            api.request("GET", url, headers=bearer)
            state = json.loads(api.getresponse().read())
        assert state["status"] == "done", state
        api.request("GET", f"/api/courses/{course}/export", headers=bearer)
        with zipfile.ZipFile(io.BytesIO(api.getresponse().read())) as archive:
            stored = {info.filename.split("/", 1)[1]: info for info in archive.infolist()}
            assert archive.read(stored[state["path"]]) == data  # byte for byte, across the drop
    finally:
        served.stop()


def test_a_size_over_the_limit_is_refused_before_a_byte_is_read(tmp_path, media_env):
    from authoring import create_app

    settings = editor_settings(tmp_path / "data").model_copy(update={"media_max_bytes": 5_000_000})
    limited = create_app(settings)
    served = LiveEditor(limited)
    try:
        ada = signed_in(limited, "ada@example.org")
        course = small_course(ada, tmp_path)
        over = begin(ada, course, "big.mp4", 5_000_001, "video", page_id="p-text")
        assert over.status_code == 413 and over.get_json()["field"] == "size"
        assert "5000001 bytes, over the 5000000 bytes limit" in over.get_json()["detail"]
        assert over.get_json()["limit"] == 5_000_000
        captions = begin(ada, course, "long.vtt", 3 << 20, "captions", block_id="i-plan")
        assert captions.status_code == 413 and "limit for a WebVTT captions file" in captions.get_json()["detail"]
        assert begin(ada, course, "notes.txt", 10, "video", page_id="p-text").get_json()["field"] == "name"
        assert begin(ada, course, "a.png", 10, "captions", page_id="p-text").status_code == 422
        assert begin(ada, course, "a.mp4", 10, "video", block_id="t-file").get_json()["field"] == "kind"
        assert begin(ada, course, "a.png", 10, "image", page_id="p-text").get_json()["field"] == "alt"
        assert begin(ada, course, "a.mp4", 10, "video", block_id="nope").status_code == 404

        token = add_account(limited, "ci@example.org", token=True)
        assert ada.api("POST", f"/api/courses/{course}/shares", json={"email": "ci@example.org"}).status_code == 201
        url = begin(ada, course, "clip.mp4", 4_000_000, "video", page_id="p-text").get_json()["url"]
        started = time.monotonic()
        answer = raw_put(served.server.server_port, url, token,
                         {"Content-Length": "4000001", "Upload-Offset": "0"}, b"", close_after=False)
        assert time.monotonic() - started < 10  # answered without waiting for a body that never comes
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert ada.api("GET", url).get_json()["offset"] == 0
    finally:
        served.stop()
        limited.extensions["courseforge"].database.engine.dispose()


# --------------------------------------------------------------------------- broken and hostile files
def cut_off_mp4(tmp: Path) -> Path:
    return truncate(make_video(tmp / "full.mp4", seconds=2, faststart=False), tmp / "cut.mp4", keep=0.6)


def renamed_text(tmp: Path) -> Path:
    return text_file(tmp / "notes.mp4")


def scripted_svg(tmp: Path) -> Path:
    return svg(tmp / "diagram.svg", "<script>alert(1)</script><rect width='10' height='10'/>")


def fetching_svg(tmp: Path) -> Path:
    return svg(tmp / "tracker.svg", "<image href='https://example.org/pixel.png' width='1' height='1'/>")


def png_bomb(tmp: Path) -> Path:
    return bomb_png(tmp / "huge.png")


def wav_named_mp4(tmp: Path) -> Path:
    wav = make_speech(tmp / "voice.wav", "Hello")
    target = tmp / "voice.mp4"
    wav.rename(target)
    return target


def garbled_video(tmp: Path) -> Path:
    return garble(make_video(tmp / "clean.mp4", seconds=2), tmp / "garbled.mp4")


def long_video(tmp: Path) -> Path:
    return make_video(tmp / "long.mp4", seconds=3)


def silent_picture(tmp: Path) -> Path:
    """A video without sound named as a recording (an .m4a holds MP4 data, so the name is honest)."""
    return make_video(tmp / "mute.mp4", seconds=1, audio=False).rename(tmp / "mute.m4a")


def png_named_jpg(tmp: Path) -> Path:
    return png(tmp / "photo.png", 64, 64).rename(tmp / "photo.jpg")


HOSTILE = [
    # (make the file, kind, block fields, words of the pipeline's message)
    (cut_off_mp4, "video", {"page_id": "p-text"}, "truncated"),
    (renamed_text, "video", {"page_id": "p-text"}, "is not a media file ffmpeg can read"),
    (scripted_svg, "image", {"block_id": "i-plan"}, "contains a <script> element"),
    (fetching_svg, "image", {"block_id": "i-plan"}, "references an outside resource"),
    (png_bomb, "image", {"block_id": "i-plan"}, "decompression bomb"),
    (wav_named_mp4, "video", {"page_id": "p-text"}, "does not match its content, which is 'wav' data"),
    (garbled_video, "video", {"page_id": "p-text"}, "is corrupt: decoding failed"),
    (long_video, "video", {"page_id": "p-text"}, "over the 0:00:02 limit"),
    (silent_picture, "audio", {"page_id": "p-text"}, "has no audio stream (it is a video without sound)"),
    (png_named_jpg, "image", {"page_id": "p-text", "alt": "x"}, "does not match its content, which is PNG data"),
]


@pytest.fixture
def strict_editor(tmp_path, media_env):
    """The editor (SQLite) with a 2-second limit on videos and recordings."""
    from authoring import create_app

    flask_app = create_app(editor_settings(tmp_path / "data").model_copy(update={"media_max_duration": 2.0}))
    flask_app.testing = True
    yield flask_app
    flask_app.extensions["courseforge"].database.engine.dispose()


def test_broken_and_hostile_files_are_refused_with_the_pipelines_message_and_the_course_is_unchanged(
        strict_editor, tmp_path):
    ada = signed_in(strict_editor, "ada@example.org")
    course = small_course(ada, tmp_path)
    revision, files = head(ada, course), course_files(ada, course)
    made = tmp_path / "made"
    made.mkdir()
    for make, kind, fields, words in HOSTILE:
        path = make(made)
        answer = upload(ada, course, path, kind, **fields)
        body = answer.get_json()
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json", (path.name, body)
        assert words in body["detail"], (path.name, body["detail"])
        assert body["upload"]["status"] == "refused" and body["problems"][0]["file"] == f"media/{path.name}"
        shown = ada.api("GET", body["upload"]["url"]).get_json()
        assert shown["status"] == "refused" and words in shown["message"], shown
        assert shown["block"] == fields.get("block_id")  # the page shows it on that block
    empty = begin(ada, course, "empty.mp4", 0, "video", page_id="p-text")
    assert empty.status_code == 422 and "file is empty (0 bytes)" in empty.get_json()["detail"]
    captions = tmp_path / "subs.vtt"
    captions.write_text("1\n00:00:00,000 --> 00:00:01,000\nAn SRT file renamed\n")
    narration = ada.api("POST", f"/api/courses/{course}/pages/p-text/blocks", json={
        "base_revision": revision, "block": {"type": "narration", "script": "Hello."}}).get_json()
    revision = narration["revision"]
    files = course_files(ada, course)
    refused = upload(ada, course, captions, "captions", block_id=narration["block"]["id"])
    assert refused.status_code == 422 and "is not WebVTT" in refused.get_json()["detail"]

    assert head(ada, course) == revision and course_files(ada, course) == files
    listed = ada.api("GET", f"/api/courses/{course}/uploads").get_json()["uploads"]
    assert len(listed) == len(HOSTILE) + 2 and {u["status"] for u in listed} == {"refused"}
    scratch = Path(strict_editor.extensions["courseforge"].scratch) / "media"
    assert not scratch.exists() or list(scratch.iterdir()) == []  # no refused bytes left behind
    assert wait_build(ada, course)["status"] == "done"


# --------------------------------------------------------------------------- other kinds
def test_a_recording_becomes_narration_and_a_script_gives_way_to_it(author, tmp_path):
    course = small_course(author, tmp_path)
    voice = make_speech(tmp_path / "welcome.m4a", "Welcome to the course.")
    added = author.api("POST", f"/api/courses/{course}/pages/p-text/blocks", json={
        "base_revision": head(author, course), "block": {"type": "narration", "script": "Welcome to the course."}})
    block_id = added.get_json()["block"]["id"]
    answer = upload(author, course, voice, "audio", block_id=block_id)
    assert answer.status_code == 200, answer.get_json()
    final, _seen = wait_for(author, answer.get_json()["url"])
    assert final["status"] == "done", final
    narration = next(b for b in blocks_of(author, course, "p-text") if b["id"] == block_id)
    assert narration == {"type": "narration", "id": block_id, "src": "media/welcome.m4a",
                         "transcript": "Welcome to the course."}


def test_a_job_that_fails_ends_failed_with_the_pipelines_message(author, tmp_path):
    """A silent recording passes the checks (it is a good audio file), so it is added; its
    loudness job then fails, as the build would, and says why."""
    course = small_course(author, tmp_path)
    silence = make_silence(tmp_path / "quiet.m4a")
    answer = upload(author, course, silence, "audio", page_id="p-quiz")
    assert answer.status_code == 200 and answer.get_json()["status"] == "queued"
    final, _seen = wait_for(author, answer.get_json()["url"])
    assert final["status"] == "failed", final
    assert final["message"] == "media/quiet.m4a: is silent: there is no sound to bring to narration loudness"
    assert blocks_of(author, course, "p-quiz")[0]["src"] == "media/quiet.m4a"
    build = wait_build(author, course)
    assert build["status"] == "failed" and final["message"] in [p["text"] for p in build["problems"]]


# --------------------------------------------------------------------------- who may upload
def test_only_those_who_may_change_the_course_upload_and_readers_may_look(app, media_env, tmp_path):
    ada = signed_in(app, "ada@example.org")
    course = small_course(ada, tmp_path)
    data = png(tmp_path / "photo.png", 32, 32).read_bytes()
    begun = begin(ada, course, "photo.png", len(data), "image", block_id="i-plan").get_json()
    url = begun["url"]

    add_account(app, "rita@example.org", "reviewer")
    assert ada.api("POST", f"/api/courses/{course}/shares", json={"email": "rita@example.org"}).status_code == 201
    rita = Browser(app)
    rita.sign_in("rita@example.org")
    assert rita.api("GET", url).status_code == 200
    assert begin(rita, course, "photo.png", len(data), "image", block_id="i-plan").status_code == 403
    refused = send(rita, url, data, 0, len(data))
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert rita.api("DELETE", url).status_code == 403

    bob = signed_in(app, "bob@example.org")
    for method, target in (("GET", url), ("GET", f"/api/courses/{course}/uploads"), ("DELETE", url)):
        assert bob.api(method, target).status_code == 404
    assert begin(bob, course, "photo.png", len(data), "image", block_id="i-plan").status_code == 404
    assert send(bob, url, data, 0, len(data)).status_code == 404

    no_csrf = ada.client.put(url, data=data, content_type="application/octet-stream",
                             headers={"Upload-Offset": "0"})
    assert no_csrf.status_code == 400 and no_csrf.get_json()["field"] == "csrf_token"
    assert ada.api("GET", url).get_json()["offset"] == 0
    assert ada.api("DELETE", url).status_code == 204
    assert ada.api("GET", url).get_json()["status"] == "cancelled"
    assert ada.api("DELETE", url).status_code == 409


# --------------------------------------------------------------------------- memory
def padded_mp4(path: Path, padding: int) -> Path:
    """A short video followed by a ``free`` box of ``padding`` bytes: a large file that is
    still a good MP4 (players skip free boxes)."""
    make_video(path, seconds=1)
    with path.open("ab") as out:
        out.write(struct.pack(">I4s", padding + 8, b"free"))
        block = bytes(1 << 20)
        for _ in range(padding // len(block)):
            out.write(block)
        out.write(bytes(padding % len(block)))
    return path


def peak_rss(pid: int) -> int:
    """The most memory the process ever had resident (VmHWM), in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) * 1024


def test_a_large_file_is_received_checked_and_stored_in_constant_memory(tmp_path, media_env):
    """A real ``courseforge serve`` takes a 200 MB video in 8 MiB chunks: its peak memory grows by
    far less than the file (the bytes go to disk in pieces, are hashed and stored in pieces)."""
    env = {**os.environ, "HOME": str(tmp_path), "COURSEFORGE_DATA_DIR": str(tmp_path / "data"),
           "COURSEFORGE_STORAGE_URL": str(tmp_path / "storage"), "COURSEFORGE_CACHE_DIR": str(media_env),
           "COURSEFORGE_MAX_UPLOAD_BYTES": str(16 << 20)}
    env.pop("COURSEFORGE_DATABASE_URL", None)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines: list[str] = []
        while not any("Course editor at" in line for line in lines):
            line = server.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        added = subprocess.run([sys.executable, "-m", "cli", "users", "add", "ci@example.org", "--role", "author",
                                "--token"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        token = re.search(r"API token: (\S+)", added.stdout).group(1)
        bearer = {"Authorization": f"Bearer {token}"}
        api = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        api.request("POST", "/api/courses/import", body=folder_zip(write_course_folder(tmp_path / "small"), "small"),
                    headers={**bearer, "Content-Type": "application/zip"})
        course = json.loads(api.getresponse().read())["id"]
        big = padded_mp4(tmp_path / "big.mp4", 200 << 20)
        size = big.stat().st_size
        api.request("POST", f"/api/courses/{course}/uploads", headers={**bearer, "Content-Type": "application/json"},
                    body=json.dumps({"name": "big.mp4", "size": size, "kind": "video", "page_id": "p-text"}))
        begun = json.loads(api.getresponse().read())
        chunk = begun["chunk_size"]
        assert chunk == 8 << 20
        before = peak_rss(server.pid)
        with big.open("rb") as source:
            for offset in range(0, size, chunk):
                length = min(chunk, size - offset)
                api.putrequest("PUT", begun["url"])
                for name, value in {**bearer, "Content-Type": "application/octet-stream",
                                    "Content-Length": str(length),
                                    "Content-Range": f"bytes {offset}-{offset + length - 1}/{size}"}.items():
                    api.putheader(name, value)
                api.endheaders()
                for _ in range(0, length, 1 << 20):
                    api.send(source.read(min(1 << 20, offset + length - source.tell())))
                answer = api.getresponse()
                state = json.loads(answer.read())
                assert answer.status == 200, state
        while state["status"] in ("queued", "running"):
            time.sleep(0.1)
            api.request("GET", begun["url"], headers=bearer)
            state = json.loads(api.getresponse().read())
        assert state["status"] == "done", state
        grown = peak_rss(server.pid) - before
        print(f"peak memory {before / 1e6:.0f} MB, grown by {grown / 1e6:.1f} MB for a {size / 1e6:.0f} MB upload")
        assert grown < 40e6, f"the editor's peak memory grew by {grown / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"
    finally:
        server.terminate()
        server.wait(timeout=30)


# --------------------------------------------------------------------------- schema and API document
def only_uploads(name, type_, _parents) -> bool:
    return type_ != "table" or name == "media_uploads"


@pytest.mark.services
def test_the_migration_creates_exactly_the_uploads_table_the_model_describes(tmp_path, postgres_database):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from authoring.database import Database
    from authoring.models import Base

    for url in (f"sqlite:///{tmp_path / 'editor.db'}", postgres_database):
        database = Database(url)
        database.upgrade()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": only_uploads})
            differences = [d for d in compare_metadata(context, Base.metadata)
                           if "media_uploads" in repr(d)]
        database.engine.dispose()
        assert differences == [], (url.split(":")[0], differences)


def test_the_upload_operations_are_documented_and_schemathesis_finds_no_undocumented_answer(sqlite_app, media_env,
                                                                                            tmp_path):
    token = add_account(sqlite_app, "author@example.org", token=True)
    bearer = {"Authorization": f"Bearer {token}"}
    folder = write_course_folder(tmp_path / "small-course")
    assert sqlite_app.test_client().post("/api/courses/import", data=folder_zip(folder, "small"), headers=bearer,
                                         content_type="application/zip").status_code == 201
    document = sqlite_app.test_client().get("/api/openapi.json").get_json()
    operations = {(path, method) for path, methods in document["paths"].items() if "/uploads" in path
                  for method in methods}
    assert operations == {("/api/courses/{course_id}/uploads", "get"), ("/api/courses/{course_id}/uploads", "post"),
                          ("/api/courses/{course_id}/uploads/{upload_id}", "get"),
                          ("/api/courses/{course_id}/uploads/{upload_id}", "put"),
                          ("/api/courses/{course_id}/uploads/{upload_id}", "delete")}
    post = document["paths"]["/api/courses/{course_id}/uploads"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/NewUpload"}
    assert {"403", "409", "413", "415", "422"} <= set(post["responses"])

    _operations, failures = fuzz(sqlite_app, bearer, lambda path: "/uploads" in path, examples=25)
    assert not failures, report(failures)
