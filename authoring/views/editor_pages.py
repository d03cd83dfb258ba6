"""The editor's pages, rendered on the server: the course list with search, import and create,
and the course page where an author edits a course's outline, blocks and settings, saved
automatically through the JSON API (``static/editor.js`` and the scripts it shares its state with).

Every author-typed text reaches the page either escaped by Jinja or, for Markdown, rendered by the
player's own renderer and cleaned by nh3, exactly as learners will see it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from authoring.access import can_edit, can_manage, course_for, deleted_course_for, visible
from authoring.api_docs import query_number
from authoring.context import blobs, db, signed_in, signed_in_author
from authoring.course_store import duplicate, new_course, search
from authoring.edits import SETTINGS, block_markdown
from authoring.models import CourseRecord, utcnow
from authoring.problems import ApiProblem
from authoring.publishing import FORMATS, recent_builds
from authoring.revisions import State, head_snapshot
from authoring.search import STALE, unindex_course
from authoring.uploads import PPTX
from authoring.views.course_api import import_upload
from authoring.views.publish_api import build_json
from courses.model import Page
from player.markdown import render_markdown

blueprint = Blueprint("editor", __name__)
SETTINGS_FIELDS: tuple[tuple[str, str, str | dict[str, str]], ...] = (
    ("title", "Title", "text"),
    ("description", "Description", "textarea"),
    ("language", "Language (a BCP 47 tag such as en or nl-BE)", "text"),
    (
        "completion",
        "Completed when",
        {"all_pages_viewed": "every page was viewed", "quiz_passed": "the quizzes are passed", "both": "both"},
    ),
    ("passing_score", "Passing score (%)", "number"),
    ("navigation", "Navigation", {"free": "free: any page from the menu", "linear": "linear: page after page"}),
    ("voice.voice", "Voice of narration scripts (an espeak-ng voice such as en-gb; empty: the language)", "text"),
    ("voice.speed", "Speaking speed (words per minute, 80 to 450)", "speed"),
)
"""The course settings form: (setting, label, input type or the choices of a select). A setting
made of parts (the voice) has a field per part, ``setting.part``, saved together."""


@blueprint.get("/")
def home() -> Any:
    return redirect(url_for("editor.course_list"))


@blueprint.get("/courses")
def course_list(problem: ApiProblem | None = None, status: int = 200) -> Any:
    user = signed_in()
    query = request.args.get("q", "")
    found = search(db(), visible(user), query, blobs())
    courses = db().scalars(found.order_by(CourseRecord.updated_at.desc()).limit(200))
    deleted = None
    deleted_id = query_number(request.args, "deleted")
    if deleted_id is not None:
        deleted = db().scalar(
            select(CourseRecord).where(CourseRecord.id == deleted_id, CourseRecord.deleted_at.is_not(None))
        )
        if deleted is not None and not can_manage(user, deleted):
            deleted = None
    return (
        render_template(
            "courses.html",
            user=user,
            courses=list(courses),
            query=query,
            problem=problem,
            deleted=deleted,
            pptx_type=PPTX,
        ),
        status,
    )


@blueprint.post("/courses/new")
def create() -> Any:
    user = signed_in_author()
    title = request.form.get("title", "").strip()
    if not title:
        return course_list(ApiProblem(422, "title: give the new course a title", "title"), 422)
    record = new_course(db(), user, title[:200], blobs())
    return redirect(url_for("editor.course_page", course_id=record.id))


@blueprint.post("/courses/import")
def import_form() -> Any:
    return _import_form(deck=False)


@blueprint.post("/courses/import-deck")
def import_deck_form() -> Any:
    return _import_form(deck=True)


def _import_form(deck: bool) -> Any:
    user = signed_in_author()
    try:
        record = import_upload(user, deck=deck)
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return course_list(problem, problem.status)
    return redirect(url_for("editor.course_page", course_id=record.id))


@blueprint.get("/courses/<int:course_id>")
def course_page(course_id: int) -> Any:
    """The page an author works in: the outline, one page's blocks at a time and the settings,
    drawn by the editor scripts from ``data``. The server also draws the outline and one page
    read-only, for the first paint and without JavaScript: the first page, or the one named by
    ``?page=`` (the outline's links without JavaScript; the scripts keep the open page in the
    URL's hash, which is never sent here).

    ``data`` holds only what the scripts cannot get cheaply: the document, its file names and
    the Markdown of text blocks kept in files (inline Markdown is in the document already). Only
    the drawn page's previews are rendered (the scripts read them from that page); another
    page's are asked for when it is opened, so the page stays small however long the course."""
    user = signed_in()
    record = course_for(db(), user, course_id)
    head = head_snapshot(db(), record)
    course = head.course()
    pages = course.pages()
    opened = _opened_page(pages, request.args.get("page"), course_id)
    state = State(head.document, head.files, blobs())
    texts = {
        block.id: block_markdown(state, block.id) or ""
        for page in pages
        for block in page.blocks
        if block.type == "text" and block.markdown is None
    }
    previews = {
        block.id: render_markdown(block_markdown(state, block.id) or "")
        for block in (opened.blocks if opened else [])
        if block.type == "text"
    }
    editable = can_edit(db(), user, record)
    data = {
        "revision": head.number,
        "course": head.document,
        "files": sorted(head.files),
        "texts": texts,
        "page": opened.id if opened else None,
        "editable": editable,
    }
    return render_template(
        "course.html",
        user=user,
        record=record,
        course=course,
        opened=opened,
        previews=previews,
        data=data,
        revision=head.number,
        editable=editable,
        manageable=can_manage(user, record),
        settings=course.model_dump(mode="json", include=set(SETTINGS)),
        settings_fields=SETTINGS_FIELDS,
        formats=FORMATS,
        builds=[build_json(build) for build in recent_builds(db(), record)],
    )


def _opened_page(pages: list[Page], wanted: str | None, course_id: int) -> Page | None:
    """The page drawn on the server: ``wanted`` when given (a page that is gone is a 404 naming
    it, like any missing element), else the first page (None in a course without pages)."""
    if wanted is None:
        return pages[0] if pages else None
    found = next((page for page in pages if page.id == wanted), None)
    if found is None:
        raise ApiProblem(404, f"page: no page {wanted[:80]!r} in course {course_id}", "page")
    return found


@blueprint.post("/courses/<int:course_id>/delete")
def delete(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id)
    if not can_manage(user, record):
        raise ApiProblem(403, "only the course's owner can delete it")
    record.deleted_at = utcnow()
    unindex_course(db(), record)
    db().commit()
    return redirect(url_for("editor.course_list", deleted=record.id))


@blueprint.post("/courses/<int:course_id>/undelete")
def undelete(course_id: int) -> Any:
    record = deleted_course_for(db(), signed_in(), course_id)
    record.deleted_at = None
    record.search_text = STALE  # its search row went with the delete: the next search makes it again
    db().commit()
    return redirect(url_for("editor.course_page", course_id=record.id))


@blueprint.post("/courses/<int:course_id>/duplicate")
def duplicate_form(course_id: int) -> Any:
    user = signed_in_author()
    record = course_for(db(), user, course_id)
    copy = duplicate(db(), user, head_snapshot(db(), record), blobs())
    return redirect(url_for("editor.course_page", course_id=copy.id))
