"""Saving a course without ever losing work: every save names the revision it was based on,
and is merged element by element into whatever was saved since.

An edit touches one element (a block's Markdown, a block, a page or section title, a course
setting). If that element is unchanged between the author's base revision and the latest one,
the edit is applied to the latest (two authors editing different blocks of one page both keep
their work); if someone else changed it meanwhile, the save is refused with both versions, so
the author decides and nothing is silently overwritten.

A revision is the whole course: one validated ``Course`` document and its path -> SHA-256 file
map, so every revision can be exported, built or restored on its own.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from authoring.course_yaml import course_yaml
from authoring.models import CourseRecord, Revision, User, utcnow
from authoring.problems import ApiProblem
from courses.errors import Problem, field_path
from courses.loader import COURSE_FILE
from courses.model import Course
from storage import BlobStore

SAVE_ATTEMPTS = 5  # a save that loses a race to another save is merged again onto the new head
MARKDOWN_MAX_BYTES = 1 << 20
LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


@dataclass(frozen=True)
class Snapshot:
    """A course's state at one revision."""

    number: int
    document: dict[str, Any]
    files: dict[str, str]

    def course(self) -> Course:
        return Course.model_validate(self.document)


@dataclass
class State:
    """The course as an edit changes it: its document and file map (copies, never the snapshot's)."""

    document: dict[str, Any]
    files: dict[str, str]
    blobs: BlobStore


@dataclass(frozen=True)
class Edit:
    """One change to one element. ``current`` reads the element's value in a state (None when
    it is not there); ``apply`` changes the state; ``wanted`` is the value the author sent."""

    element: str  # "block t-welcome", for messages and the conflict body
    current: Callable[[State], Any]
    apply: Callable[[State], None]
    wanted: Any
    field: str = ""


@dataclass(frozen=True)
class Conflict:
    element: str
    field: str
    yours: Any
    theirs: Any

    def body(self) -> dict[str, Any]:
        return {"element": self.element, "field": self.field, "yours": self.yours, "theirs": self.theirs}


@dataclass
class Saved:
    snapshot: Snapshot
    created: bool  # False when the edits changed nothing (no new revision)
    merged: bool = False  # True when applied onto revisions saved after the base
    notes: list[str] = field(default_factory=list)


def snapshot_of(revision: Revision) -> Snapshot:
    return Snapshot(revision.number, json.loads(revision.document), json.loads(revision.files))


def load_revision(session: Session, course: CourseRecord, number: int) -> Revision:
    found = session.scalar(select(Revision).where(Revision.course_id == course.id, Revision.number == number))
    if found is None:
        raise ApiProblem(404, f"course {course.id} has no revision {number}", "revision")
    return found


def head_snapshot(session: Session, course: CourseRecord) -> Snapshot:
    return snapshot_of(load_revision(session, course, course.head))


def validated(document: dict[str, Any]) -> Course:
    """The document as a Course, or a 422 naming every field that is wrong."""
    try:
        return Course.model_validate(document)
    except ValidationError as error:
        problems = [
            Problem(COURSE_FILE, None, field_path(list(detail["loc"])), detail["msg"])
            for detail in error.errors(include_url=False)
        ]
        first = problems[0]
        raise ApiProblem(
            422, f"the course would not be valid: {first.field}: {first.message}", first.field, problems
        ) from None


def first_revision(
    session: Session, course: CourseRecord, document: dict[str, Any], files: dict[str, str], author: User, summary: str
) -> Snapshot:
    """Revision 1 of a new course (imported, created or duplicated)."""
    session.add(
        Revision(
            course_id=course.id,
            number=1,
            based_on=None,
            author_id=author.id,
            summary=summary,
            document=json.dumps(document, ensure_ascii=False),
            files=json.dumps(files, sort_keys=True),
        )
    )
    course.head = 1
    return Snapshot(1, document, files)


