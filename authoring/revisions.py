"""Saving a course without ever losing work: every save names the revision it was based on,
and is merged element by element into whatever was saved since.

An edit touches one element (a block's Markdown, a block, a page or section title, a course
setting). If that element is unchanged between the author's base revision and the latest one,
the edit is applied to the latest (two authors editing different blocks of one page both keep
their work); if someone else changed it meanwhile, the save is refused with both versions, so
the author decides and nothing is silently overwritten.

A revision is the whole course: one validated ``Course`` document and its path -> SHA-256 file
map, so every revision can be exported, built or restored on its own.

Saves to one course take its lock first (``authoring.database.write_transaction``, then the
course row: by the ``UPDATE`` that moves its head when the save was worked out on the head as
read, else by a ``FOR UPDATE`` read), so they wait for each other and each merges once onto the
head it locked; a 503 only means the lock was not free in time. The course row keeps its head's
file map and document hash, so a text save (one file given a new blob, the save typing makes)
is judged and stored on that row whatever was saved since the author's revision, without the
head being read or merged: on PostgreSQL one statement committed in the same round trip, so
the lock lasts that statement. A revision never changes once written, so each process keeps the
ones it read or wrote (``RevisionCache``) and a save rarely reads more than the course's head
number. A text block's Markdown goes into the database with its revision when the blob store
keeps small texts there (``authoring.text_blobs``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, cast

import psycopg
from pydantic import ValidationError
from sqlalchemy import (
    Connection,
    Engine,
    LargeBinary,
    String,
    Table,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from authoring import database
from authoring.course_yaml import course_yaml
from authoring.models import CourseRecord, Revision, User, utcnow
from authoring.problems import ApiProblem
from authoring.search import STALE
from authoring.text_blobs import TEXT_BLOBS, remember, store_texts
from courses.errors import Problem, field_path
from courses.loader import COURSE_FILE
from courses.model import Course
from storage import BlobStore

MARKDOWN_MAX_BYTES = 1 << 20
LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
CACHED_REVISION_CHARS = 32_000_000  # revision rows kept per database and process, at most (their JSON)
LOCK_TIMED_OUT = ("database is locked", "lock timeout")  # SQLite's message, PostgreSQL's (55P03)
COURSES = cast(Table, CourseRecord.__table__)  # a save's statements are Core ones: no unit of work
REVISIONS = cast(Table, Revision.__table__)
HEAD_COLUMNS = ("head", "head_files", "head_document_sha256", "title", "updated_at", "search_text")
NEW_HEAD = (
    update(COURSES)
    .where(COURSES.c.id == bindparam("course"), COURSES.c.head == bindparam("head_was"))
    .values({name: bindparam(f"new_{name}") for name in HEAD_COLUMNS})
)
NEW_REVISION = insert(REVISIONS)
REVISION_COLUMNS = ("course_id", "number", "based_on", "author_id", "summary", "document", "files", "created_at")


def _new_head_in_one_statement() -> Any:
    """PostgreSQL's whole save as one statement (data-modifying CTEs): the course row moved to
    the new head (which takes its lock), the revision row and the database-held blobs inserted
    only if it moved; gives the rows moved (0 or 1). One round trip under the lock instead of
    three; the commit is the other."""
    moved = NEW_HEAD.returning(COURSES.c.id).cte("moved")
    revision = _revision_from(moved, {"course_id": moved.c.id})
    return select(func.count()).select_from(moved).add_cte(revision).add_cte(_held_texts(moved))


def _revision_from(moved: Any, taken: Mapping[str, Any]) -> Any:
    """The CTE inserting the revision row only if ``moved`` gave the course row: each column
    ``taken`` from ``moved``, the others from the parameters ``revision_<column>`` (named apart
    from the columns: a parameter named as one would be set by the UPDATE too)."""
    values = (
        taken[name] if name in taken else bindparam(f"revision_{name}", type_=REVISIONS.c[name].type)
        for name in REVISION_COLUMNS
    )
    return insert(REVISIONS).from_select(REVISION_COLUMNS, select(*values).select_from(moved)).cte("revision")


def _held_texts(moved: Any) -> Any:
    """The CTE inserting the database-held blobs a save names (``shas``, ``datas``), only if
    ``moved`` gave the course row."""
    texts = (
        func.unnest(
            bindparam("shas", type_=postgresql.ARRAY(String)), bindparam("datas", type_=postgresql.ARRAY(LargeBinary))
        )
        .table_valued("sha256", "data")
        .render_derived(name="texts")
    )
    held = postgresql.insert(TEXT_BLOBS).from_select(
        ["sha256", "data"], select(texts.c.sha256, texts.c.data).select_from(moved).join(texts, true())
    )
    return held.on_conflict_do_nothing(index_elements=[TEXT_BLOBS.c.sha256]).cte("held")


def _file_moved_head(position: Any) -> Any:
    """A text save's change to the course row: the head moved and its file map changed there, if
    the head's document is still the author's (``document_sha256``) and the map still names the
    author's blob for the file (``was``, the map's text of that entry; ``now`` the new one), found
    with the database's ``position`` function. The row is judged as it is once its lock is had,
    so whatever was saved since the author's revision is kept, as a merge would keep it. Gives
    the new head's number and map, or no row."""
    return (
        update(COURSES)
        .where(
            COURSES.c.id == bindparam("course"),
            COURSES.c.head_document_sha256 == bindparam("document_sha256"),
            position(COURSES.c.head_files, bindparam("was")) > literal_column("0"),
        )
        .values(
            head=COURSES.c.head + literal_column("1"),
            head_files=func.replace(COURSES.c.head_files, bindparam("was"), bindparam("now")),
            updated_at=bindparam("saved_at"),
            search_text=bindparam("stale"),
        )
        .returning(COURSES.c.id, COURSES.c.head, COURSES.c.head_files)
    )


