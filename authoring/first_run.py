"""The first start of an empty editor: one admin account, its password shown once, and
optionally a course imported for it, so ``make run`` opens on something to edit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authoring.accounts import FIRST_ADMIN, add_user, has_users
from authoring.course_store import import_course_folder
from authoring.credentials import new_password
from authoring.models import CourseRecord, Role
from storage import BlobStore


@dataclass(frozen=True)
class FirstRun:
    email: str
    password: str
    course_title: str | None


def first_run(session: Session, blobs: BlobStore, course_folder: Path | None) -> FirstRun | None:
    """On a database without accounts: the admin (and the course in ``course_folder``, when
    given and the database holds no course yet). None when the editor was set up before."""
    if has_users(session):
        return None
    password = new_password()
    admin = add_user(session, FIRST_ADMIN, Role.ADMIN.value, password)
    session.commit()
    title = None
    if course_folder is not None and not session.scalar(select(func.count()).select_from(CourseRecord)):
        title = import_course_folder(session, admin, course_folder, blobs).title
    return FirstRun(admin.email, password, title)
