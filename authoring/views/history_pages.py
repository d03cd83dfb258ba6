"""The course history page: every revision of a course, newest first, rendered on the server so
the list reads and pages without JavaScript; ``static/history.js`` adds each revision's changes
(the revision API's diff) and restoring an old revision.

Pages are cut by revision number (``?before=N`` shows the revisions older than N), not by
offset: revisions are never changed once written, so an older page stays the same page while
authors keep saving.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

from authoring.access import can_edit, course_for
from authoring.api_docs import query_number
from authoring.context import db, signed_in
from authoring.models import CourseRecord, Revision

blueprint = Blueprint("history", __name__)
PAGE_SIZE = 50


@dataclass(frozen=True)
class RevisionRow:
    """What the page shows of one revision."""

    number: int
    created_at: str  # ISO 8601, UTC, with its "Z"
    author: str | None
    summary: str
    based_on: int | None
    merged: bool  # saved from an older revision than the one before it, and merged onto it

    @property
    def shown_date(self) -> str:
        return self.created_at[:16].replace("T", " ")


def revision_row(revision: Revision) -> RevisionRow:
    return RevisionRow(
        number=revision.number,
        created_at=revision.created_at.isoformat(timespec="seconds") + "Z",
        author=revision.author.email if revision.author else None,
        summary=revision.summary,
        based_on=revision.based_on,
        merged=revision.based_on is not None and revision.based_on < revision.number - 1,
    )


def history_page_rows(record: CourseRecord, before: int | None) -> tuple[list[RevisionRow], bool]:
    """Up to PAGE_SIZE revisions older than ``before`` (all when None), newest first, and
    whether there are older ones still. Only the listed columns are read: a revision's document
    and file map can be large, and the list never shows them."""
    statement = (
        select(Revision)
        .where(Revision.course_id == record.id)
        .options(
            load_only(Revision.number, Revision.based_on, Revision.summary, Revision.created_at, Revision.author_id),
            selectinload(Revision.author),
        )
    )
    if before is not None:
        statement = statement.where(Revision.number < before)
    found = list(db().scalars(statement.order_by(Revision.number.desc()).limit(PAGE_SIZE + 1)))
    return [revision_row(r) for r in found[:PAGE_SIZE]], len(found) > PAGE_SIZE


@blueprint.get("/courses/<int:course_id>/history")
def history_page(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id)
    before = query_number(request.args, "before")
    rows, older = history_page_rows(record, before)
    return render_template(
        "history.html",
        user=user,
        record=record,
        rows=rows,
        head=record.head,
        first_page=before is None,
        older_url=_page_url(record, rows[-1].number) if older else None,
        newer_url=_newer_url(record, before),
        editable=can_edit(db(), user, record),
    )


def _page_url(record: CourseRecord, before: int | None) -> str:
    return url_for("history.history_page", course_id=record.id, before=before)


def _newer_url(record: CourseRecord, before: int | None) -> str | None:
    """The page of the PAGE_SIZE revisions after this one's, or the first page when those
    reach the latest; None on the first page."""
    if before is None or before > record.head:
        return None
    newer = before + PAGE_SIZE
    return _page_url(record, None if newer > record.head else newer)