def save(
    session: Session,
    course: CourseRecord,
    base: int,
    edits: Sequence[Edit],
    author: User,
    summary: str,
    blobs: BlobStore,
    on_saved: Callable[[Snapshot], None] | None = None,
) -> Saved:
    """Apply ``edits`` made on revision ``base`` to the latest revision and store the result as
    a new revision (committed). Raises 409 with both versions when an edited element was changed
    by someone else since ``base``; 422 when the result would not be a valid course."""
    for _ in range(SAVE_ATTEMPTS):
        session.refresh(course)
        if base < 1 or base > course.head:
            raise ApiProblem(
                422,
                f"base_revision: revision {base} does not exist; the latest is {course.head}",
                "base_revision",
                head_revision=course.head,
            )
        head = head_snapshot(session, course)
        base_snapshot = head if base == head.number else snapshot_of(load_revision(session, course, base))
        conflicts = _conflicts(base_snapshot, head, edits, blobs)
        if conflicts:
            raise ApiProblem(
                409,
                f"{conflicts[0].element} was changed by someone else since revision {base} (the latest is "
                f"{head.number}); nothing was overwritten: keep one version, or merge them, and save again",
                conflicts[0].field,
                conflicts=[c.body() for c in conflicts],
                head_revision=head.number,
            )
        state = State(json.loads(json.dumps(head.document)), dict(head.files), blobs)
        for edit in edits:
            edit.apply(state)
        new_course = validated(state.document)
        if state.document != head.document:
            state.files[COURSE_FILE] = _course_file(session, course, head, state.document, new_course, blobs)
        if state.document == head.document and state.files == head.files:
            return Saved(head, created=False)
        snapshot = Snapshot(head.number + 1, state.document, state.files)
        moved = session.execute(
            update(CourseRecord)
            .where(CourseRecord.id == course.id, CourseRecord.head == head.number)
            .values(head=snapshot.number, title=new_course.title, updated_at=utcnow())
        )
        if getattr(moved, "rowcount", 0) != 1:  # another save got there first: merge again
            session.rollback()
            continue
        session.add(_revision_row(course, snapshot, base, author, summary))
        if on_saved is not None:
            on_saved(snapshot)
        session.commit()
        return Saved(snapshot, created=True, merged=base != head.number)
    raise ApiProblem(503, "the course is being saved by others right now; try again", "base_revision")


def _course_file(
    session: Session, course: CourseRecord, head: Snapshot, document: dict[str, Any], new: Course, blobs: BlobStore
) -> str:
    """The blob of course.yaml for a save that changes the document. The head's file with only
    what changed rewritten, so a course kept in git shows the author's change as its diff and
    keeps its comments; but when the save gives back the course of the revision before (an
    undo of the last change), that revision's file, so the undo restores it byte for byte."""
    if head.number > 1:
        before = snapshot_of(load_revision(session, course, head.number - 1))
        if before.document == document and COURSE_FILE in before.files:
            return before.files[COURSE_FILE]
    previous = head.files.get(COURSE_FILE)
    return blobs.put_blob(course_yaml(new, None if previous is None else blobs.get_blob(previous)))


def _conflicts(base: Snapshot, head: Snapshot, edits: Sequence[Edit], blobs: BlobStore) -> list[Conflict]:
    if base.number == head.number:
        return []
    found: list[Conflict] = []
    base_state = State(base.document, base.files, blobs)
    head_state = State(head.document, head.files, blobs)
    for edit in edits:
        before, now = edit.current(base_state), edit.current(head_state)
        if before != now and now != edit.wanted:
            found.append(Conflict(edit.element, edit.field, edit.wanted, now))
    return found


def restore(
    session: Session, course: CourseRecord, number: int, base: int, author: User, on_saved: Callable[[Snapshot], None]
) -> Snapshot:
    """A new revision holding revision ``number``'s course exactly; refused (409) when the course
    changed since ``base``, so a restore never discards work its author has not seen."""
    session.refresh(course)
    old = snapshot_of(load_revision(session, course, number))
    if base != course.head:
        raise ApiProblem(
            409,
            f"the course changed since revision {base} (the latest is {course.head}); look at the latest "
            "revision before restoring an older one",
            "base_revision",
            head_revision=course.head,
        )
    return _append(
        session, course, replace(old, number=course.head + 1), base, author, f"restored revision {number}", on_saved
    )


