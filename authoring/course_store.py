"""Courses entering the editor's database, by import, creation or duplication, and the search
text kept in step with each new revision. Free of Flask, so the first-run import of ``courseforge
serve`` and the web views share it."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from authoring.course_files import ImportedCourse, import_folder
from authoring.course_yaml import course_document, course_yaml
from authoring.models import CourseRecord, User
from authoring.revisions import Snapshot, first_revision
from authoring.search import course_text, index_course
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
    snapshot = first_revision(session, record, course_document(imported.course), imported.files, owner, summary)
    reindex(session, record, snapshot, blobs)
    session.commit()
    return record


def reindex(session: Session, record: CourseRecord, snapshot: Snapshot, blobs: BlobStore) -> None:
    course = snapshot.course()
    record.title = course.title
    index_course(session, record, course_text(course, snapshot.files, blobs))


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
