"""The course editor under test: an app on SQLite or on the session's PostgreSQL server (one
fixture, parametrized, so every persistence and API test runs on both), accounts, and a browser
stand-in that signs in and sends the page's CSRF token the way editor.js does."""
from __future__ import annotations

import io
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from postgres_server import postgres_database, postgres_server  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "courses" / "samples" / "security-basics"
PASSWORD = "correct horse battery"


def eventually(check, timeout: float = 10.0):
    """``check()``'s value once it is truthy, polled every 0.1 s (the API while a page saves, a
    job while it runs); a failed assertion with the last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"still {value!r} after {timeout} s"
            return value
        time.sleep(0.1)


def editor_settings(data: Path, database_url: str = ""):
    from settings import Settings

    return Settings(data_dir=data, storage_url=str(data / "storage"), database_url=database_url,
                    cache_dir=data / "cache", max_upload_bytes=20 << 20)


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch):
    """argon2id still, at its lowest costs: the recommended ones take seconds per sign-in on a
    busy test machine, and what is tested is that argon2 is used, not how slow it is."""
    from argon2 import PasswordHasher

    from authoring import credentials

    monkeypatch.setattr(credentials, "passwords",
                        credentials.Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def app(request, tmp_path) -> Iterator[Flask]:
    """The editor on a fresh database of each kind."""
    from authoring import create_app

    url = ""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_database")
    flask_app = create_app(editor_settings(tmp_path / "data", url))
    flask_app.testing = True
    yield flask_app
    flask_app.extensions["courseforge"].database.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path) -> Iterator[Flask]:
    """The editor on SQLite only, for tests whose subject is not the database (builds, decks)."""
    from authoring import create_app

    flask_app = create_app(editor_settings(tmp_path / "data"))
    flask_app.testing = True
    yield flask_app
    flask_app.extensions["courseforge"].database.engine.dispose()


def add_account(app: Flask, email: str, role: str = "author", password: str | None = PASSWORD, token: bool = False):
    """Make an account; returns its API token when ``token``."""
    from authoring.accounts import add_user, issue_token

    session = app.extensions["courseforge"].database.session()
    try:
        user = add_user(session, email, role, password)
        issued = issue_token(session, user) if token else None
        session.commit()
        return issued
    finally:
        session.close()


def csrf_of(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


class Browser:
    """A signed-in browser: cookies kept by the test client, the CSRF token from the page."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.csrf = ""

    def sign_in(self, email: str, password: str = PASSWORD):
        self.csrf = csrf_of(self.client.get("/signin").get_data(as_text=True))
        answer = self.client.post("/signin", data={"email": email, "password": password, "csrf_token": self.csrf})
        if answer.status_code == 302:
            self.csrf = csrf_of(self.client.get("/courses").get_data(as_text=True))
        return answer

    def api(self, method: str, url: str, **kwargs):
        headers = {"X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def import_zip(self, data: bytes, name: str = "course.zip"):
        return self.api("POST", "/api/courses/import", data={"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def signed_in(app: Flask, email: str, role: str = "author") -> Browser:
    add_account(app, email, role)
    browser = Browser(app)
    assert browser.sign_in(email).status_code == 302
    return browser


def folder_zip(folder: Path, top: str = "") -> bytes:
    """A zip of ``folder``'s files (inside ``top/`` when given)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.write(path, f"{top}/{name}" if top else name)
    return out.getvalue()


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def zip_bytes(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def imported_sample(browser: Browser) -> int:
    answer = browser.import_zip(folder_zip(SAMPLE, "security-basics"))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


class LiveEditor:
    """The editor app served over real HTTP on a loopback port (threaded werkzeug), for browser
    tests; ``sign_in(page, email)`` signs a Playwright page in through the sign-in form."""

    def __init__(self, app: Flask) -> None:
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def sign_in(self, page, email: str, password: str = PASSWORD) -> None:
        page.goto(f"{self.url}/signin")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{self.url}/courses")

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_editor(sqlite_app) -> Iterator[LiveEditor]:
    """The SQLite editor on a loopback port."""
    served = LiveEditor(sqlite_app)
    yield served
    served.stop()