def replace_course(
    session: Session,
    course: CourseRecord,
    document: dict[str, Any],
    files: dict[str, str],
    base: int | None,
    author: User,
    summary: str,
    on_saved: Callable[[Snapshot], None],
) -> Saved:
    """A new revision holding a whole course sent from outside (``courseforge push``): refused
    (409) when the course changed since ``base``, unless ``base`` is None (forced); nothing is
    stored when the files are those of the latest revision."""
    session.refresh(course)
    head = head_snapshot(session, course)
    if base is not None and base != head.number:
        raise ApiProblem(
            409,
            f"the course changed on the server since revision {base} (the latest is {head.number}); pull it "
            "first, or push with --force to replace it",
            "base_revision",
            head_revision=head.number,
        )
    if files == head.files:
        return Saved(head, created=False)
    snapshot = Snapshot(head.number + 1, document, files)
    return Saved(_append(session, course, snapshot, head.number, author, summary, on_saved), created=True)


def _append(
    session: Session,
    course: CourseRecord,
    snapshot: Snapshot,
    base: int,
    author: User,
    summary: str,
    on_saved: Callable[[Snapshot], None],
) -> Snapshot:
    """Store ``snapshot`` as the revision after ``base``, if ``base`` is still the latest."""
    moved = session.execute(
        update(CourseRecord)
        .where(CourseRecord.id == course.id, CourseRecord.head == base)
        .values(head=snapshot.number, title=snapshot.document.get("title", course.title), updated_at=utcnow())
    )
    if getattr(moved, "rowcount", 0) != 1:
        session.rollback()
        raise ApiProblem(409, "the course was saved by someone else just now; look again", "base_revision")
    session.add(_revision_row(course, snapshot, base, author, summary))
    on_saved(snapshot)
    session.commit()
    return snapshot


def _revision_row(course: CourseRecord, snapshot: Snapshot, base: int, author: User, summary: str) -> Revision:
    """The stored row of ``snapshot``, the revision after ``base``."""
    return Revision(
        course_id=course.id,
        number=snapshot.number,
        based_on=base,
        author_id=author.id,
        summary=summary[:500],
        document=json.dumps(snapshot.document, ensure_ascii=False),
        files=json.dumps(snapshot.files, sort_keys=True),
    )


def diff(old: Snapshot, new: Snapshot, blobs: BlobStore) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: files added, removed and changed, with a unified
    diff of each changed text file (course.yaml, Markdown, captions)."""
    added = sorted(set(new.files) - set(old.files))
    removed = sorted(set(old.files) - set(new.files))
    changed = sorted(p for p in set(old.files) & set(new.files) if old.files[p] != new.files[p])
    texts: dict[str, str] = {}
    for path in changed + added + removed:
        before = _text(blobs, old.files.get(path))
        after = _text(blobs, new.files.get(path))
        if before is None or after is None:
            continue
        texts[path] = "".join(
            _ended(line)
            for line in difflib.unified_diff(
                _lines(before), _lines(after), f"{path} (revision {old.number})", f"{path} (revision {new.number})"
            )
        )
    return {
        "from": old.number,
        "to": new.number,
        "added": added,
        "removed": removed,
        "changed": changed,
        "diffs": texts,
    }


def _lines(text: str) -> list[str]:
    """The text's lines, each with its line break (the last may have none). Only a line feed ends
    a line, as in the file: ``str.splitlines`` would also break at form feeds and U+2028."""
    return LINE.findall(text)


def _ended(line: str) -> str:
    """A diff line that ends the file without a line break, followed by unified diff's note (a
    line break of its own, so the next line of the diff is not joined to it)."""
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


def _text(blobs: BlobStore, sha: str | None) -> str | None:
    if sha is None:
        return ""
    data = blobs.get_blob(sha)
    if len(data) > MARKDOWN_MAX_BYTES:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
