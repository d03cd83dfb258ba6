"""``create_app(settings)``: the course editor as a Flask app.

Settings are read once, here, and handed on; nothing deeper reads the environment. The app keeps
no state between requests besides its database and blob store: sessions are signed cookies, rate
limits and revisions live in the database, so any number of editor processes can serve the same
users behind a load balancer.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map
from werkzeug.security import safe_join

from authoring.accounts import user_for_token
from authoring.api_docs import MAX_ID
from authoring.context import EXTENSION, Editor, db
from authoring.database import Database
from authoring.models import User
from authoring.problems import ApiProblem
from authoring.publishing import file_size
from authoring.secret import secret_key
from authoring.text_blobs import DatabaseBlobs
from authoring.uploads import too_large
from settings import Settings
from storage import open_storage

SESSION_HOURS = 12
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_FILES = frozenset({"static", "vendor.package_file"})  # endpoints serving the editor's own files
csrf = CSRFProtect()


def create_app(settings: Settings, *, migrate: bool = True) -> Flask:
    """The editor for ``settings``; with ``migrate`` the database is upgraded first."""
    app = Flask(__name__)
    database = Database(settings.database_url)
    if migrate:
        database.upgrade()
    scratch = Path(settings.data_dir) / "uploads"
    scratch.mkdir(parents=True, exist_ok=True)
    blobs = DatabaseBlobs(open_storage(settings.storage_url), database.engine)  # small texts live in the database
    app.extensions[EXTENSION] = Editor(settings, database, blobs, scratch)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="courseforge_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in _authenticate: token-authenticated API calls are exempt
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session: an open editor keeps autosaving
        WTF_CSRF_HEADERS=["X-CSRFToken"],
    )
    csrf.init_app(app)
    app.jinja_env.filters["file_size"] = file_size
    app.before_request(_authenticate)
    app.teardown_appcontext(_close_session)
    _register_errors(app)
    app.url_map.converters["int"] = BoundedInt
    _register_blueprints(app)
    _version_static_files(app)
    return app


class BoundedInt(IntegerConverter):
    """``<int:...>`` in every route, up to the largest number a database id holds: a larger
    one is a 404 like any missing course, not a database overflow."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    from authoring.views.api_document import blueprint as api_document
    from authoring.views.auth import blueprint as auth
    from authoring.views.captions_api import blueprint as captions_api
    from authoring.views.content_api import blueprint as content_api
    from authoring.views.course_api import blueprint as course_api
    from authoring.views.editor_pages import blueprint as editor_pages
    from authoring.views.history_pages import blueprint as history_pages
    from authoring.views.live_preview import blueprint as live_preview
    from authoring.views.narration_api import blueprint as narration_api
    from authoring.views.preview_api import blueprint as preview_api
    from authoring.views.publish_api import blueprint as publish_api
    from authoring.views.review_api import blueprint as review_api
    from authoring.views.review_pages import blueprint as review_pages
    from authoring.views.revision_api import blueprint as revision_api
    from authoring.views.transfer_api import blueprint as transfer_api
    from authoring.views.upload_api import blueprint as upload_api
    from authoring.views.vendor import blueprint as vendor

    for blueprint in (
        auth,
        editor_pages,
        history_pages,
        api_document,
        course_api,
        content_api,
        preview_api,
        revision_api,
        transfer_api,
        publish_api,
        upload_api,
        narration_api,
        captions_api,
        live_preview,
        review_api,
        review_pages,
        vendor,
    ):
        app.register_blueprint(blueprint)


LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"
"""A static file asked for with its current ``?v=`` never changes at that address, so a browser
keeps it a year without asking again; asked for without it (or with an old one: a page from
before a deploy), it may change at any time, so it is kept five minutes."""


class FileVersions:
    """A short hash of each static file's content, for its URL: computed once per version of the
    file (its size and modification time) in this process, so a changed file gets a new URL
    without a restart and an unchanged one is hashed only once."""

    def __init__(self) -> None:
        self._known: dict[Path, tuple[tuple[int, int], str]] = {}

    def of(self, path: Path) -> str | None:
        """The version of ``path``, or None if there is no such file."""
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        known = self._known.get(path)
        if known is not None and known[0] == key:
            return known[1]
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        self._known[path] = (key, version)
        return version


def _version_static_files(app: Flask) -> None:
    """Every ``url_for`` of a static or vendor file carries ``?v=<content hash>``, and that
    address is cached for good (``LONG_CACHE``); see ``SHORT_CACHE`` for the others."""
    from authoring.views.vendor import FILES

    versions = FileVersions()

    def file_of(endpoint: str | None, values: dict[str, Any]) -> Path | None:
        if endpoint == "static" and isinstance(values.get("filename"), str) and app.static_folder:
            joined = safe_join(app.static_folder, values["filename"])
            return Path(joined) if joined else None
        if endpoint == "vendor.package_file" and isinstance(values.get("name"), str):
            return FILES.get(values["name"])
        return None

    @app.url_defaults
    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        path = file_of(endpoint, values)
        version = versions.of(path) if path is not None and "v" not in values else None
        if version is not None:
            values["v"] = version

    @app.after_request
    def cache_control(response: Response) -> Response:
        path = file_of(request.endpoint, {**(request.view_args or {})})
        if path is None or response.status_code not in (200, 304):
            return response
        version = versions.of(path)
        current = version is not None and request.args.get("v") == version
        response.headers["Cache-Control"] = LONG_CACHE if current else SHORT_CACHE
        return response


def session_version(user: User) -> str:
    """Part of the session cookie that changes with the password, so a new password signs out
    every other browser without a session store."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _authenticate() -> None:
    """Who is calling: an API token (``Authorization: Bearer``) or the session cookie; every
    write from a browser session must carry its CSRF token. Static files are the same for
    everyone, so fetching them asks the database nothing."""
    g.user = None
    if request.endpoint in PUBLIC_FILES:
        return
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiProblem(401, "Authorization: give an API token as 'Bearer TOKEN'", "Authorization")
        user = user_for_token(db(), token.strip())
        if user is None:
            raise ApiProblem(401, "Authorization: the API token is not valid (revoked or mistyped)", "Authorization")
        g.user = user
        return  # not a browser: no cookie was sent on its behalf, so no CSRF check
    user_id = session.get("uid")
    if user_id is not None:
        user = db().get(User, user_id)
        if user is not None and session.get("pv") == session_version(user):
            g.user = user
        else:
            session.clear()
    if request.method not in SAFE_METHODS:
        csrf.protect()


def _close_session(_error: BaseException | None) -> None:
    session_ = g.pop("db", None)
    if session_ is not None:
        session_.close()


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ApiProblem)
    def problem(error: ApiProblem) -> Any:
        if wants_json():
            return error.response()
        if error.status == 401:
            return redirect(url_for("auth.signin", next=request.full_path))
        return render_template("error.html", status=error.status, detail=error.detail), error.status

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> Any:
        detail = (
            f"csrf_token: {error.description} Browser writes need the page's CSRF token "
            "(the X-CSRFToken header for the API); scripts use an API token instead"
        )
        return problem(ApiProblem(400, detail, "csrf_token"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if status == 413:
            return problem(too_large(app.config["MAX_CONTENT_LENGTH"]))
        return problem(ApiProblem(status, error.description or error.name))

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response
