"""``/api/courses``: list and search, create, import a zipped course folder, read, export,
duplicate, delete (and undo it), settings and sharing. Every call goes through
``authoring.access``, so what a page cannot show, no URL can reach either."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

from flask import Blueprint, Response, after_this_request, request, send_file, url_for
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select

from authoring.access import can_edit, can_manage, course_for, deleted_course_for, visible
from authoring.accounts import find_user
from authoring.api_docs import Number, QueryParameter, documented, query_number
from authoring.context import blobs, db, editor, signed_in, signed_in_author
from authoring.course_files import ImportRefused, export_zip, import_deck_file, import_zip
from authoring.course_store import add_course, duplicate, new_course, search
from authoring.edits import SETTINGS, set_setting
from authoring.models import CourseRecord, CourseShare, User, utcnow
from authoring.problems import ApiProblem, parse_body
from authoring.revisions import head_snapshot, load_revision, save, snapshot_of
from authoring.search import STALE, unindex_course
from authoring.uploads import received
from courses.model import Text, Voice
from courses.scaffold import ScaffoldError

blueprint = Blueprint("course_api", __name__, url_prefix="/api/courses")
LIST_LIMIT = 200
SEARCH = QueryParameter("q", "Words to search for in titles and text")
AT_REVISION = QueryParameter("revision", "The revision to export (default: the latest)", "integer")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewCourse(_Body):
    title: Text = Field(min_length=1, max_length=200)


class SettingsChange(_Body):
    base_revision: Number
    title: str | None = None
    description: str | None = None
    language: str | None = None
    version: str | None = None
    completion: Literal["all_pages_viewed", "quiz_passed", "both"] | None = None
    passing_score: int | None = None
    navigation: Literal["free", "linear"] | None = None
    voice: Voice | None = Field(None, description="How scripts are spoken: engine, voice (none: the language), speed.")


class NewShare(_Body):
    email: str = Field(min_length=3, max_length=254)
    can_edit: bool = True


def summary(record: CourseRecord, user: User) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "owner": record.owner.email,
        "head_revision": record.head,
        "updated_at": record.updated_at.isoformat() + "Z",
        "can_edit": can_edit(db(), user, record),
        "url": url_for("course_api.get_course", course_id=record.id),
    }


@blueprint.get("")
@documented(
    "List the courses you can see, newest first; ?q= searches their text",
    query=(QueryParameter("q", "Words to search for in titles and text"),),
)
def list_courses() -> Any:
    user = signed_in()
    query = request.args.get("q", "")
    statement = search(db(), visible(user), query, blobs()).order_by(CourseRecord.updated_at.desc()).limit(LIST_LIMIT)
    return {"query": query, "courses": [summary(record, user) for record in db().scalars(statement)]}


@blueprint.post("")
@documented("Create a course from the starter template", status=201, body=NewCourse, errors=(403,))
def create() -> Any:
    user = signed_in_author()
    body = parse_body(NewCourse, request.get_json(silent=True))
    try:
        record = new_course(db(), user, body.title, blobs())
    except ScaffoldError as error:
        raise ApiProblem(422, f"title: {error}", "title") from None
    except ImportRefused as error:  # a title the starter course.yaml cannot hold
        raise ApiProblem(422, f"title: {error.problems[0].message}", "title", error.problems) from None
    return summary(record, user), 201


@blueprint.post("/import")
@documented("Import a zipped course folder as a new course", status=201, upload="file", errors=(403,))
def import_course() -> Any:
    user = signed_in_author()
    record = import_upload(user)
    return summary(record, user), 201


@blueprint.post("/import-deck")
@documented("Import a PowerPoint deck as a new course", status=201, upload="file", errors=(403,))
def import_deck_course() -> Any:
    user = signed_in_author()
    record = import_upload(user, deck=True)
    return summary(record, user), 201


def import_upload(user: User, deck: bool = False) -> CourseRecord:
    """The uploaded zip (or, with ``deck``, PowerPoint deck) as a new course; refused whole
    (nothing stored) when anything is wrong."""
    state = editor()
    name = request.files["file"].filename if "file" in request.files else None
    what = "PowerPoint deck" if deck else "course zip"
    with received(request, state.settings.max_upload_bytes, state.scratch) as upload:
        try:
            if deck:
                imported = import_deck_file(upload, name, blobs(), state.scratch)
            else:
                imported = import_zip(upload, blobs(), state.scratch)
        except ImportRefused as error:
            first = error.problems[0]
            raise ApiProblem(
                422, f"the {what} was refused, nothing was stored: {first}", "file", error.problems
            ) from None
    return add_course(db(), user, imported, blobs(), f"imported {name or 'upload'}")


@blueprint.get("/<int:course_id>")
@documented("A course at its latest revision: its document and file list")
def get_course(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id)
    head = head_snapshot(db(), record)
    return {**summary(record, user), "course": head.document, "files": sorted(head.files)}


@blueprint.get("/<int:course_id>/export")
@documented(
    "The course folder as a zip",
    answers="application/zip",
    query=(QueryParameter("revision", "The revision to export (default: the latest)", "integer"),),
)
def export(course_id: int) -> Any:
    """The course folder as a zip, at the latest revision or at ``?revision=N``."""
    record = course_for(db(), signed_in(), course_id)
    number = query_number(request.args, "revision") or record.head
    snapshot = snapshot_of(load_revision(db(), record, number))
    course_id_text = str(snapshot.document["id"])
    out = Path(tempfile.mkstemp(dir=editor().scratch, prefix="export-", suffix=".zip")[1])

    @after_this_request
    def _remove(response: Response) -> Response:
        out.unlink(missing_ok=True)
        return response

    export_zip(snapshot.files, blobs(), course_id_text, out)
    return send_file(
        out.open("rb"), mimetype="application/zip", as_attachment=True, download_name=f"{course_id_text}.zip"
    )


@blueprint.delete("/<int:course_id>")
@documented("Delete a course (the owner; undo with undelete)", errors=(403,))
def delete_course(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id)
    if not can_manage(user, record):
        raise ApiProblem(403, f"only the owner of course {course_id} can delete it", "course")
    record.deleted_at = utcnow()
    unindex_course(db(), record)
    db().commit()
    return {
        "id": record.id,
        "deleted": True,
        "undo": url_for("course_api.undelete", course_id=record.id),
        "detail": f"{record.title} was deleted; POST to the undo URL to bring it back",
    }


@blueprint.post("/<int:course_id>/undelete")
@documented("Bring back a deleted course")
def undelete(course_id: int) -> Any:
    user = signed_in()
    record = deleted_course_for(db(), user, course_id)
    record.deleted_at = None
    record.search_text = STALE  # its search row went with the delete: the next search makes it again
    db().commit()
    return summary(record, user)


@blueprint.post("/<int:course_id>/duplicate")
@documented("Copy a course: same files and element ids, a new course id", status=201, errors=(403,))
def duplicate_course(course_id: int) -> Any:
    user = signed_in_author()
    record = course_for(db(), user, course_id)
    copy = duplicate(db(), user, head_snapshot(db(), record), blobs())
    return summary(copy, user), 201


@blueprint.patch("/<int:course_id>/settings")
@documented("Change course settings, merged onto the latest revision", access="write", body=SettingsChange)
def change_settings(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(SettingsChange, request.get_json(silent=True))
    changes = body.model_dump(exclude_unset=True, exclude={"base_revision"})
    if not changes:
        raise ApiProblem(422, f"send at least one setting to change: {', '.join(SETTINGS)}", "settings")
    edits = [set_setting(name, value) for name, value in changes.items()]
    saved = save(
        db(),
        record,
        body.base_revision,
        edits,
        user,
        "settings: " + ", ".join(changes),
        blobs(),
    )
    return {"revision": saved.snapshot.number, "merged": saved.merged, "saved": saved.created}


@blueprint.get("/<int:course_id>/shares")
@documented("Who a course is shared with")
def list_shares(course_id: int) -> Any:
    record = course_for(db(), signed_in(), course_id)
    shares = db().execute(
        select(User.email, CourseShare.can_edit, User.role)
        .join(CourseShare, CourseShare.user_id == User.id)
        .where(CourseShare.course_id == record.id)
        .order_by(User.email)
    )
    return {
        "shares": [
            {"email": email, "can_edit": can and role != "reviewer", "role": role} for email, can, role in shares
        ]
    }


@blueprint.post("/<int:course_id>/shares")
@documented("Share a course with another account", status=201, body=NewShare, errors=(403,))
def share(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id)
    if not can_manage(user, record):
        raise ApiProblem(403, f"only the owner of course {course_id} can share it", "course")
    body = parse_body(NewShare, request.get_json(silent=True))
    other = find_user(db(), body.email)
    if other is None:
        raise ApiProblem(422, f"email: no account for {body.email}", "email")
    existing = db().get(CourseShare, (record.id, other.id))
    if existing is None:
        db().add(CourseShare(course_id=record.id, user_id=other.id, can_edit=body.can_edit))
    else:
        existing.can_edit = body.can_edit
    db().commit()
    return {"email": other.email, "can_edit": body.can_edit and other.can_author}, 201


@blueprint.delete("/<int:course_id>/shares/<path:email>")
@documented("Stop sharing a course with an account", errors=(403,))
def unshare(course_id: int, email: str) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id)
    if not can_manage(user, record):
        raise ApiProblem(403, f"only the owner of course {course_id} can change who it is shared with", "course")
    other = find_user(db(), email)
    if other is not None:
        db().execute(delete(CourseShare).where(CourseShare.course_id == record.id, CourseShare.user_id == other.id))
        db().commit()
    return {"email": email, "shared": False}