def _file_saved_in_one_statement() -> Any:
    """PostgreSQL's text save as one statement: ``_file_moved_head``, then the revision row (the
    author's document, the new map) and the database-held blobs inserted only if it moved."""
    moved = _file_moved_head(func.strpos).cte("moved")
    revision = _revision_from(moved, {"course_id": moved.c.id, "number": moved.c.head, "files": moved.c.head_files})
    return select(moved.c.head, moved.c.head_files).add_cte(revision).add_cte(_held_texts(moved))


NEW_HEAD_IN_ONE = _new_head_in_one_statement()
FILE_SAVED_SQL = str(_file_saved_in_one_statement().compile(dialect=psycopg_dialect()))  # sent by psycopg itself
FILE_MOVED_HEAD = _file_moved_head(func.instr)  # SQLite's, followed by the revision's inserts
PLAIN_PATH = re.compile(r"[A-Za-z0-9._/-]+")  # written as it is inside the file map's JSON text
LOCKED_HEAD = select(COURSES.c.head).where(COURSES.c.id == bindparam("course")).with_for_update()


@dataclass(frozen=True)
class Snapshot:
    """A course's state at one revision; ``model`` is its document validated, when known."""

    number: int
    document: dict[str, Any]
    files: dict[str, str]
    model: Course | None = field(default=None, compare=False, repr=False)

    def course(self) -> Course:
        return self.model if self.model is not None else Course.model_validate(self.document)


@dataclass
class State:
    """The course as an edit changes it: its document and file map (copies, never the snapshot's)."""

    document: dict[str, Any]
    files: dict[str, str]
    blobs: BlobStore
    texts: dict[str, bytes] = field(default_factory=dict)  # blobs to insert with the revision (text_blobs)


@dataclass(frozen=True)
class Edit:
    """One change to one element. ``current`` reads the element's value in a state (None when
    it is not there); ``apply`` changes the state; ``wanted`` is the value the author sent;
    ``prepare``, when given, stores the blobs ``apply`` will name, judged on the head as read
    before the course is locked (a state it must not change), so no other save waits for them;
    ``identity``, when given, tells cheaply (without reading a blob) that the element is the same
    in two states when it gives the same for both; ``replaces_file``, when given, says what the
    edit would do to a state (after ``prepare``) when all it does there is name another blob for
    one file already in it: the file's path and the blob's SHA-256 (None when it would do more)."""

    element: str  # "block t-welcome", for messages and the conflict body
    current: Callable[[State], Any]
    apply: Callable[[State], None]
    wanted: Any
    field: str = ""
    prepare: Callable[[State], None] | None = None
    identity: Callable[[State], Any] | None = None
    replaces_file: Callable[[State], tuple[str, str] | None] | None = None


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


