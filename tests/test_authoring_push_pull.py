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
from authoring_app import REPO, SAMPLE, folder_bytes
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
