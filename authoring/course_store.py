"""Courses entering the editor's database, by import, creation or duplication, and the search
that indexes what was saved since it last looked. Free of Flask, so the first-run import of ``courseforge
serve`` and the web views share it."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from authoring.course_files import ImportedCourse, import_folder
from authoring.course_yaml import course_document, course_yaml
from authoring.models import CourseRecord, User
from authoring.revisions import Snapshot, first_revision, revision_snapshot
from authoring.search import STALE, course_text, index_course, index_if_unsaved, matching, terms
from courses.loader import COURSE_FILE
from courses.model import Course
from courses.scaffold import create_course
from storage import BlobStore

COPY_SUFFIX = " (copy)"


def add_course(session: Session, owner: User, imported: ImportedCourse, blobs: BlobStore, summary: str) -> CourseRecord:
    """A new course owned by ``owner`` at revision 1 (committed)."""
    record = CourseRecord(owner_id=owner.id, title=imported.course.title, head=0, search_text="")
    session.add(record)
    session.flush()
    first_revision(session, record, course_document(imported.course), imported.files, owner, summary)
    index_course(session, record, course_text(imported.course, imported.files, blobs))
    session.commit()
    return record


def search(session: Session, courses: Select[Any], query: str, blobs: BlobStore) -> Select[Any]:
    """``courses`` narrowed to those holding every word of ``query``, once those of them saved
    since they were last indexed are indexed (and committed)."""
    if not terms(query):
        return courses
    stale = session.execute(
        courses.with_only_columns(CourseRecord.id, CourseRecord.head, CourseRecord.title).where(
            CourseRecord.search_text == STALE
        )
    ).all()
    for course_id, head, title in stale:
        record = session.get_one(CourseRecord, course_id)
        snapshot = revision_snapshot(session, record, head)
        index_if_unsaved(session, course_id, head, title, course_text(snapshot.course(), snapshot.files, blobs))
    if stale:
        session.commit()
    return matching(courses, session, query)


def import_course_folder(session: Session, owner: User, folder: Path, blobs: BlobStore) -> CourseRecord:
    return add_course(session, owner, import_folder(folder, blobs), blobs, f"imported {folder.name}")


def new_course(session: Session, owner: User, title: str, blobs: BlobStore) -> CourseRecord:
    """The starter course of ``courseforge new``, titled ``title``."""
    with tempfile.TemporaryDirectory(prefix="courseforge-new-") as scratch:
        folder = create_course(Path(scratch) / "course", title)
        return add_course(session, owner, import_folder(folder, blobs), blobs, "created")


def duplicate(session: Session, owner: User, snapshot: Snapshot, blobs: BlobStore) -> CourseRecord:
    """A copy owned by ``owner``: the same files and element ids, and a new course id and
    title, so the two never collide in an LMS."""
    document = dict(snapshot.document)
    document["id"] = f"{str(document['id'])[:56]}-{secrets.token_hex(3)}"
    title = str(document["title"])
    document["title"] = title[: 200 - len(COPY_SUFFIX)] + COPY_SUFFIX
    course = Course.model_validate(document)
    files = dict(snapshot.files)
    files[COURSE_FILE] = blobs.put_blob(course_yaml(course, blobs.get_blob(snapshot.files[COURSE_FILE])))
    return add_course(session, owner, ImportedCourse(course, files), blobs, f"duplicated from {title}")
