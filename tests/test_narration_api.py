"""Voice-over and captions through the JSON API: a narration script spoken with the course's voice
as a build speaks it (the build after makes nothing: it finds the outputs in the cache), its
audio and captions served to the course's readers only, a script that cannot be spoken refused
naming the field; a video's and a recording's captions read as cue rows and saved from them as a
new revision of the captions file, each wrong field named, overlaps only warned about."""
from __future__ import annotations

import io
import time
import zipfile

import pytest
from api_fuzz import fuzz, report
from authoring_app import Browser, add_account, folder_zip, signed_in  # noqa: F401
from authoring_app import app, quick_argon2  # noqa: F401 - fixtures
from postgres_server import postgres_database, postgres_server  # noqa: F401 - fixtures
from conftest import write_course_folder
from media_fixtures import ffprobe, make_speech, make_video, media_env, process_launches  # noqa: F401

WAIT_SECONDS = 60
SCRIPT = "Welcome to the course.\nLock your screen whenever you leave your desk."
CLIP_VTT = "WEBVTT\n\nintro\n00:00.000 --> 00:01.000 align:start\nHello there\n\n00:01.200 --> 00:02.000\nSecond line\n"
COURSE = {
    "id": "narrated",
    "title": "Narrated course",
    "language": "en",
    "voice": {"voice": "en-us", "speed": 170},
    "sections": [{"id": "s-one", "title": "One", "pages": [
        {"id": "p-n", "title": "Listen", "blocks": [
            {"type": "narration", "id": "n-script", "script": "An old script."},
            {"type": "narration", "id": "n-rec", "src": "media/talk.wav", "transcript": "Old transcript."},
            {"type": "video", "id": "v-cap", "src": "media/clip.mp4", "title": "Clip", "captions": "media/clip.vtt"},
            {"type": "video", "id": "v-bare", "src": "media/clip.mp4", "title": "Bare clip"},
        ]},
    ]}],
}


@pytest.fixture
def course(app, media_env, tmp_path):  # noqa: F811 - the app fixture
    """Ada's narrated course: a script, a recording, a video with captions and one without."""
    ada = signed_in(app, "ada@example.org")
    folder = write_course_folder(tmp_path / "course", COURSE)
    make_video(folder / "media" / "clip.mp4", size="160x120", seconds=2)
    make_speech(folder / "media" / "talk.wav", "Hello and welcome.")
    (folder / "media" / "clip.vtt").write_text(CLIP_VTT, encoding="utf-8")
    answer = ada.import_zip(folder_zip(folder, "course"))
    assert answer.status_code == 201, answer.get_json()
    return ada, answer.get_json()["id"]


def wait_done(browser: Browser, url: str) -> tuple[dict, list[str]]:
    seen: list[str] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        state = browser.api("GET", url).get_json()
        if not seen or seen[-1] != state["status"]:
            seen.append(state["status"])
        if state["status"] not in ("queued", "running"):
            return state, seen
        time.sleep(0.02)
    raise AssertionError(f"the voice-over did not end in {WAIT_SECONDS} s: {seen}")


def document(browser: Browser, course: int) -> dict:
    return browser.api("GET", f"/api/courses/{course}").get_json()


def block_of(browser: Browser, course: int, block_id: str) -> dict:
    doc = document(browser, course)["course"]
    return next(b for s in doc["sections"] for p in s["pages"] for b in p["blocks"] if b["id"] == block_id)


def course_files(browser: Browser, course: int) -> dict[str, bytes]:
    answer = browser.api("GET", f"/api/courses/{course}/export")
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        return {info.filename.split("/", 1)[1]: archive.read(info) for info in archive.infolist()}


def build(browser: Browser, course: int) -> dict:
    started = browser.api("POST", f"/api/courses/{course}/builds", json={"format": "web"})
    assert started.status_code == 202, started.get_json()
    deadline = time.monotonic() + WAIT_SECONDS * 2
    while time.monotonic() < deadline:
        state = browser.api("GET", started.get_json()["url"]).get_json()
        if state["status"] != "running":
            return state
        time.sleep(0.1)
    raise AssertionError("the build did not finish")