# --------------------------------------------------------------------------- revisions as stored
@dataclass(frozen=True)
class Stored:
    """A revision's row as stored (its document and file map as JSON text) and, once known, its
    document validated. A save that leaves the document as it was stores the same text again."""

    document: str
    files: str
    model: Course | None = None

    def snapshot(self, number: int) -> Snapshot:
        """A snapshot of its own (parsed afresh, so no caller can change the stored revision)."""
        return Snapshot(number, json.loads(self.document), json.loads(self.files), self.model)

    @cached_property
    def document_sha256(self) -> str:
        """What the course row keeps of the document of its head (``CourseRecord.head_document_sha256``)."""
        return text_sha256(self.document)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RevisionCache:
    """The revisions of one database this process read or wrote, by (course id, number), the
    least recently used dropped first once their JSON is over ``limit`` characters. Safe without
    any expiry: a revision is never changed once committed and a course row is never deleted
    (only marked deleted), so its id is never reused. Shared by a process's threads, hence the
    lock."""

    def __init__(self, limit: int = CACHED_REVISION_CHARS) -> None:
        self.limit = limit
        self._rows: OrderedDict[tuple[int, int], Stored] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, course_id: int, number: int) -> Stored | None:
        with self._lock:
            found = self._rows.get((course_id, number))
            if found is not None:
                self._rows.move_to_end((course_id, number))
            return found

    def put(self, course_id: int, number: int, stored: Stored) -> None:
        with self._lock:
            replaced = self._rows.pop((course_id, number), None)
            if replaced is not None:
                self._chars -= _chars(replaced)
            self._rows[(course_id, number)] = stored
            self._chars += _chars(stored)
            while self._chars > self.limit and len(self._rows) > 1:
                self._chars -= _chars(self._rows.popitem(last=False)[1])


def _chars(stored: Stored) -> int:
    """What a row weighs in the cache (a document kept by several revisions counts each time)."""
    return len(stored.document) + len(stored.files)


_caches: weakref.WeakKeyDictionary[Engine, RevisionCache] = weakref.WeakKeyDictionary()


