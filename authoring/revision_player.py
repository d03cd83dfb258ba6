"""One revision of a course's player, served file by file to whoever a view has let in: the
launch page for a tracking standard, each page's fragment, the player's scripts and styles, and
the course's stored media (no renditions, no transcoding: nothing is built).

The view decides who may see which revision (an editor account, a review link's token) and
hands over the course and revision number; everything after that is here, once. A revision
never changes, so what is made from one is kept per process (``Renders``): the validated course,
the launch page of each standard and each page's fragment. Every rendered answer says where its
time went in ``Server-Timing`` (``load``: reading and validating the revision, ``render``: the
templates).
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

from flask import Response, current_app, request, send_file
from werkzeug.wrappers import Response as BaseResponse

from authoring.context import blobs, db, editor
from authoring.models import CourseRecord
from authoring.problems import ApiProblem
from authoring.revisions import stored_revision
from courses.model import Course, NarrationBlock, Page, VideoBlock
from courses.source import BlobSource, SourceError, check_path
from media.assets import Asset, BlockMedia, MediaMap
from player.bundle import player_bundle
from player.render import Tracking, render_launch_page, render_page

RENDERS = "courseforge-revision-player"
CACHED_REVISIONS = 16  # per process: the heads an author's preview asks for, a few before them, review links'
NO_CACHE = "private, no-cache"  # kept by the browser, asked again each time (a 304 when unchanged)
INLINE_MEDIA = ("image/", "video/", "audio/")
INLINE_TYPES = frozenset({"text/vtt"})
PLAYER_POLICY = (
    "default-src 'self'; img-src 'self' data: https:; media-src 'self' https:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
"""The player's own page and scripts, its inline theme styles (a course's brand colours), and what
a learner's browser would load too; framed only by the editor's own pages."""
FILE_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
"""A course file opened on its own runs nothing (an SVG's script, an HTML file) on the editor's origin."""


@dataclass
class Rendered:
    """What one revision of one course gives the player, made once and kept."""

    course: Course
    files: dict[str, str]
    load_ms: float
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


def renders() -> Renders:
    """This app's renders, made on first use (``dict.setdefault`` is atomic, so one per app)."""
    kept: Renders = current_app.extensions.setdefault(RENDERS, Renders())
    return kept


@dataclass
class Timing:
    """Milliseconds spent on this request's answer, for its ``Server-Timing`` header."""

    load_ms: float | None = None  # None: the revision was kept from an earlier request
    render_ms: float | None = None  # None: the file was kept

    def header(self) -> str:
        parts = ['load;dur=0;desc="kept"' if self.load_ms is None else f"load;dur={self.load_ms:.2f}"]
        parts.append('render;dur=0;desc="kept"' if self.render_ms is None else f"render;dur={self.render_ms:.2f}")
        return ", ".join(parts)


def rendered(record: CourseRecord, number: int, timing: Timing) -> Rendered:
    """What revision ``number`` of ``record`` gives the player (a 404 naming it when there is none)."""
    key = (record.id, number)
    found = renders().get(key)
    if found is None:
        began = time.perf_counter()
        stored = stored_revision(db(), record, number)
        course = stored.model if stored.model is not None else Course.model_validate(json.loads(stored.document))
        timing.load_ms = (time.perf_counter() - began) * 1000
        found = Rendered(course, json.loads(stored.files), timing.load_ms)
        renders().put(key, found)
    return found


def _kept(cache: dict[str, bytes], key: str, make: Callable[[], bytes], timing: Timing) -> bytes:
    """``cache[key]``, made by ``make`` (and timed) the first time."""
    found = cache.get(key)
    if found is None:
        began = time.perf_counter()
        found = cache[key] = make()
        timing.render_ms = (time.perf_counter() - began) * 1000
    return found


def framed(response: BaseResponse, policy: str) -> BaseResponse:
    """Framed by the editor's own pages only (the editor's default is never)."""
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = policy
    response.headers["Cache-Control"] = NO_CACHE
    return response


def _player_answer(body: bytes, number: int, timing: Timing) -> BaseResponse:
    response = Response(body, mimetype="text/html")
    response.headers["Server-Timing"] = timing.header()
    response.headers["X-Courseforge-Revision"] = str(number)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return framed(response.make_conditional(request), PLAYER_POLICY)


# --------------------------------------------------------------------------- the player's files
def launch_answer(record: CourseRecord, number: int, tracking: Tracking) -> BaseResponse:
    """``index.html`` of the player for ``tracking`` at the revision. It asks for its first page
    like any other: the launch page then changes only with the outline, so an edit of the first
    page is shown in the running attempt, not by launching it again."""
    timing = Timing()
    found = rendered(record, number, timing)
    if not found.course.pages():
        raise ApiProblem(404, "the course has no pages yet: add one to preview it", "page")
    body = _kept(found.launch, tracking, lambda: render_launch_page(found.course, tracking), timing)
    return _player_answer(body, number, timing)


def page_answer(record: CourseRecord, number: int, page: str) -> BaseResponse:
    """``pages/<page>.html``: the fragment the launch page shows for one page."""
    timing = Timing()
    found = rendered(record, number, timing)
    opened = next((p for p in found.course.pages() if p.id == page), None)
    if opened is None:
        raise ApiProblem(404, f"page: no page {page[:80]!r} in revision {number}", "page")
    source = BlobSource(found.files, blobs(), editor().scratch / "blobs")
    try:
        body = _kept(found.pages, page, lambda: render_page(found.course, page, as_stored(opened), source), timing)
    except (SourceError, UnicodeDecodeError) as error:
        raise ApiProblem(404, f"page {page}: {error}", "page") from None
    return _player_answer(body, number, timing)


def package_file_answer(record: CourseRecord, number: int, name: str) -> BaseResponse:
    """Any other file of the package: the player's scripts and styles (``js/``, ``css/``, the
    same for every course, so the revision is not read for them), else a course file."""
    if name.split("/", 1)[0] in ("js", "css"):
        return player_file(name)
    found = rendered(record, number, Timing())
    if check_path(name) is not None or name not in found.files:
        raise ApiProblem(404, f"no file {name[:80]!r} in revision {number}", "name")
    return course_file(found.files, name)


def player_file(name: str) -> BaseResponse:
    """One of the player's own scripts or styles, the same bytes a package ships."""
    found = player_bundle().files.get(name)
    if found is None:
        raise ApiProblem(404, f"no player file {name[:80]}", "name")
    answer = Response(found, mimetype=media_type(name))
    answer.set_etag(hashlib.sha256(found).hexdigest()[:32])
    return framed(answer.make_conditional(request), PLAYER_POLICY)


def as_stored(page: Page) -> MediaMap:
    """The page's videos and recordings as the course stores them, since nothing makes
    renditions here: each plays its original file, with its captions and poster, as in the
    package. (Images need nothing: without renditions the player shows the stored file. A
    narration script has no recording until a build speaks it: its transcript is shown.) The
    renderer reads only an asset's address and type, so ``source`` is that address too."""

    def stored(path: str) -> Asset:
        return Asset(Path(path), path, media_type(path))

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


def media_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def course_file(files: dict[str, str], name: str) -> BaseResponse:
    """A stored course file as the package would hold it, ranges and all (a video seeks). Only
    media play inline; anything else is a download, so nothing a course holds runs as a page or
    a script on the editor's origin."""
    path = BlobSource(files, blobs(), editor().scratch / "blobs").local_path(name)
    kind = media_type(name)
    inline = kind.startswith(INLINE_MEDIA) or kind in INLINE_TYPES
    response = send_file(
        path,
        mimetype=kind if inline else "application/octet-stream",
        as_attachment=not inline,
        download_name=name.rsplit("/", 1)[-1],
        conditional=True,
        etag=files[name],
    )
    return framed(response, FILE_POLICY)
