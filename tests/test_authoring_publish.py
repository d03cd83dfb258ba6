"""Publishing from the editor through the API: a build of the sample course runs in the
background with its progress polled, is listed with its date and size, downloads, and the zip
validates; a course that cannot be built reports its problems; reviewers cannot publish and
other authors cannot see the builds; the course page has its Publish section."""
from __future__ import annotations

import time

import pytest
from authoring_app import Browser, add_account, imported_sample, signed_in, sqlite_app  # noqa: F401 - sqlite_app is a fixture

BUILD_SECONDS = 300


def wait_for(browser: Browser, url: str) -> tuple[dict, list[tuple[str, float]]]:
    """Poll a build until it ends; its last state and the progress seen on the way."""
    seen: list[tuple[str, float]] = []
    deadline = time.monotonic() + BUILD_SECONDS
    while time.monotonic() < deadline:
        build = browser.api("GET", url).get_json()
        seen.append((build["step"], build["progress"]))
        if build["status"] != "running":
            return build, seen
        time.sleep(0.2)
    raise AssertionError(f"the build did not finish in {BUILD_SECONDS} s: {seen[-3:]}")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004", "web"])
def test_a_build_of_the_sample_completes_is_listed_downloads_and_validates(sqlite_app, tmp_path, fmt):
    from exporters.check import check_package

    ada = signed_in(sqlite_app, "ada@example.org")
    course = imported_sample(ada)
    started = ada.api("POST", f"/api/courses/{course}/builds", json={"format": fmt})
    assert started.status_code == 202, started.get_json()
    assert started.get_json()["status"] == "running" and started.get_json()["revision"] == 1
    again = ada.api("POST", f"/api/courses/{course}/builds", json={"format": "web"})
    assert again.status_code == 409 and "still running" in again.get_json()["detail"]

    build, seen = wait_for(ada, started.get_json()["url"])
    assert build["status"] == "done", build["problems"]
    assert build["size"] > 0 and build["finished_at"] and build["progress"] == 1.0
    assert len({step for step, _ in seen}) >= 2  # the page saw the build move through its steps

    listed = ada.api("GET", f"/api/courses/{course}/builds").get_json()["builds"]
    assert [(b["id"], b["format"], b["size"]) for b in listed] == [(build["id"], fmt, build["size"])]
    assert listed[0]["created_at"].endswith("Z")

    zipped = ada.api("GET", build["download"])
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"
    assert f"security-basics-{fmt}-r1.zip" in zipped.headers["Content-Disposition"]
    assert len(zipped.data) == build["size"]
    package = tmp_path / "package.zip"
    package.write_bytes(zipped.data)
    assert check_package(package, fmt) == []


def test_a_failed_build_reports_the_builds_problems(sqlite_app, monkeypatch):
    from authoring import publishing
    from exporters.build import BuildError

    ada = signed_in(sqlite_app, "ada@example.org")
    course = imported_sample(ada)

    def refuse(*_args, **_kwargs):
        raise BuildError("the resume data would not fit the LMS")

    monkeypatch.setattr(publishing, "build_course", refuse)
    started = ada.api("POST", f"/api/courses/{course}/builds", json={"format": "scorm12"})
    build, _seen = wait_for(ada, started.get_json()["url"])
    assert build["status"] == "failed" and build["download"] is None
    assert [p["text"] for p in build["problems"]] == ["course: the resume data would not fit the LMS"]
    refused = ada.api("GET", f"/api/courses/{course}/builds/{build['id']}/download")
    assert refused.status_code == 409 and "it is failed" in refused.get_json()["detail"]


def test_a_course_with_a_media_problem_fails_with_the_media_problem(sqlite_app):
    """A real build that fails: a sample whose narration is not audio."""
    import json

    from authoring.models import Revision

    ada = signed_in(sqlite_app, "ada@example.org")
    course = imported_sample(ada)
    blobs = sqlite_app.extensions["courseforge"].blobs
    session = sqlite_app.extensions["courseforge"].database.session()
    try:
        revision = session.query(Revision).filter_by(course_id=course, number=1).one()
        files = json.loads(revision.files)
        files["media/welcome-narration.m4a"] = blobs.put_blob(b"this is not audio")
        revision.files = json.dumps(files, sort_keys=True)
        session.commit()
    finally:
        session.close()
    started = ada.api("POST", f"/api/courses/{course}/builds", json={"format": "web"})
    build, _seen = wait_for(ada, started.get_json()["url"])
    assert build["status"] == "failed"
    assert any("welcome-narration.m4a" in p["text"] for p in build["problems"]), build["problems"]