def revision_cache(session: Session) -> RevisionCache:
    """The cache of the session's database (one per engine: two apps in a process never share)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine), "the editor's sessions are bound to an engine"
    found = _caches.get(engine)
    if found is None:
        found = _caches[engine] = RevisionCache()
    return found


def stored_revision(session: Session, course: CourseRecord, number: int) -> Stored:
    """Revision ``number`` of ``course`` as stored, from the cache or else read (and cached)."""
    cache = revision_cache(session)
    found = cache.get(course.id, number)
    if found is None:
        row = session.execute(
            select(Revision.document, Revision.files).where(Revision.course_id == course.id, Revision.number == number)
        ).one_or_none()
        if row is None:
            raise ApiProblem(404, f"course {course.id} has no revision {number}", "revision")
        found = Stored(row.document, row.files)
        cache.put(course.id, number, found)
    return found


def revision_snapshot(session: Session, course: CourseRecord, number: int) -> Snapshot:
    return stored_revision(session, course, number).snapshot(number)


def snapshot_of(revision: Revision) -> Snapshot:
    return Snapshot(revision.number, json.loads(revision.document), json.loads(revision.files))


def load_revision(session: Session, course: CourseRecord, number: int) -> Revision:
    found = session.scalar(select(Revision).where(Revision.course_id == course.id, Revision.number == number))
    if found is None:
        raise ApiProblem(404, f"course {course.id} has no revision {number}", "revision")
    return found


def head_snapshot(session: Session, course: CourseRecord) -> Snapshot:
    return revision_snapshot(session, course, course.head)


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
            document=(document_text := json.dumps(document, ensure_ascii=False)),
            files=(files_text := json.dumps(files, sort_keys=True)),
        )
    )
    course.head = 1
    course.head_files, course.head_document_sha256 = files_text, text_sha256(document_text)
    return Snapshot(1, document, files)


# --------------------------------------------------------------------------- the course's lock
def lock_course(session: Session, course: CourseRecord) -> Stored:
    """Begin a write transaction holding ``course``'s lock and read its head again under it; a
    503 when the lock was not free within ``database.LOCK_WAIT_SECONDS``. Until the transaction
    ends no other save of the course reads its head, so none merges onto a head that is about to
    move. Gives the head revision (its row is read after the lock: on PostgreSQL a join in the
    locking read would miss a head committed while it waited)."""
    with _lock_waited(session):
        database.write_transaction(session)
        return _locked_head(session, course)


def _locked_head(session: Session, course: CourseRecord) -> Stored:
    """The head revision of ``course``, read with its row locked, in the write transaction begun."""
    with _lock_waited(session):
        head = session.connection().execute(LOCKED_HEAD, {"course": course.id}).scalar_one()
    set_committed_value(course, "head", head)
    return stored_revision(session, course, head)


@contextmanager
def _lock_waited(session: Session) -> Iterator[None]:
    """A lock not had within ``database.LOCK_WAIT_SECONDS`` as a 503 (the transaction let go)."""
    try:
        yield
    except OperationalError as error:
        session.rollback()
        if not any(words in str(error.orig).lower() for words in LOCK_TIMED_OUT):
            raise
        raise ApiProblem(
            503,
            f"the course is being saved by others right now (waited {database.LOCK_WAIT_SECONDS} s for them); "
            "try again",
            "base_revision",
        ) from None


@dataclass(frozen=True)
class _Merged:
    """The outcome of edits merged onto one head: the new revision's row and snapshot, or (when
    they change nothing) ``stored`` None and ``snapshot`` the head itself."""

    head: Snapshot
    stored: Stored | None
    snapshot: Snapshot
    texts: dict[str, bytes] = field(default_factory=dict)  # the blobs its files name to insert with it


def save(
    session: Session,
    course: CourseRecord,
    base: int,
    edits: Sequence[Edit],
    author: User,
    summary: str,
    blobs: BlobStore,
) -> Saved:
    """Apply ``edits`` made on revision ``base`` to the latest revision and store the result as
    a new revision (committed). Raises 409 with both versions when an edited element was changed
    by someone else since ``base``; 422 when the result would not be a valid course.

    When the author saved on the head as read (one author typing alone: the usual save), the
    merge is worked out before the lock (the course validated, the blobs it needs stored) and
    stored by the statement that takes the lock if that head is still the latest: the lock is
    then held for the writes and the commit, not for the merge. When another save moved the head
    meanwhile, or the edits failed or changed nothing on the head as read, or the author's base
    was behind already (others are saving too, so the head is about to move again), the merge is
    done (and judged) on the head the lock gives.

    A save that only names a new blob for one file (a text block's Markdown, the save an
    author's typing makes) is first tried on the course row itself (``_file_saved``), which
    needs no read of the head and, on PostgreSQL, holds the lock for one statement alone."""
    saved = _file_saved(session, course, base, edits, author, summary, blobs)
    if saved is not None:
        return saved
    read_row = stored_revision(session, course, course.head)
    read = read_row.snapshot(course.head)
    for edit in edits:
        if edit.prepare is not None:
            edit.prepare(State(read.document, read.files, blobs))
    if 1 <= base <= course.head:  # a revision never changes: read before the lock, not while others wait
        stored_revision(session, course, base)
    planned: _Merged | None = None
    if base == read.number:
        with suppress(ApiProblem):  # judged again on the head the lock gives, which may have moved
            planned = _merge(session, course, base, edits, blobs, read, read_row)
    with _lock_waited(session), database.one_writer(session):
        try:
            if planned is not None and planned.stored is not None:
                row, snapshot, texts = planned.stored, planned.snapshot, planned.texts
                if _store(session, course, snapshot, row, base, author, summary, texts):
                    remember(blobs, texts)
                    return Saved(snapshot, created=True)
            stored = _locked_head(session, course)
            return _save_locked(session, course, base, edits, author, summary, blobs, read, stored)
        except BaseException:
            session.rollback()  # the lock is let go at once, not when the request's session closes
            raise


def _file_saved(
    session: Session,
    course: CourseRecord,
    base: int,
    edits: Sequence[Edit],
    author: User,
    summary: str,
    blobs: BlobStore,
) -> Saved | None:
    """``save`` judged and stored on the course row when it applies: one edit that only names a
    new blob for one file in the author's revision, and the head still holds the author's
    document and that file's blob. The new revision is then the head with that file changed,
    which is what the merge gives, without the head read or merged here. On PostgreSQL one
    statement sent with its commit (``FILE_SAVED_SQL``); on SQLite the row's ``UPDATE`` and the
    revision's inserts in the writer's turn. None, with nothing written, when it does not apply
    or the head changed that document or file since: the save then merges as usual."""
    replaces_file = edits[0].replaces_file if len(edits) == 1 else None
    if replaces_file is None:
        return None
    if not 1 <= base <= course.head:
        return None  # the usual way names what is wrong with it
    base_row = stored_revision(session, course, base)
    mine = base_row.snapshot(base)
    state = State(mine.document, mine.files, blobs)
    if edits[0].prepare is not None:
        edits[0].prepare(state)
    change = replaces_file(state)
    if change is None:
        return None
    path, sha = change
    was = mine.files.get(path)
    if was is None or was == sha or not PLAIN_PATH.fullmatch(path):
        return None
    saved_at = utcnow()
    values = {
        "course": course.id,
        "document_sha256": base_row.document_sha256,
        "was": f'"{path}": "{was}"',
        "now": f'"{path}": "{sha}"',
        "saved_at": saved_at,
        "stale": STALE,
        "revision_based_on": base,
        "revision_author_id": author.id,
        "revision_summary": summary[:500],
        "revision_document": base_row.document,
        "revision_created_at": saved_at,
        "shas": list(state.texts),
        "datas": list(state.texts.values()),
    }
    if session.get_bind().dialect.name == "postgresql":
        with _lock_waited(session):
            row = _committed_with(session, FILE_SAVED_SQL, values)
    else:
        with _lock_waited(session), database.one_writer(session):
            row = _file_saved_on_sqlite(session, values, state.texts)
    if row is None:
        return None
    head, head_files = row
    stored = Stored(base_row.document, head_files, base_row.model)
    for name, value in (("head", head), ("head_files", head_files), ("updated_at", saved_at), ("search_text", STALE)):
        set_committed_value(course, name, value)
    revision_cache(session).put(course.id, head, stored)
    remember(blobs, state.texts)
    # ``mine`` is this save's own parse: the new snapshot takes its document.
    snapshot = Snapshot(head, mine.document, json.loads(head_files), base_row.model)
    return Saved(snapshot, created=True, merged=head != base + 1)


def _file_saved_on_sqlite(
    session: Session, values: dict[str, Any], texts: Mapping[str, bytes]
) -> tuple[Any, ...] | None:
    """SQLite's text save, in the write transaction begun: ``FILE_MOVED_HEAD``, then the blobs and
    the revision row if the head moved; committed either way (nothing is written when it did not)."""
    try:
        connection = session.connection()
        moved = connection.execute(FILE_MOVED_HEAD, values).one_or_none()
        if moved is not None:
            store_texts(connection, texts)
            taken = {"course_id": moved.id, "number": moved.head, "files": moved.head_files}
            revision = {name: taken[name] if name in taken else values[f"revision_{name}"] for name in REVISION_COLUMNS}
            connection.execute(NEW_REVISION, revision)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return None if moved is None else (moved.head, moved.head_files)


def _committed_with(session: Session, sql: str, values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The row ``sql`` gives, run and committed in one round trip (psycopg's pipeline mode sends
    the statement and the commit together). The course's lock is then held while PostgreSQL runs
    them, never while this thread waits for Python's interpreter lock to send the commit, which
    under load took longer than the statement. The session's transaction ends with it; errors
    are SQLAlchemy's, as from ``execute``."""
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection), "PostgreSQL is reached through psycopg 3"
    try:
        with driver.pipeline():
            cursor = driver.execute(sql, values)
            driver.commit()
        row = cursor.fetchone()
    except psycopg.Error as error:
        session.rollback()
        raise DBAPIError.instance(sql, values, error, psycopg.Error) from error
    session.commit()  # the session's own record of the transaction: ended, as it is
    return None if row is None else tuple(row)


