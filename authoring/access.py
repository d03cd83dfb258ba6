"""Who may see and change which course, decided in one place for every page and API call.

Admins see every course. Authors see the courses they own and those shared with them, and change
them unless the share is read-only. Reviewers see only what is shared with them and change
nothing. A course someone may not see answers 404, exactly like one that does not exist, so
course numbers reveal nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from authoring.models import CourseRecord, CourseShare, User
from authoring.problems import ApiProblem


def visible(user: User, statement: Select[Any] | None = None) -> Select[Any]:
    """Courses ``user`` may see, not deleted."""
    statement = select(CourseRecord) if statement is None else statement
    statement = statement.where(CourseRecord.deleted_at.is_(None))
    if user.is_admin:
        return statement
    shared = select(CourseShare.course_id).where(CourseShare.user_id == user.id)
    if user.can_author:
        return statement.where(or_(CourseRecord.owner_id == user.id, CourseRecord.id.in_(shared)))
    return statement.where(CourseRecord.id.in_(shared))


def can_edit(session: Session, user: User, course: CourseRecord) -> bool:
    if user.is_admin:
        return True
    if not user.can_author:
        return False
    if course.owner_id == user.id:
        return True
    share = session.get(CourseShare, (course.id, user.id))
    return share is not None and share.can_edit


def can_manage(user: User, course: CourseRecord) -> bool:
    """Delete, restore after delete and share: the owner's (or an admin's) decisions."""
    return user.is_admin or course.owner_id == user.id


COURSE_AND_SHARE = (
    select(CourseRecord, CourseShare.can_edit)
    .outerjoin(CourseShare, and_(CourseShare.course_id == CourseRecord.id, CourseShare.user_id == bindparam("user")))
    .where(CourseRecord.id == bindparam("course"))
)
"""A course's row and whether the user's share of it (if any) lets them change it: one read."""


def course_for(session: Session, user: User, course_id: int, *, write: bool = False) -> CourseRecord:
    """The course ``course_id`` if ``user`` may see it (and change it, with ``write``): the rules
    of ``visible`` and ``can_edit``, decided from the course's row and the user's share, read
    together in one statement by primary key (every save asks this first)."""
    found = session.execute(COURSE_AND_SHARE, {"course": course_id, "user": user.id}).one_or_none()
    course, share_edits = (None, None) if found is None else found
    if course is None or course.deleted_at is not None:
        raise ApiProblem(404, f"course {course_id} not found", "course")
    owns = user.is_admin or (user.can_author and course.owner_id == user.id)
    if not owns and share_edits is None:
        raise ApiProblem(404, f"course {course_id} not found", "course")
    if write and not (owns or (user.can_author and share_edits)):
        raise ApiProblem(403, f"course {course_id} is shared with you to read; you cannot change it", "course")
    return course


def deleted_course_for(session: Session, user: User, course_id: int) -> CourseRecord:
    """A deleted course its owner (or an admin) may bring back."""
    course = session.get(CourseRecord, course_id)
    if course is None or course.deleted_at is None or not can_manage(user, course):
        raise ApiProblem(404, f"deleted course {course_id} not found", "course")
    return course
