"""The live preview of the page an author edits: the course's player as a SCORM package holds it
(the same templates, runtime and tracking adapter), served file by file at one revision, inside
an LMS simulator page that plays the LMS with scorm-again and logs every call.

``/api/courses/<id>/player/<revision>/<standard>/`` is the package's folder: ``index.html`` (the
SCO's launch page), ``pages/<page>.html``, and every other file the player asks for at the same
relative address (its ``js/`` and ``css/``, the course's media). ``<revision>`` is a number, or
``latest``: the head when the request comes, so a player loaded once fetches a changed page
afresh at the address it already knows. Only the file asked for is rendered; nothing is built,
and media are the course's stored files as they are (no renditions, no transcoding).

A revision never changes, so what is made from one is kept per process (``Renders``): the
validated course, the launch page of each standard and each page's fragment. Every rendered answer
says where its time went in ``Server-Timing`` (``load``: reading and validating the revision,
``render``: the templates), which the benchmark reads. Anyone who may see the course may preview
it, like every other read.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from flask import Blueprint, Response, current_app, render_template, request, send_file, url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.security import safe_join
from werkzeug.wrappers import Response as BaseResponse

from authoring.access import course_for
from authoring.api_docs import MAX_ID, documented
from authoring.context import blobs, db, editor, signed_in
from authoring.models import CourseRecord
from authoring.problems import ApiProblem
from authoring.revisions import stored_revision
from courses.model import Course, NarrationBlock, Page, VideoBlock
from courses.source import BlobSource, SourceError, check_path
from media.assets import Asset, BlockMedia, MediaMap
from player.render import STATIC_DIR, Tracking, render_launch_page, render_page

blueprint = Blueprint("live_preview", __name__)
RENDERS = "courseforge-live-preview"
STANDARDS = {"scorm2004": "SCORM 2004", "scorm12": "SCORM 1.2"}
LATEST = "latest"
CACHED_REVISIONS = 16  # per process: the heads an author's preview asks for, and a few before them
PLAYER_PREFIX = "/api/courses/<int:course_id>/player/<revision>/<standard>"
NO_CACHE = "private, no-cache"  # kept by the browser, asked again each time (a 304 when unchanged)
INLINE_MEDIA = ("image/", "video/", "audio/")
INLINE_TYPES = frozenset({"text/vtt"})
PLAYER_POLICY = (
    "default-src 'self'; img-src 'self' data: https:; media-src 'self' https:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
"""The player's own page and scripts, its inline theme styles (a course's brand colours), and what
a learner's browser would load too; framed only by the editor's own pages."""
SIMULATOR_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'self'"
)
FILE_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
"""A course file opened on its own runs nothing (an SVG's script, an HTML file) on the editor's origin."""


# --------------------------------------------------------------------------- per-revision renders
@dataclass
class Rendered:
    """What one revision of one course gives the preview, made once and kept."""

    course: Course
    files: dict[str, str]
    launch: dict[str, bytes] = field(default_factory=dict)  # by standard
    pages: dict[str, bytes] = field(default_factory=dict)  # by page id


class Renders:
    """The ``Rendered`` revisions of one app, by (course id, revision), the least recently used
    dropped past ``limit``. Never stale: a committed revision is never changed and a course id is
    never reused (``authoring.revisions.RevisionCache`` relies on the same)."""

    def __init__(self, limit: int = CACHED_REVISIONS) -> None:
        self.limit = limit
        self._rows: OrderedDict[tuple[int, int], Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int]) -> Rendered | None:
        with self._lock:
            found = self._rows.get(key)
            if found is not None:
                self._rows.move_to_end(key)
            return found

    def put(self, key: tuple[int, int], rendered: Rendered) -> None:
        with self._lock:
            self._rows[key] = rendered
            self._rows.move_to_end(key)
            while len(self._rows) > self.limit:
                self._rows.popitem(last=False)


@blueprint.record_once
def _keep_renders(state: BlueprintSetupState) -> None:
    state.app.extensions[RENDERS] = Renders()


def _renders() -> Renders:
    renders: Renders = current_app.extensions[RENDERS]
    return renders


@dataclass
class Timing:
    """Milliseconds spent on this request's answer, for its ``Server-Timing`` header."""

    load_ms: float | None = None  # None: the revision was kept from an earlier request
    render_ms: float | None = None  # None: the file was kept

    def header(self) -> str:
        parts = ['load;dur=0;desc="kept"' if self.load_ms is None else f"load;dur={self.load_ms:.2f}"]
        parts.append('render;dur=0;desc="kept"' if self.render_ms is None else f"render;dur={self.render_ms:.2f}")
        return ", ".join(parts)


def _standard(standard: str) -> Tracking:
    if standard not in STANDARDS:
        raise ApiProblem(404, f"standard: {standard[:40]!r} is not one of {', '.join(STANDARDS)}", "standard")
    return cast(Tracking, standard)


def _number(record: CourseRecord, revision: str) -> int:
    """The revision ``revision`` names: ``latest`` (the head now) or its number."""
    if revision == LATEST:
        return record.head
    if not revision.isascii() or not revision.isdigit() or int(revision) > MAX_ID:
        raise ApiProblem(404, f"revision: {revision[:40]!r} is neither {LATEST} nor a revision number", "revision")
    return int(revision)


def _revision(course_id: int, revision: str, timing: Timing) -> tuple[int, Rendered]:
    """(the revision's number, what is made from it), for a reader of the course."""
    record = course_for(db(), signed_in(), course_id)
    number = _number(record, revision)
    key = (record.id, number)
    found = _renders().get(key)
    if found is None:
        began = time.perf_counter()
        stored = stored_revision(db(), record, number)  # a 404 naming the revision when there is none
        course = stored.model if stored.model is not None else Course.model_validate(json.loads(stored.document))
        timing.load_ms = (time.perf_counter() - began) * 1000
        found = Rendered(course, json.loads(stored.files))
        _renders().put(key, found)
    return number, found


def _kept(cache: dict[str, bytes], key: str, make: Callable[[], bytes], timing: Timing) -> bytes:
    """``cache[key]``, made by ``make`` (and timed) the first time."""
    found = cache.get(key)
    if found is None:
        began = time.perf_counter()
        found = cache[key] = make()
        timing.render_ms = (time.perf_counter() - began) * 1000
    return found


def _player_answer(body: bytes, number: int, timing: Timing) -> BaseResponse:
    response = Response(body, mimetype="text/html")
    response.headers["Server-Timing"] = timing.header()
    response.headers["X-Courseforge-Revision"] = str(number)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return _framed(response.make_conditional(request), PLAYER_POLICY)


def _framed(response: BaseResponse, policy: str) -> BaseResponse:
    """Framed by the editor's own pages only (the editor's default is never)."""
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = policy
    response.headers["Cache-Control"] = NO_CACHE
    return response


# --------------------------------------------------------------------------- the player's files
@blueprint.get(f"{PLAYER_PREFIX}/index.html")
@documented(
    "The player's launch page at a revision (or latest), as the SCO of a SCORM 1.2 or 2004 package; "
    "its ETag changes only when the course's outline, quizzes or settings do",
    answers="text/html",
)
def launch_page(course_id: int, revision: str, standard: str) -> BaseResponse:
    timing = Timing()
    tracking = _standard(standard)
    number, rendered = _revision(course_id, revision, timing)
    if not rendered.course.pages():
        raise ApiProblem(404, "the course has no pages yet: add one to preview it", "page")
    body = _kept(rendered.launch, tracking, lambda: render_launch_page(rendered.course, tracking), timing)
    return _player_answer(body, number, timing)


@blueprint.get(f"{PLAYER_PREFIX}/pages/<page>.html")
@documented("One page of the player at a revision (or latest): the fragment the launch page shows", answers="text/html")
def page_fragment(course_id: int, revision: str, standard: str, page: str) -> BaseResponse:
    timing = Timing()
    _standard(standard)
    number, rendered = _revision(course_id, revision, timing)
    found = next((p for p in rendered.course.pages() if p.id == page), None)
    if found is None:
        raise ApiProblem(404, f"page: no page {page[:80]!r} in revision {number}", "page")
    source = BlobSource(rendered.files, blobs(), editor().scratch / "blobs")
    try:
        body = _kept(
            rendered.pages, page, lambda: render_page(rendered.course, page, _as_stored(found), source), timing
        )
    except (SourceError, UnicodeDecodeError) as error:
        raise ApiProblem(404, f"page {page}: {error}", "page") from None
    return _player_answer(body, number, timing)


def _as_stored(page: Page) -> MediaMap:
    """The page's videos and recordings as the course stores them, since the preview makes no
    renditions: each plays its original file, with its captions and poster, as in the package.
    (Images need nothing: without renditions the player shows the stored file. A narration
    script has no recording until a build speaks it: its transcript is shown.) The renderer
    reads only an asset's address and type, so ``source`` is that address too."""

    def stored(path: str) -> Asset:
        return Asset(Path(path), path, _media_type(path))

    def optional(path: str | None) -> Asset | None:
        return None if path is None else stored(path)

    media: MediaMap = {}
    for block in page.blocks:
        if isinstance(block, VideoBlock):
            media[block.id] = BlockMedia(
                block.id, sources=[stored(block.src)], poster=optional(block.poster), captions=optional(block.captions)
            )
        elif isinstance(block, NarrationBlock) and block.src is not None:
            media[block.id] = BlockMedia(block.id, sources=[stored(block.src)], captions=optional(block.captions))
    return media


def _media_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


@blueprint.get(f"{PLAYER_PREFIX}/<path:name>")
@documented(
    "Any other file of the package at a revision (or latest): the player's scripts and styles, "
    "the course's media files as stored",
    answers="*/*",
)
def package_file(course_id: int, revision: str, standard: str, name: str) -> BaseResponse:
    _standard(standard)
    if name.split("/", 1)[0] in ("js", "css"):
        course_for(db(), signed_in(), course_id)
        found = safe_join(str(STATIC_DIR), name)
        if found is None or not Path(found).is_file() or any(part.startswith(".") for part in name.split("/")):
            raise ApiProblem(404, f"no player file {name[:80]}", "name")
        return _framed(send_file(found, conditional=True, etag=True), PLAYER_POLICY)
    number, rendered = _revision(course_id, revision, Timing())
    if check_path(name) is not None or name not in rendered.files:
        raise ApiProblem(404, f"no file {name[:80]!r} in revision {number}", "name")
    return _course_file(rendered.files, name)


def _course_file(files: dict[str, str], name: str) -> BaseResponse:
    """A stored course file as the package would hold it, ranges and all (a video seeks). Only
    media play inline; anything else is a download, so nothing a course holds runs as a page or
    a script on the editor's origin."""
    path = BlobSource(files, blobs(), editor().scratch / "blobs").local_path(name)
    kind = _media_type(name)
    inline = kind.startswith(INLINE_MEDIA) or kind in INLINE_TYPES
    response = send_file(
        path,
        mimetype=kind if inline else "application/octet-stream",
        as_attachment=not inline,
        download_name=name.rsplit("/", 1)[-1],
        conditional=True,
        etag=files[name],
    )
    return _framed(response, FILE_POLICY)


# --------------------------------------------------------------------------- the LMS simulator
@blueprint.get("/courses/<int:course_id>/preview")
def simulator(course_id: int) -> BaseResponse:
    """The LMS simulator: scorm-again's API for ``?standard=`` (``scorm2004`` unless
    ``scorm12``) in this window, every call logged to the page that frames it, and the player
    launched in a frame below as an LMS launches a SCO, opened at ``?page=`` when given."""
    user = signed_in()
    record = course_for(db(), user, course_id)
    standard = _standard(request.args.get("standard", "scorm2004"))
    revision = request.args.get("revision", LATEST)
    _number(record, revision)
    page = request.args.get("page", "")
    html = render_template(
        "preview-lms.html",
        record=record,
        standard=standard,
        standard_name=STANDARDS[standard],
        page=page,
        player=url_for("live_preview.launch_page", course_id=record.id, revision=revision, standard=standard),
        api_module=url_for("vendor.package_file", name=f"scorm-again-{standard}.js"),
        learner_id=str(user.id),
        learner_name=user.email,
    )
    return _framed(Response(html, mimetype="text/html"), SIMULATOR_POLICY)