def _save_locked(
    session: Session,
    course: CourseRecord,
    base: int,
    edits: Sequence[Edit],
    author: User,
    summary: str,
    blobs: BlobStore,
    read: Snapshot,
    stored: Stored,
) -> Saved:
    """``save`` once the course is locked; ``stored`` is its head revision, ``read`` the head as
    read before the lock."""
    head = read if read.number == course.head else stored.snapshot(course.head)
    merged = _merge(session, course, base, edits, blobs, head, stored)
    if merged.stored is None:
        session.commit()  # nothing to store: the lock is let go
        return Saved(merged.snapshot, created=False)
    _store_locked(session, course, merged.snapshot, merged.stored, base, author, summary, merged.texts)
    remember(blobs, merged.texts)
    return Saved(merged.snapshot, created=True, merged=base != head.number)


def _merge(
    session: Session,
    course: CourseRecord,
    base: int,
    edits: Sequence[Edit],
    blobs: BlobStore,
    head: Snapshot,
    stored: Stored,
) -> _Merged:
    """``edits`` made on revision ``base`` applied to ``head`` (``stored`` is its row): a 422 when
    ``base`` is not a revision up to ``head``, a 409 when an edited element changed since."""
    if base < 1 or base > head.number:
        raise ApiProblem(
            422,
            f"base_revision: revision {base} does not exist; the latest is {head.number}",
            "base_revision",
            head_revision=head.number,
        )
    base_snapshot = head if base == head.number else revision_snapshot(session, course, base)
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
    state = State(json.loads(stored.document), dict(head.files), blobs)  # a copy of the head to change
    for edit in edits:
        edit.apply(state)
    same_document = state.document == head.document
    new_course: Course | None
    if same_document:  # valid already: it is the head's document, only files changed (validated when read)
        new_course = head.model
        document_text = stored.document
    else:
        new_course = validated(state.document)
        state.files[COURSE_FILE] = _course_file(session, course, head, state.document, new_course, blobs)
        document_text = json.dumps(state.document, ensure_ascii=False)
    if same_document and state.files == head.files:
        return _Merged(head, None, replace(head, model=new_course))
    new = Stored(document_text, json.dumps(state.files, sort_keys=True), new_course)
    # The state's document and files are this save's own copies: the new snapshot takes them.
    texts = {sha: data for sha, data in state.texts.items() if sha in state.files.values()}
    return _Merged(head, new, Snapshot(head.number + 1, state.document, state.files, new_course), texts)


