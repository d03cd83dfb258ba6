"""``/api/courses/<id>/revisions``: a course's history, what changed between two revisions,
and restoring an old one (as a new revision: history only grows)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from authoring.access import course_for
from authoring.api_docs import Number, QueryParameter, documented, query_number
from authoring.context import blobs, db, signed_in
from authoring.models import Revision
from authoring.problems import parse_body
from authoring.revisions import diff, load_revision, restore, snapshot_of

blueprint = Blueprint("revision_api", __name__, url_prefix="/api/courses/<int:course_id>/revisions")
HISTORY_LIMIT = 500
AGAINST = QueryParameter("against", "The revision to compare with (default: the one before)", "integer")


class Restore(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_revision: Number


@blueprint.get("")
@documented("A course's revisions, newest first")
def history(course_id: int) -> Any:
    record = course_for(db(), signed_in(), course_id)
    revisions = db().scalars(
        select(Revision).where(Revision.course_id == record.id).order_by(Revision.number.desc()).limit(HISTORY_LIMIT)
    )
    return {
        "head_revision": record.head,
        "revisions": [
            {
                "number": r.number,
                "based_on": r.based_on,
                "author": r.author.email if r.author else None,
                "summary": r.summary,
                "created_at": r.created_at.isoformat() + "Z",
            }
            for r in revisions
        ],
    }


@blueprint.get("/<int:number>")
@documented("One revision: its document and file map")
def get_revision(course_id: int, number: int) -> Any:
    record = course_for(db(), signed_in(), course_id)
    snapshot = snapshot_of(load_revision(db(), record, number))
    return {"number": snapshot.number, "course": snapshot.document, "files": snapshot.files}


@blueprint.get("/<int:number>/diff")
@documented(
    "What a revision changed",
    query=(QueryParameter("against", "The revision to compare with (default: the one before)", "integer"),),
)
def revision_diff(course_id: int, number: int) -> Any:
    """What revision ``number`` changed from ``?against=M`` (default: the one before it)."""
    record = course_for(db(), signed_in(), course_id)
    against = query_number(request.args, "against") or max(1, number - 1)
    old = snapshot_of(load_revision(db(), record, against))
    new = snapshot_of(load_revision(db(), record, number))
    return diff(old, new, blobs())


@blueprint.post("/<int:number>/restore")
@documented("Restore an old revision as a new one", access="write", body=Restore)
def restore_revision(course_id: int, number: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(Restore, request.get_json(silent=True))
    snapshot = restore(db(), record, number, body.base_revision, user)
    return {"revision": snapshot.number, "restored": number}