def test_reviewers_cannot_publish_and_other_authors_cannot_see_builds(sqlite_app, monkeypatch):
    from authoring import publishing

    monkeypatch.setattr(publishing, "run_build", lambda *args: None)  # access only: no build runs
    ada = signed_in(sqlite_app, "ada@example.org")
    course = imported_sample(ada)
    add_account(sqlite_app, "rita@example.org", "reviewer")
    assert ada.api("POST", f"/api/courses/{course}/shares", json={"email": "rita@example.org"}).status_code == 201
    rita = Browser(sqlite_app)
    rita.sign_in("rita@example.org")
    refused = rita.api("POST", f"/api/courses/{course}/builds", json={"format": "web"})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    started = ada.api("POST", f"/api/courses/{course}/builds", json={"format": "web"})
    assert started.status_code == 202
    assert len(rita.api("GET", f"/api/courses/{course}/builds").get_json()["builds"]) == 1  # shared: may look

    bob = signed_in(sqlite_app, "bob@example.org")
    build_id = started.get_json()["id"]
    for url in (f"/api/courses/{course}/builds", f"/api/courses/{course}/builds/{build_id}",
                f"/api/courses/{course}/builds/{build_id}/download"):
        assert bob.api("GET", url).status_code == 404, url
    assert bob.api("POST", f"/api/courses/{course}/builds", json={"format": "web"}).status_code == 404

    wrong = ada.api("POST", f"/api/courses/{course}/builds", json={"format": "pdf"})
    assert wrong.status_code == 422 and wrong.get_json()["field"] == "format"
    missing = ada.api("POST", f"/api/courses/{course}/builds", json={"format": "web", "revision": 9})
    assert missing.status_code == 404 and missing.get_json()["field"] == "revision"


def test_the_course_page_has_a_publish_section_with_formats_and_earlier_builds(sqlite_app, monkeypatch):
    from authoring import publishing
    from authoring.models import Build, utcnow

    monkeypatch.setattr(publishing, "run_build", lambda *args: None)
    ada = signed_in(sqlite_app, "ada@example.org")
    course = imported_sample(ada)
    page = ada.client.get(f"/courses/{course}").get_data(as_text=True)
    assert 'id="publish-form"' in page and "No builds yet." in page
    for value, label in (("scorm12", "SCORM 1.2"), ("scorm2004", "SCORM 2004"), ("web", "Web")):
        assert f'value="{value}"' in page and label in page
    assert "publish.js" in page and 'id="publish-progress"' in page

    started = ada.api("POST", f"/api/courses/{course}/builds", json={"format": "scorm2004"}).get_json()
    session = sqlite_app.extensions["courseforge"].database.session()
    build = session.get(Build, started["id"])
    build.status, build.size, build.blob_sha256, build.finished_at = "done", 2_345_678, "0" * 64, utcnow()
    session.commit()
    session.close()
    page = ada.client.get(f"/courses/{course}").get_data(as_text=True)
    assert "No builds yet." not in page and "SCORM 2004" in page and "2.3 MB" in page
    assert f'href="/api/courses/{course}/builds/{started["id"]}/download"' in page
    assert started["created_at"][:10] in page

    add_account(sqlite_app, "rita@example.org", "reviewer")
    ada.api("POST", f"/api/courses/{course}/shares", json={"email": "rita@example.org"})
    rita = Browser(sqlite_app)
    rita.sign_in("rita@example.org")
    seen = rita.client.get(f"/courses/{course}").get_data(as_text=True)
    assert 'id="publish-form"' not in seen and "2.3 MB" in seen  # reads the builds, cannot publish