def _course_file(
    session: Session, course: CourseRecord, head: Snapshot, document: dict[str, Any], new: Course, blobs: BlobStore
) -> str:
    """The blob of course.yaml for a save that changes the document. The head's file with only
    what changed rewritten, so a course kept in git shows the author's change as its diff and
    keeps its comments; but when the save gives back the course of the revision before (an
    undo of the last change), that revision's file, so the undo restores it byte for byte."""
    if head.number > 1:
        before = revision_snapshot(session, course, head.number - 1)
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
        if edit.identity is not None and edit.identity(base_state) == edit.identity(head_state):
            continue  # unchanged since the author's revision (the usual case): no blob read
        before, now = edit.current(base_state), edit.current(head_state)
        if before != now and now != edit.wanted:
            found.append(Conflict(edit.element, edit.field, edit.wanted, now))
    return found


def restore(session: Session, course: CourseRecord, number: int, base: int, author: User) -> Snapshot:
    """A new revision holding revision ``number``'s course exactly; refused (409) when the course
    changed since ``base``, so a restore never discards work its author has not seen."""
    lock_course(session, course)
    try:
        old = stored_revision(session, course, number)
        if base != course.head:
            raise ApiProblem(
                409,
                f"the course changed since revision {base} (the latest is {course.head}); look at the latest "
                "revision before restoring an older one",
                "base_revision",
                head_revision=course.head,
            )
        snapshot = old.snapshot(course.head + 1)
        _store_locked(session, course, snapshot, old, base, author, f"restored revision {number}")
        return snapshot
    except BaseException:
        session.rollback()
        raise


