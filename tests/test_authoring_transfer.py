"""The git round trip: a course folder zipped in and out of the editor comes back the same (same
files, same bytes, ids kept); a malformed, hostile or oversized upload is refused before anything
is written, with problems that say why."""
from __future__ import annotations

import functools
import io
import zipfile

import pytest
from authoring_app import (  # noqa: F401 - fixtures
    SAMPLE, app, folder_bytes, folder_zip, imported_sample, postgres_database, postgres_server, quick_argon2,
    signed_in, zip_bytes,
)

LIMIT = 20 << 20  # the test settings' max_upload_bytes


def exported(browser, course: int, revision: int | None = None) -> dict[str, bytes]:
    url = f"/api/courses/{course}/export" + (f"?revision={revision}" if revision else "")
    answer = browser.client.get(url)
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    return zip_bytes(answer.data)


def test_export_after_import_gives_back_the_same_folder(app):
    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    files = exported(ada, course)
    assert files == {f"security-basics/{name}": data for name, data in folder_bytes(SAMPLE).items()}
    # Imported from a zip with the files at its root, the export is the same again.
    again = ada.import_zip(folder_zip(SAMPLE)).get_json()["id"]
    assert exported(ada, again) == files


def test_an_edit_changes_only_what_was_edited_and_keeps_every_id(app, tmp_path):
    from courses.loader import load_course

    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    before = exported(ada, course)
    ada.api("PUT", f"/api/courses/{course}/blocks/t-welcome/markdown",
            json={"base_revision": 1, "markdown": "New welcome\n"})
    after_text = exported(ada, course)
    assert {n for n in before if before[n] != after_text[n]} == {"security-basics/pages/welcome.md"}
    assert after_text["security-basics/pages/welcome.md"] == b"New welcome\n"

    ada.api("PATCH", f"/api/courses/{course}/pages/p-welcome", json={"base_revision": 2, "title": "Start here"})
    after_title = exported(ada, course)
    assert {n for n in before if before[n] != after_title[n]} == {
        "security-basics/pages/welcome.md", "security-basics/course.yaml"}
    folder = tmp_path / "exported"
    for name, data in after_title.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    edited, original = load_course(folder / "security-basics"), load_course(SAMPLE)
    assert edited.pages()[0].title == "Start here"
    edited.sections[0].pages[0].title = original.sections[0].pages[0].title
    assert edited == original  # every other field, and every id, as it was
    assert exported(ada, course, revision=1) == before


def make_zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return out.getvalue()


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (0o120777 << 16)
    return info


@functools.cache  # the 50,000-entry zip takes seconds to write: once per session
def hostile(kind: str) -> bytes:
    course = (SAMPLE / "course.yaml").read_bytes()
    if kind == "zip slip":
        return make_zip([("course.yaml", course), ("../../outside.md", b"escaped")])
    if kind == "symlink":
        return make_zip([("course.yaml", course), (symlink("pages/welcome.md"), b"/etc/passwd")])
    if kind == "bomb":
        return make_zip([("course.yaml", course), ("media/zeros.bin", bytes(20 << 20))])
    if kind == "50,000 entries":
        return make_zip([("course.yaml", course)] + [(f"m/{i}", b"") for i in range(50_000)])
    if kind == "duplicate names":
        return make_zip([("course.yaml", course), ("course.yaml", b"id: other\n")])
    if kind == "not a zip":
        return b"PK\x03\x04 but nothing else"
    if kind == "no course.yaml":
        return make_zip([("notes.md", b"# Notes")])
    raise AssertionError(kind)


EXPECTED = {
    "zip slip": "../../outside.md: unsafe path",
    "symlink": "pages/welcome.md: symbolic link entry",
    "bomb": "media/zeros.bin: expands",
    "50,000 entries": "50001 entries, more than the limit of 20000",
    "duplicate names": "course.yaml: appears more than once in the zip",
    "not a zip": "not a zip file",
    "no course.yaml": "not a zipped course folder",
}


@pytest.mark.filterwarnings("ignore::UserWarning")  # zipfile warns about the duplicate name it writes
@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_a_hostile_zip_is_refused_with_nothing_written(app, kind):
    from authoring.models import CourseRecord, Revision
    from sqlalchemy import func, select

    ada = signed_in(app, "ada@example.org")
    state = app.extensions["courseforge"]
    answer = ada.import_zip(hostile(kind), "hostile.zip")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["field"] == "file" and "nothing was stored" in body["detail"]
    assert any(EXPECTED[kind] in p["text"] for p in body["problems"]), body["problems"]
    assert not list(state.blobs.storage.list("blobs/"))
    assert list(state.scratch.iterdir()) == []
    session = state.database.session()
    assert session.scalar(select(func.count()).select_from(CourseRecord)) == 0
    assert session.scalar(select(func.count()).select_from(Revision)) == 0
    session.close()


def test_a_course_with_mistakes_is_refused_naming_each_field(app):
    ada = signed_in(app, "ada@example.org")
    course = (SAMPLE / "course.yaml").read_text(encoding="utf-8")
    broken = course.replace("passing_score: 80", "passing_score: 180", 1).replace("pages/welcome.md", "pages/gone.md")
    files = {name: data for name, data in folder_bytes(SAMPLE).items()}
    files["course.yaml"] = broken.encode("utf-8")
    answer = ada.import_zip(make_zip(list(files.items())))
    assert answer.status_code == 422
    texts = [p["text"] for p in answer.get_json()["problems"]]
    assert any(t.startswith("course.yaml:") and ": passing_score: " in t for t in texts), texts
    assert any("pages/gone.md not found" in t for t in texts), texts
    assert not list(app.extensions["courseforge"].blobs.storage.list("blobs/"))


class CountingStream(io.RawIOBase):
    """A request body of ``size`` zero bytes that counts what the server reads of it (the test
    client seeks to its end once to find the Content-Length it declares)."""

    def __init__(self, size: int) -> None:
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = offset if whence == 0 else self.size + offset if whence == 2 else self.position + offset
        return self.position

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.position)
        buffer[:count] = bytes(count)
        self.position += count
        self.read_bytes += count
        return count


def test_an_upload_over_the_limit_is_refused_before_it_is_read(app):
    ada = signed_in(app, "ada@example.org")
    declared = CountingStream(LIMIT + 1)
    answer = ada.api("POST", "/api/courses/import", input_stream=declared, content_type="application/zip")
    assert answer.status_code == 413 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["field"] == "file" and "20 MiB" in answer.get_json()["detail"]
    assert declared.read_bytes == 0
    form_body = CountingStream(LIMIT + 1)
    form = ada.api("POST", "/courses/import", input_stream=form_body, content_type="multipart/form-data; boundary=x")
    assert form.status_code == 413 and form_body.read_bytes == 0
    assert list(app.extensions["courseforge"].scratch.iterdir()) == []
