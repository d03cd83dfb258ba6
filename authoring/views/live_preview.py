"""The live preview of the page an author edits: the course's player as a SCORM package holds it
(the same templates, runtime and tracking adapter), served file by file at one revision, inside
an LMS simulator page that plays the LMS with scorm-again and logs every call.

``/api/courses/<id>/player/<revision>/<standard>/`` is the package's folder: ``index.html`` (the
SCO's launch page), ``pages/<page>.html``, and every other file the player asks for at the same
relative address (its ``js/`` and ``css/``, the course's media). ``<revision>`` is a number, or
``latest``: the head when the request comes, so a player loaded once fetches a changed page
afresh at the address it already knows. Only the file asked for is rendered; nothing is built,
and media are the course's stored files as they are (no renditions, no transcoding).

What is made from a revision is kept per process and timed in ``Server-Timing``, which the
benchmark reads (``authoring.revision_player``, which review links serve their revision with too).
Anyone who may see the course may preview it, like every other read.
"""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from authoring.access import course_for
from authoring.api_docs import MAX_ID, documented
from authoring.context import db, signed_in
from authoring.models import CourseRecord
from authoring.problems import ApiProblem
from authoring.revision_player import framed, launch_answer, package_file_answer, page_answer, player_file
from player.render import Tracking

blueprint = Blueprint("live_preview", __name__)
STANDARDS = {"scorm2004": "SCORM 2004", "scorm12": "SCORM 1.2"}
LATEST = "latest"
PLAYER_PREFIX = "/api/courses/<int:course_id>/player/<revision>/<standard>"
SIMULATOR_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'self'"
)


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


def _revision(course_id: int, revision: str) -> tuple[CourseRecord, int]:
    """The course, for a reader of it, and the number of the revision asked for."""
    record = course_for(db(), signed_in(), course_id)
    return record, _number(record, revision)


# --------------------------------------------------------------------------- the player's files
@blueprint.get(f"{PLAYER_PREFIX}/index.html")
@documented(
    "The player's launch page at a revision (or latest), as the SCO of a SCORM 1.2 or 2004 package; "
    "its ETag changes only when the course's outline, quizzes or settings do",
    answers="text/html",
)
def launch_page(course_id: int, revision: str, standard: str) -> BaseResponse:
    tracking = _standard(standard)
    return launch_answer(*_revision(course_id, revision), tracking)


@blueprint.get(f"{PLAYER_PREFIX}/pages/<page>.html")
@documented("One page of the player at a revision (or latest): the fragment the launch page shows", answers="text/html")
def page_fragment(course_id: int, revision: str, standard: str, page: str) -> BaseResponse:
    _standard(standard)
    return page_answer(*_revision(course_id, revision), page)


@blueprint.get(f"{PLAYER_PREFIX}/<path:name>")
@documented(
    "Any other file of the package at a revision (or latest): the player's scripts and styles, "
    "the course's media files as stored",
    answers="*/*",
)
def package_file(course_id: int, revision: str, standard: str, name: str) -> BaseResponse:
    _standard(standard)
    if name.split("/", 1)[0] in ("js", "css"):  # the same for every revision: only the reader is checked
        course_for(db(), signed_in(), course_id)
        return player_file(name)
    return package_file_answer(*_revision(course_id, revision), name)


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
    return framed(Response(html, mimetype="text/html"), SIMULATOR_POLICY)
