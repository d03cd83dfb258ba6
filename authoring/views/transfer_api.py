"""The API behind ``courseforge push`` and ``pull``: find the courses that hold a course id
(the ``id`` of course.yaml), and send a whole course folder as a new revision of one.

A pushed folder names the revision it was pulled or last pushed at; if the course changed on the
server since, the push is refused (409) unless forced, so a push never drops an edit made in the
editor that its author has not seen.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_

from authoring.access import course_for, visible
from authoring.api_docs import Number, documented
from authoring.context import blobs, db, editor, signed_in
from authoring.course_files import ImportRefused, import_zip
from authoring.course_yaml import course_document
from authoring.models import CourseRecord, Revision
from authoring.problems import ApiProblem, parse_body
from authoring.revisions import head_snapshot, replace_course
from authoring.uploads import received
from authoring.views.course_api import summary

blueprint = Blueprint("transfer_api", __name__, url_prefix="/api/courses")
MATCH_LIMIT = 50


class PushedRevision(BaseModel):
    """The form fields sent with a pushed course zip."""

    model_config = ConfigDict(extra="forbid")
    base_revision: Number | None = None
    force: bool = False


@blueprint.get("/with-id/<course_key>")
@documented("The courses you can see whose course.yaml id is course_key, most recently changed first")
def with_course_id(course_key: str) -> Any:
    user = signed_in()
    needle = json.dumps(course_key, ensure_ascii=False)
    statement = (
        visible(user)
        .add_columns(Revision.document)
        .join(Revision, and_(Revision.course_id == CourseRecord.id, Revision.number == CourseRecord.head))
        .where(Revision.document.contains(f'"id": {needle}', autoescape=True))
        .order_by(CourseRecord.updated_at.desc())
        .limit(MATCH_LIMIT)
    )
    found = [record for record, document in db().execute(statement) if json.loads(document).get("id") == course_key]
    return {"course_id": course_key, "courses": [summary(record, user) for record in found]}


@blueprint.post("/<int:course_id>/revisions/import")
@documented(
    "Send a zipped course folder as the next revision of a course",
    access="write",
    upload="file",
    form=PushedRevision,
)
def import_revision(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    fields = parse_body(PushedRevision, request.form.to_dict())
    if fields.base_revision is None and not fields.force:
        raise ApiProblem(422, "base_revision: say which revision the folder was based on, or force", "base_revision")
    state = editor()
    with received(request, state.settings.max_upload_bytes, state.scratch) as upload:
        try:
            imported = import_zip(upload, blobs(), state.scratch)
        except ImportRefused as error:
            raise ApiProblem(
                422, f"the course zip was refused, nothing was stored: {error.problems[0]}", "file", error.problems
            ) from None
    before = head_snapshot(db(), record)
    if imported.course.id != before.document.get("id"):
        raise ApiProblem(
            422,
            f"id: the folder is course {imported.course.id!r}; course {course_id} is {before.document.get('id')!r}",
            "id",
        )
    saved = replace_course(
        db(),
        record,
        course_document(imported.course),
        imported.files,
        None if fields.force else fields.base_revision,
        user,
        "pushed" + (" (forced)" if fields.force else ""),
    )
    after = saved.snapshot.files
    return {
        "id": record.id,
        "revision": saved.snapshot.number,
        "from": before.number,
        "saved": saved.created,
        "added": sorted(set(after) - set(before.files)),
        "removed": sorted(set(before.files) - set(after)),
        "changed": sorted(p for p in set(after) & set(before.files) if after[p] != before.files[p]),
    }
