"""`courseforge push` and `pull` against a real `courseforge serve` process: the sample course
goes up and comes back as the same files, byte for byte; edits on either side travel as new
revisions; a push over a change made on the server is refused unless forced; wrong servers,
refused tokens and missing courses are clear messages."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from authoring_app import REPO, SAMPLE, app, folder_bytes, postgres_database, postgres_server  # noqa: F401 - fixtures
from test_authoring_serve import courseforge, free_port

REMOTE_FILE = ".courseforge-remote"


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    """A running editor, and the tokens of two authors: (base URL, env, ada's token, bob's token)."""
    home = tmp_path_factory.mktemp("editor")
    env = {**os.environ, "HOME": str(home), "COURSEFORGE_DATA_DIR": str(home / "data"),
           "COURSEFORGE_STORAGE_URL": str(home / "storage")}
    for name in ("COURSEFORGE_DATABASE_URL", "COURSEFORGE_SERVER", "COURSEFORGE_TOKEN"):
        env.pop(name, None)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines: list[str] = []
        while not any("Course editor at" in line for line in lines):
            line = server.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        tokens = []
        for email in ("ada@example.org", "bob@example.org"):
            added = courseforge("users", "add", email, "--role", "author", "--token", env=env)
            assert added.returncode == 0, added.stderr
            tokens.append(re.search(r"API token: (\S+)", added.stdout).group(1))
        yield f"http://127.0.0.1:{port}", env, tokens[0], tokens[1]
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


def run(editor, *args: str, token: str | None = None) -> subprocess.CompletedProcess:
    base, env, ada, _bob = editor
    return courseforge(*args, "--server", base, "--token", token or ada, env=env)


def course_bytes(folder) -> dict[str, bytes]:
    return {path: data for path, data in folder_bytes(folder).items() if path != REMOTE_FILE}


def test_pull_of_a_pushed_sample_gives_the_same_files_and_edits_travel_both_ways(editor, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(SAMPLE, work)
    pushed = run(editor, "push", str(work))
    assert pushed.returncode == 0, pushed.stderr
    assert "Created course" in pushed.stdout, pushed.stdout
    number = int(re.search(r"Created course (\d+) \(Security basics", pushed.stdout).group(1))
    assert (work / REMOTE_FILE).is_file()

    pulled = tmp_path / "pulled"
    answer = run(editor, "pull", str(number), "-o", str(pulled))
    assert answer.returncode == 0, answer.stderr
    assert f"Pulled course {number} (Security basics: phishing, passwords and safe habits) at revision 1" in answer.stdout
    assert course_bytes(pulled) == folder_bytes(SAMPLE)  # same files, same bytes, ids kept

    again = run(editor, "pull", str(number), "-o", str(pulled))
    assert again.returncode == 0 and "already up to date" in again.stdout

    # An edit in the pulled folder goes up as revision 2, and says what changed.
    page = pulled / "pages" / "welcome.md"
    page.write_bytes(page.read_bytes() + b"\nOne more line.\n")
    (pulled / "pages" / "extra.md").write_text("# Extra\n", encoding="utf-8")
    up = run(editor, "push", str(pulled))
    assert up.returncode == 0, up.stderr
    assert f"Course {number} (Security basics: phishing, passwords and safe habits): revision 2 (from 1)." in up.stdout
    assert "  changed pages/welcome.md" in up.stdout and "  added   pages/extra.md" in up.stdout
    unchanged = run(editor, "push", str(pulled))
    assert unchanged.returncode == 0 and "unchanged at revision 2" in unchanged.stdout

    # The first folder is still at revision 1: its push would drop revision 2, so it is refused.
    stale = work / "pages" / "summary.md"
    stale.write_bytes(stale.read_bytes() + b"\nEdited elsewhere.\n")
    refused = run(editor, "push", str(work))
    assert refused.returncode != 0
    assert f"course {number} changed on" in refused.stderr and "revision 1 (it is now at revision 2)" in refused.stderr
    forced = run(editor, "push", str(work), "--force")
    assert forced.returncode == 0 and "revision 3 (from 2)" in forced.stdout
    assert "  removed pages/extra.md" in forced.stdout

    # Pulling brings the forced state back into the other folder, removing what it no longer has.
    back = run(editor, "pull", str(number), "-o", str(pulled))
    assert back.returncode == 0, back.stderr
    assert "  removed pages/extra.md" in back.stdout and not (pulled / "pages" / "extra.md").exists()
    assert course_bytes(pulled) == course_bytes(work)


def test_pull_refuses_a_folder_of_another_course_unless_forced(editor, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(SAMPLE, work)
    (work / REMOTE_FILE).unlink(missing_ok=True)
    pushed = run(editor, "push", str(work))
    number = int(re.search(r"course (\d+)", pushed.stdout, re.IGNORECASE).group(1))
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine\n", encoding="utf-8")
    refused = run(editor, "pull", str(number), "-o", str(other))
    assert refused.returncode != 0 and "is not empty and does not hold course 'security-basics'" in refused.stderr
    assert (other / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    forced = run(editor, "pull", str(number), "-o", str(other), "--force")
    assert forced.returncode == 0, forced.stderr
    assert not (other / "notes.txt").exists() and "  removed notes.txt" in forced.stdout


def test_wrong_server_refused_token_and_missing_or_hidden_course_are_clear_messages(editor, tmp_path):
    base, env, ada, bob = editor
    work = tmp_path / "work"
    shutil.copytree(SAMPLE, work)
    nothing_there = courseforge("pull", "1", "-o", str(tmp_path / "x"), "--server",
                                f"http://127.0.0.1:{free_port()}", "--token", ada, env=env)
    assert nothing_there.returncode != 0 and "cannot reach http://127.0.0.1:" in nothing_there.stderr
    broken = tmp_path / "broken"
    shutil.copytree(SAMPLE, broken)
    (broken / "pages" / "welcome.md").unlink()
    local = run(editor, "push", str(broken))
    assert local.returncode != 0 and "the course has problems, nothing was sent" in local.stderr
    assert "pages/welcome.md" in local.stderr and not (broken / REMOTE_FILE).exists()
    not_a_url = courseforge("push", str(work), "--server", "ftp://example.org", "--token", ada, env=env)
    assert not_a_url.returncode != 0 and "is not an http:// or https:// URL" in not_a_url.stderr
    refused = run(editor, "push", str(work), token="not-a-token")
    assert refused.returncode != 0 and f"--token: {base} refused the token" in refused.stderr
    missing = run(editor, "pull", "999", "-o", str(tmp_path / "y"))
    assert missing.returncode != 0 and "course 999 not found" in missing.stderr
    mine = run(editor, "push", str(work))  # a course of Ada's (new, or the earlier tests' one)
    assert mine.returncode == 0, mine.stderr
    number = re.search(r"[Cc]ourse (\d+)", mine.stdout).group(1)
    hidden = run(editor, "pull", number, "-o", str(tmp_path / "z"), token=bob)
    assert hidden.returncode != 0 and f"course {number} not found" in hidden.stderr
    # Bob pushing the same course id makes his own course: Ada's is not his to change.
    (work / REMOTE_FILE).unlink()
    his = run(editor, "push", str(work), token=bob)
    assert his.returncode == 0 and re.search(r"Created course (\d+)", his.stdout).group(1) != number


# The API behind push, through the test client, on SQLite and PostgreSQL.

def push_form(browser, course: int, data: bytes, **fields):
    import io

    return browser.api("POST", f"/api/courses/{course}/revisions/import",
                       data={"file": (io.BytesIO(data), "course.zip"), **fields}, content_type="multipart/form-data")


def test_a_pushed_folder_becomes_the_next_revision_only_from_the_latest_one(app, tmp_path):
    from authoring_app import folder_zip, imported_sample, signed_in

    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    found = ada.api("GET", "/api/courses/with-id/security-basics").get_json()
    assert [c["id"] for c in found["courses"]] == [course]
    assert ada.api("GET", "/api/courses/with-id/no-such-course").get_json()["courses"] == []

    work = tmp_path / "work"
    shutil.copytree(SAMPLE, work)
    same = push_form(ada, course, folder_zip(work), base_revision="1")
    assert same.status_code == 200 and same.get_json()["saved"] is False and same.get_json()["revision"] == 1
    (work / "pages" / "welcome.md").write_text("Changed.\n", encoding="utf-8")
    pushed = push_form(ada, course, folder_zip(work), base_revision="1")
    assert pushed.status_code == 200, pushed.get_json()
    assert pushed.get_json() == {"id": course, "revision": 2, "from": 1, "saved": True, "added": [],
                                      "removed": [], "changed": ["pages/welcome.md"]}
    exported = ada.api("GET", f"/api/courses/{course}/export")
    from authoring_app import zip_bytes

    assert {name.split("/", 1)[1]: data for name, data in zip_bytes(exported.data).items()} == folder_bytes(work)

    (work / "pages" / "welcome.md").write_text("Changed again.\n", encoding="utf-8")
    stale = push_form(ada, course, folder_zip(work), base_revision="1")
    assert stale.status_code == 409 and stale.get_json()["head_revision"] == 2
    unsaid = push_form(ada, course, folder_zip(work))
    assert unsaid.status_code == 422 and unsaid.get_json()["field"] == "base_revision"
    forced = push_form(ada, course, folder_zip(work), force="true")
    assert forced.status_code == 200 and forced.get_json()["revision"] == 3


def test_a_push_of_another_course_or_a_broken_one_or_by_a_reviewer_is_refused(app, tmp_path):
    from authoring_app import add_account, folder_zip, imported_sample, signed_in

    ada = signed_in(app, "ada@example.org")
    course = imported_sample(ada)
    other = tmp_path / "other"
    shutil.copytree(SAMPLE, other)
    text = (other / "course.yaml").read_text(encoding="utf-8")
    (other / "course.yaml").write_text(text.replace("id: security-basics", "id: another-course", 1),
                                       encoding="utf-8")
    mismatch = push_form(ada, course, folder_zip(other), base_revision="1")
    assert mismatch.status_code == 422 and mismatch.get_json()["field"] == "id"
    assert "'another-course'" in mismatch.get_json()["detail"]

    (other / "course.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    broken = push_form(ada, course, folder_zip(other), base_revision="1")
    assert broken.status_code == 422 and broken.get_json()["problems"][0]["file"] == "course.yaml"
    assert broken.get_json()["detail"].startswith("the course zip was refused, nothing was stored")

    add_account(app, "rita@example.org", "reviewer")
    ada.api("POST", f"/api/courses/{course}/shares", json={"email": "rita@example.org"})
    from authoring_app import Browser

    rita = Browser(app)
    rita.sign_in("rita@example.org")
    refused = push_form(rita, course, folder_zip(SAMPLE), base_revision="1")
    assert refused.status_code == 403
    assert ada.api("GET", f"/api/courses/{course}/revisions").get_json()["head_revision"] == 1