def replace_course(
    session: Session,
    course: CourseRecord,
    document: dict[str, Any],
    files: dict[str, str],
    base: int | None,
    author: User,
    summary: str,
) -> Saved:
    """A new revision holding a whole course sent from outside (``courseforge push``): refused
    (409) when the course changed since ``base``, unless ``base`` is None (forced); nothing is
    stored when the files are those of the latest revision."""
    lock_course(session, course)
    try:
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
            session.commit()
            return Saved(head, created=False)
        new = Stored(json.dumps(document, ensure_ascii=False), json.dumps(files, sort_keys=True))
        snapshot = Snapshot(head.number + 1, document, files)
        _store_locked(session, course, snapshot, new, head.number, author, summary)
        return Saved(snapshot, created=True)
    except BaseException:
        session.rollback()
        raise


def _store(
    session: Session,
    course: CourseRecord,
    snapshot: Snapshot,
    stored: Stored,
    base: int,
    author: User,
    summary: str,
    texts: Mapping[str, bytes] | None = None,
) -> bool:
    """Store ``snapshot`` (its row's text: ``stored``) as the course's new head and commit, in
    the write transaction the caller began: the course row is changed (and so locked) only if its
    head is still the revision before ``snapshot``, as it always is when the caller holds the
    lock; False, and nothing written, when it is not. Plain statements made once, on the
    transaction's connection (the course row's head, title and search text, marked out of date
    for the next search to index; the database-held blobs it names, ``texts``; the revision
    row): a save pays for no unit of work, and ``course`` is told the new values as committed."""
    changed = {
        "head": snapshot.number,
        "head_files": stored.files,
        "head_document_sha256": stored.document_sha256,
        "title": str(snapshot.document.get("title", course.title)),
        "updated_at": utcnow(),
        "search_text": STALE,
    }
    head = {"course": course.id, "head_was": snapshot.number - 1, **{f"new_{name}": v for name, v in changed.items()}}
    revision = {
        "course_id": course.id,
        "number": snapshot.number,
        "based_on": base,
        "author_id": author.id,
        "summary": summary[:500],
        "document": stored.document,
        "files": stored.files,
        "created_at": changed["updated_at"],
    }
    if not _write_head(session.connection(), head, revision, texts or {}):
        return False
    session.commit()
    for name, value in changed.items():
        set_committed_value(course, name, value)
    revision_cache(session).put(course.id, snapshot.number, stored)
    return True


def _write_head(
    connection: Connection, head: dict[str, Any], revision: dict[str, Any], texts: Mapping[str, bytes]
) -> bool:
    """The statements of ``_store``: False, and nothing written, when the head had moved."""
    if connection.dialect.name == "postgresql":
        values = {**head, **{f"revision_{name}": value for name, value in revision.items()}}
        values |= {"shas": list(texts), "datas": list(texts.values())}
        return bool(connection.execute(NEW_HEAD_IN_ONE, values).scalar())
    if connection.execute(NEW_HEAD, head).rowcount != 1:
        return False
    store_texts(connection, texts)
    connection.execute(NEW_REVISION, revision)
    return True


def _store_locked(
    session: Session,
    course: CourseRecord,
    snapshot: Snapshot,
    stored: Stored,
    base: int,
    author: User,
    summary: str,
    texts: Mapping[str, bytes] | None = None,
) -> None:
    """``_store`` by a caller holding the course's lock, so its head cannot have moved."""
    if not _store(session, course, snapshot, stored, base, author, summary, texts):
        raise RuntimeError(f"course {course.id}: its head moved from {snapshot.number - 1} while it was locked")


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
