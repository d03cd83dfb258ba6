"""The real `courseforge serve` process: migrations on start, the first-run admin printed once,
the sample course imported, the sign-in page and the API over HTTP; `courseforge users`; and the
migrations creating exactly the tables the models describe."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from authoring_app import REPO, SAMPLE, postgres_database, postgres_server  # noqa: F401 - fixtures


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def courseforge(*args: str, env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, **kwargs)


@pytest.mark.slow
def test_serve_starts_the_editor_with_the_first_admin_and_the_sample_course(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "COURSEFORGE_DATA_DIR": str(tmp_path / "data"),
           "COURSEFORGE_STORAGE_URL": str(tmp_path / "storage")}
    env.pop("COURSEFORGE_DATABASE_URL", None)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), "--first-course", str(SAMPLE)],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        while not any("Course editor at" in line for line in lines):
            line = server.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        output = "".join(lines)
        password = re.search(r"password: (\S+)", output).group(1)
        assert "email:    admin@localhost" in output and "imported: Security basics" in output
        base = f"http://127.0.0.1:{port}"
        signin = urllib.request.urlopen(f"{base}/signin", timeout=10).read().decode()
        assert "Sign in to the course editor" in signin

        added = courseforge("users", "add", "robot@example.org", "--role", "author", "--token", env=env)
        assert added.returncode == 0, added.stderr
        token = re.search(r"API token: (\S+)", added.stdout).group(1)
        assert re.search(r"password: \S{20}", added.stdout)
        twice = courseforge("users", "add", "robot@example.org", "--role", "author", env=env)
        assert twice.returncode != 0 and "email: an account for robot@example.org already exists" in twice.stderr

        request = urllib.request.Request(f"{base}/api/courses", data=json.dumps({"title": "By a script"}).encode(),
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        made = json.load(urllib.request.urlopen(request, timeout=30))
        assert made["owner"] == "robot@example.org" and made["head_revision"] == 1
        try:
            urllib.request.urlopen(urllib.request.Request(f"{base}/api/courses/1",
                                                          headers={"Authorization": f"Bearer {token}"}), timeout=10)
            raise AssertionError("the admin's course must be hidden from another author")
        except urllib.error.HTTPError as error:
            assert error.code == 404 and error.headers["Content-Type"] == "application/problem+json"
        assert password and len(password) >= 16
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
    # A second start prints no password and imports nothing again.
    again = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(free_port())], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first_line = again.stdout.readline()
        assert first_line.startswith("Course editor at"), first_line
    finally:
        again.terminate()
        again.wait(timeout=30)
        again.stdout.close()
    listed = courseforge("users", "list", env=env)
    assert listed.stdout.splitlines() == ["admin@localhost\tadmin", "robot@example.org\tauthor"]


def not_search_index(name, type_, _parents) -> bool:
    """The full-text index (FTS5's tables, PostgreSQL's GIN index) is the migration's alone:
    queried through SQL, it has no model."""
    return not (name or "").startswith(("course_search", "ix_courses_search"))


@pytest.mark.services
def test_the_migrations_create_exactly_what_the_models_describe(tmp_path, postgres_database):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from authoring.database import Database
    from authoring.models import Base

    for url in (f"sqlite:///{tmp_path / 'editor.db'}", postgres_database):
        database = Database(url)
        database.upgrade()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": not_search_index})
            differences = compare_metadata(context, Base.metadata)
        database.engine.dispose()
        assert differences == [], (url.split(":")[0], differences)


@pytest.mark.slow
def test_make_run_serves_the_sign_in_page_from_a_clean_home(tmp_path):
    """`make run` from nothing: bootstrap finds everything installed, the editor comes up."""
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path)}
    for name in [n for n in env if n.startswith("COURSEFORGE_")]:
        env.pop(name)
    started = time.monotonic()
    make = subprocess.Popen(["make", "--no-print-directory", "run", f"PORT={port}"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output = []
        while not any("Course editor at" in line for line in output):
            line = make.stdout.readline()
            assert line, "".join(output)
            output.append(line)
        assert "password: " in "".join(output)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/signin", timeout=10).read().decode()
        assert "Sign in to the course editor" in page
        assert (Path(tmp_path) / ".local/share/courseforge/editor.db").is_file()
        assert time.monotonic() - started < 60
    finally:
        os.killpg(make.pid, 15)
        make.wait(timeout=30)
        make.stdout.close()