def generate(browser: Browser, course: int, block_id: str, script: str):
    return browser.api("POST", f"/api/courses/{course}/blocks/{block_id}/voice-over", json={"script": script})


# --------------------------------------------------------------------------- voice-over
def test_a_script_is_spoken_with_the_courses_voice_served_and_the_build_after_takes_it_from_the_cache(
        course, tmp_path, process_launches):  # noqa: F811
    ada, course_id = course
    started = generate(ada, course_id, "n-script", SCRIPT)
    assert started.status_code == 202, started.get_json()
    assert started.get_json()["status"] == "queued" and started.get_json()["stale"] is True  # not the saved one

    final, seen = wait_done(ada, started.get_json()["url"])
    assert final["status"] == "done" and final["problems"] == [] and final["percent"] == 100, final
    assert seen[-1] == "done"
    assert [cue["text"] for cue in final["cues"]] == ["Welcome to the course.",
                                                      "Lock your screen whenever you leave your desk."]
    first, second = final["cues"]
    assert first["start"] == "00:00.000" and first["end"] < second["start"] < second["end"]
    spoken = [argv for argv in process_launches if argv[0] == "espeak-ng"]
    assert spoken and all(argv[1:5] == ["-v", "en-us", "-s", "170"] for argv in spoken)  # the course's voice

    audio = ada.api("GET", final["audio_url"])
    assert audio.status_code == 200 and audio.mimetype == "audio/mp4"
    (tmp_path / "voice.m4a").write_bytes(audio.data)
    assert float(ffprobe(tmp_path / "voice.m4a")["format"]["duration"]) == pytest.approx(final["duration"], abs=0.1)
    part = ada.api("GET", final["audio_url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == audio.data[:100]  # seeking in the player
    captions = ada.api("GET", final["captions_url"])
    assert captions.status_code == 200 and captions.mimetype == "text/vtt"
    assert captions.data.startswith(b"WEBVTT\n") and b"Lock your screen" in captions.data

    # Saved as the block's script, the build speaks nothing: the same job, found in the cache.
    base = document(ada, course_id)["head_revision"]
    block = {**block_of(ada, course_id, "n-script"), "script": SCRIPT}
    saved = ada.api("PUT", f"/api/courses/{course_id}/blocks/n-script", json={"base_revision": base, "block": block})
    assert saved.status_code == 200, saved.get_json()
    latest = ada.api("GET", f"/api/courses/{course_id}/blocks/n-script/voice-over").get_json()
    assert latest["id"] == final["id"] and latest["stale"] is False
    launched = len(process_launches)
    built = build(ada, course_id)
    assert built["status"] == "done", built["problems"]
    assert [argv for argv in process_launches[launched:] if argv[0] == "espeak-ng"] == []

    # Editing the script afterwards marks the voice-over stale.
    block["script"] = "Something else entirely."
    ada.api("PUT", f"/api/courses/{course_id}/blocks/n-script",
            json={"base_revision": saved.get_json()["revision"], "block": block})
    assert ada.api("GET", f"/api/courses/{course_id}/blocks/n-script/voice-over").get_json()["stale"] is True


def test_a_script_that_cannot_be_spoken_is_refused_naming_the_field(course):
    ada, course_id = course
    for script, field in (("   \n  ", "script"), ("Bell \x07 here.", "script")):
        refused = generate(ada, course_id, "n-script", script)
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json", refused.get_json()
        assert refused.get_json()["field"] == field, refused.get_json()
    missing = ada.api("POST", f"/api/courses/{course_id}/blocks/n-script/voice-over", json={})
    assert missing.status_code == 422 and missing.get_json()["field"] == "script"
    recording = generate(ada, course_id, "n-rec", SCRIPT)
    assert recording.status_code == 422 and recording.get_json()["field"] == "block"
    assert "recording media/talk.wav" in recording.get_json()["detail"]
    assert generate(ada, course_id, "v-cap", SCRIPT).status_code == 422
    assert generate(ada, course_id, "n-nowhere", SCRIPT).status_code == 404
    assert ada.api("GET", f"/api/courses/{course_id}/blocks/n-script/voice-over").status_code == 404  # none yet


def test_a_voice_the_engine_does_not_know_fails_with_the_pipelines_message(app, media_env, tmp_path):  # noqa: F811
    ada = signed_in(app, "ada@example.org")
    folder = write_course_folder(tmp_path / "course", {**COURSE, "voice": {"voice": "zz-nowhere"}})
    make_video(folder / "media" / "clip.mp4", size="160x120", seconds=1)
    make_speech(folder / "media" / "talk.wav", "Hello.")
    (folder / "media" / "clip.vtt").write_text(CLIP_VTT, encoding="utf-8")
    course_id = ada.import_zip(folder_zip(folder, "course")).get_json()["id"]
    started = generate(ada, course_id, "n-script", SCRIPT)
    final, _seen = wait_done(ada, started.get_json()["url"])
    assert final["status"] == "failed" and final["audio_url"] is None, final
    assert final["message"].startswith("narration 'n-script' (script): "), final
    assert "voice does not exist" in final["message"]  # espeak-ng's own words, as the build reports them
    assert ada.api("GET", f"/api/courses/{course_id}/voice-overs/{final['id']}/audio").status_code == 404


# --------------------------------------------------------------------------- captions
def test_a_videos_captions_are_read_as_rows_and_saved_as_a_new_revision_of_its_file(course):
    ada, course_id = course
    url = f"/api/courses/{course_id}/blocks/v-cap/captions"
    read = ada.api("GET", url).get_json()
    assert read["path"] == "media/clip.vtt" and read["transcript"] is None
    assert read["cues"] == [{"start": "00:00.000", "end": "00:01.000", "text": "Hello there"},
                            {"start": "00:01.200", "end": "00:02.000", "text": "Second line"}]
    cues = [{"start": "00:00.000", "end": "00:00.800", "text": "Hello there"},
            {"start": "00:00.800", "end": "00:01.500", "text": "Split off\non two lines"},
            {"start": "01:01.250", "end": "1:01:02.000", "text": "Much later"}]
    saved = ada.api("PUT", url, json={"base_revision": read["revision"], "cues": cues})
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["revision"] == read["revision"] + 1 and body["path"] == "media/clip.vtt" and body["warnings"] == []
    assert course_files(ada, course_id)["media/clip.vtt"].decode() == (
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:00.800\nHello there\n\n"
        "2\n00:00:00.800 --> 00:00:01.500\nSplit off\non two lines\n\n"
        "3\n00:01:01.250 --> 01:01:02.000\nMuch later\n")
    again = ada.api("GET", url).get_json()
    assert again["cues"][2] == {"start": "01:01.250", "end": "1:01:02.000", "text": "Much later"}

    # Overlapping cues are saved, and named.
    overlapping = [cues[0], {**cues[1], "start": "00:00.500"}]
    warned = ada.api("PUT", url, json={"base_revision": body["revision"], "cues": overlapping}).get_json()
    assert [w["field"] for w in warned["warnings"]] == ["cues[1].start"], warned
    assert "before cue 1 ends (00:00.800)" in warned["warnings"][0]["message"]

    # Someone else's save since the base is never overwritten.
    conflict = ada.api("PUT", url, json={"base_revision": body["revision"], "cues": cues})
    assert conflict.status_code == 409 and conflict.get_json()["field"] == "cues"


def test_wrong_rows_are_refused_naming_their_field_and_nothing_changes(course):
    ada, course_id = course
    url = f"/api/courses/{course_id}/blocks/v-cap/captions"
    base = ada.api("GET", url).get_json()["revision"]
    good = {"start": "00:00.000", "end": "00:01.000", "text": "Fine"}
    for row, field, words in (
        ({**good, "start": "0:5"}, "cues[1].start", "mm:ss.mmm"),
        ({**good, "end": "00:61.000"}, "cues[1].end", "mm:ss.mmm"),
        ({**good, "start": "00:02.000", "end": "00:01.500"}, "cues[1].end", "after the start (00:02.000)"),
        ({**good, "text": "  "}, "cues[1].text", "needs some text"),
        ({**good, "text": "One\n\nTwo"}, "cues[1].text", "empty line"),
    ):
        refused = ada.api("PUT", url, json={"base_revision": base, "cues": [good, row]})
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
        problem = refused.get_json()
        assert problem["field"] == field and words in problem["detail"], problem
    assert course_files(ada, course_id)["media/clip.vtt"].decode() == CLIP_VTT
    assert document(ada, course_id)["head_revision"] == base


def test_a_block_without_captions_gets_its_own_file_and_a_recording_its_transcript(course):
    ada, course_id = course
    bare = ada.api("GET", f"/api/courses/{course_id}/blocks/v-bare/captions").get_json()
    assert bare["path"] is None and bare["cues"] == []
    cues = [{"start": "00:00.000", "end": "00:01.000", "text": "New caption"}]
    saved = ada.api("PUT", f"/api/courses/{course_id}/blocks/v-bare/captions",
                    json={"base_revision": bare["revision"], "cues": cues}).get_json()
    assert saved["path"] == "media/v-bare.vtt", saved
    assert block_of(ada, course_id, "v-bare")["captions"] == "media/v-bare.vtt"
    assert block_of(ada, course_id, "v-cap")["captions"] == "media/clip.vtt"  # the other block is left alone
    files = course_files(ada, course_id)
    assert files["media/v-bare.vtt"] == b"WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nNew caption\n"

    url = f"/api/courses/{course_id}/blocks/n-rec/captions"
    recording = ada.api("GET", url).get_json()
    assert recording["transcript"] == "Old transcript." and recording["path"] is None
    saved = ada.api("PUT", url, json={"base_revision": recording["revision"], "cues": cues,
                                      "transcript": "Hello and welcome."}).get_json()
    assert saved["path"] == "media/n-rec.vtt"
    block = block_of(ada, course_id, "n-rec")
    assert block["transcript"] == "Hello and welcome." and block["captions"] == "media/n-rec.vtt"
    scripted = ada.api("GET", f"/api/courses/{course_id}/blocks/n-script/captions")
    assert scripted.status_code == 422 and scripted.get_json()["field"] == "block"

    media = ada.api("GET", f"/api/courses/{course_id}/blocks/v-bare/media", headers={"Range": "bytes=0-7"})
    assert media.status_code == 206 and media.mimetype == "video/mp4" and media.data[4:8] == b"ftyp"
    assert ada.api("GET", f"/api/courses/{course_id}/blocks/n-rec/media").mimetype == "audio/wav"


# --------------------------------------------------------------------------- access
def test_readers_look_and_listen_only_editors_generate_and_save_others_see_nothing(app, course):  # noqa: F811
    ada, course_id = course
    final, _ = wait_done(ada, generate(ada, course_id, "n-script", SCRIPT).get_json()["url"])
    assert final["status"] == "done", final
    captions_url = f"/api/courses/{course_id}/blocks/v-cap/captions"
    base = ada.api("GET", captions_url).get_json()["revision"]
    cues = [{"start": "00:00.000", "end": "00:01.000", "text": "Mine"}]

    add_account(app, "rita@example.org", "reviewer")
    assert ada.api("POST", f"/api/courses/{course_id}/shares", json={"email": "rita@example.org"}).status_code == 201
    rita = Browser(app)
    rita.sign_in("rita@example.org")
    for url in (final["url"], final["audio_url"], final["captions_url"], captions_url,
                f"/api/courses/{course_id}/blocks/n-script/voice-over", f"/api/courses/{course_id}/blocks/v-cap/media"):
        assert rita.api("GET", url).status_code == 200, url
    assert generate(rita, course_id, "n-script", SCRIPT).status_code == 403
    assert rita.api("PUT", captions_url, json={"base_revision": base, "cues": cues}).status_code == 403

    bob = signed_in(app, "bob@example.org")
    for url in (final["url"], final["audio_url"], final["captions_url"], captions_url):
        answer = bob.api("GET", url)
        assert answer.status_code == 404 and answer.mimetype == "application/problem+json", url
    assert generate(bob, course_id, "n-script", SCRIPT).status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(final["audio_url"]).status_code == 401

    no_csrf = ada.client.put(captions_url, json={"base_revision": base, "cues": cues})
    assert no_csrf.status_code == 400 and no_csrf.get_json()["field"] == "csrf_token"
    no_csrf = ada.client.post(f"/api/courses/{course_id}/blocks/n-script/voice-over", json={"script": SCRIPT})
    assert no_csrf.status_code == 400
    assert course_files(ada, course_id)["media/clip.vtt"].decode() == CLIP_VTT


# --------------------------------------------------------------------------- schema and API document
def only_narration_jobs(name, type_, _parents) -> bool:
    return type_ != "table" or name == "narration_jobs"


@pytest.mark.services
def test_the_migration_creates_exactly_the_table_the_model_describes_and_goes_back(tmp_path, postgres_database):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from authoring.database import ALEMBIC_INI, REPOSITORY, Database
    from authoring.models import Base
    from sqlalchemy import inspect

    for url in (f"sqlite:///{tmp_path / 'editor.db'}", postgres_database):
        database = Database(url)
        database.upgrade()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": only_narration_jobs})
            differences = [d for d in compare_metadata(context, Base.metadata) if "narration_jobs" in repr(d)]
        assert differences == [], (url.split(":")[0], differences)
        config = Config(str(ALEMBIC_INI))
        config.set_main_option("script_location", str(REPOSITORY / "migrations"))
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        assert "narration_jobs" not in inspect(database.engine).get_table_names()
        database.upgrade()  # and up again
        assert "narration_jobs" in inspect(database.engine).get_table_names()
        database.engine.dispose()


def test_the_operations_are_documented_and_schemathesis_finds_no_undocumented_answer(app, course):  # noqa: F811
    ada, course_id = course
    final, _ = wait_done(ada, generate(ada, course_id, "n-script", SCRIPT).get_json()["url"])
    assert final["status"] == "done"
    token = add_account(app, "robot@example.org", "admin", token=True)
    bearer = {"Authorization": f"Bearer {token}"}
    document = app.test_client().get("/api/openapi.json").get_json()
    mine = ("/voice-over", "/captions", "/blocks/{block_id}/media")
    operations = {(path, method) for path, methods in document["paths"].items() if any(p in path for p in mine)
                  for method in methods}
    assert operations == {
        ("/api/courses/{course_id}/blocks/{block_id}/voice-over", "post"),
        ("/api/courses/{course_id}/blocks/{block_id}/voice-over", "get"),
        ("/api/courses/{course_id}/voice-overs/{job_id}", "get"),
        ("/api/courses/{course_id}/voice-overs/{job_id}/audio", "get"),
        ("/api/courses/{course_id}/voice-overs/{job_id}/captions", "get"),
        ("/api/courses/{course_id}/blocks/{block_id}/captions", "get"),
        ("/api/courses/{course_id}/blocks/{block_id}/captions", "put"),
        ("/api/courses/{course_id}/blocks/{block_id}/media", "get"),
    }
    put = document["paths"]["/api/courses/{course_id}/blocks/{block_id}/captions"]["put"]
    assert {"403", "409", "415", "422"} <= set(put["responses"])

    _operations, failures = fuzz(app, bearer, lambda path: any(p in path for p in mine), examples=25)
    assert not failures, report(failures)


def test_the_same_script_asked_for_twice_at_once_is_spoken_once(course, process_launches):  # noqa: F811
    ada, course_id = course
    first = generate(ada, course_id, "n-script", SCRIPT).get_json()
    second = generate(ada, course_id, "n-script", SCRIPT).get_json()
    final, _ = wait_done(ada, first["url"])
    assert final["status"] == "done"
    assert second["id"] in (first["id"], first["id"] + 1)
    if second["id"] != first["id"]:  # the first had ended already: the second found it in the cache
        assert wait_done(ada, second["url"])[0]["status"] == "done"
    sentences = [argv for argv in process_launches if argv[0] == "espeak-ng" and "--stdout" in argv]
    assert len(sentences) == 2  # each sentence spoken once
