"""Finding courses by their words: SQLite's FTS5 on the embedded database, PostgreSQL's full
text search on PostgreSQL. A save only marks the course's search text out of date (``STALE``);
the next search first indexes the courses it could find that were saved since (titles,
descriptions, Markdown, questions: ``authoring.course_store.search``), so a search finds what the
latest revision says while an author typing, who saves every second or two, pays for none of it.

A Markdown file's words are kept per process by the blob's SHA-256 (a blob never changes), so a
save reads only the file it wrote, not every file of the course.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, text, update
from sqlalchemy.orm import Session

from authoring.models import CourseRecord
from courses.model import Course, NarrationBlock, QuizBlock, TextBlock
from storage import BlobStore

MAX_TERMS = 12
MARKDOWN_FILE_CHARS = 200_000
CACHED_TEXT_CHARS = 16_000_000  # the Markdown files' words kept per process, at most
STALE = ""  # the search text of a course saved since it was last indexed (a course's text holds its title)


class BlobTexts:
    """The first ``MARKDOWN_FILE_CHARS`` of Markdown blobs as text, by SHA-256, the least recently
    used dropped first once they hold more than ``limit`` characters. Shared by a process's
    threads, hence the lock."""

    def __init__(self, limit: int = CACHED_TEXT_CHARS) -> None:
        self.limit = limit
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def text(self, sha: str, blobs: BlobStore) -> str:
        with self._lock:
            found = self._texts.get(sha)
            if found is not None:
                self._texts.move_to_end(sha)
                return found
        text = blobs.get_blob(sha)[:MARKDOWN_FILE_CHARS].decode("utf-8", errors="ignore")
        with self._lock:
            if sha not in self._texts:
                self._texts[sha] = text
                self._chars += len(text)
            while self._chars > self.limit and self._texts:
                self._chars -= len(self._texts.popitem(last=False)[1])
        return text


blob_texts = BlobTexts()


def course_text(course: Course, files: dict[str, str], blobs: BlobStore) -> str:
    """Every word an author wrote in ``course``, for the index."""
    parts: list[str] = [course.title, course.description]
    for section in course.sections:
        parts.append(section.title)
        for page in section.pages:
            parts.append(page.title)
            for block in page.blocks:
                parts += _block_text(block, files, blobs)
    return "\n".join(p for p in parts if p)


def _block_text(block: Any, files: dict[str, str], blobs: BlobStore) -> list[str]:
    if isinstance(block, TextBlock):
        if block.markdown is not None:
            return [block.markdown]
        sha = files.get(block.file or "")
        return [blob_texts.text(sha, blobs)] if sha else []
    if isinstance(block, NarrationBlock):
        return [block.transcript or block.script or ""]
    if isinstance(block, QuizBlock):
        return [block.title] + [q.prompt for q in block.questions]
    return [getattr(block, name) or "" for name in ("alt", "caption", "title") if hasattr(block, name)]


def index_course(session: Session, record: CourseRecord, body: str) -> None:
    """Store ``body`` as the course's search text (and in the FTS5 table on SQLite, replacing the
    course's row in one statement)."""
    record.search_text = body
    if record.id is None:
        session.flush()
    _index_row(session, record.id, record.title, body)


def index_if_unsaved(session: Session, course_id: int, head: int, title: str, body: str) -> None:
    """Store ``body``, made from revision ``head``, as the search text of a course marked
    ``STALE``, unless a save since has moved its head (its text is then stale again, and left to
    the next search). Touches only the search columns, so it never undoes a save."""
    stored = session.execute(
        update(CourseRecord)
        .where(CourseRecord.id == course_id, CourseRecord.head == head, CourseRecord.search_text == STALE)
        .values(search_text=body)
        .execution_options(synchronize_session=False)
    )
    if stored.rowcount:  # type: ignore[attr-defined]
        _index_row(session, course_id, title, body)


def _index_row(session: Session, course_id: int, title: str, body: str) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("INSERT OR REPLACE INTO course_search (rowid, body) VALUES (:id, :body)"),
            {"id": course_id, "body": f"{title}\n{body}"},
        )


def unindex_course(session: Session, record: CourseRecord) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM course_search WHERE rowid = :id"), {"id": record.id})


def terms(query: str) -> list[str]:
    """The words of a search box's text: letters and digits only, so no query syntax of either
    engine can be typed in."""
    return re.findall(r"\w+", query.lower())[:MAX_TERMS]


def matching(statement: Select[Any], session: Session, query: str) -> Select[Any]:
    """``statement`` (over courses) narrowed to courses holding every word of ``query`` (each
    word also matching as the start of a longer one: "phish" finds "phishing")."""
    words = terms(query)
    if not words:
        return statement
    condition: ColumnElement[bool]
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join(f'"{word}"*' for word in words)
        ids: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(text("course_search"))
            .where(text("course_search MATCH :q").bindparams(q=match))
        )
        condition = CourseRecord.id.in_(ids)
    else:
        vector = func.to_tsvector(literal_column("'simple'"), CourseRecord.title + " " + CourseRecord.search_text)
        tsquery = func.to_tsquery(literal_column("'simple'"), " & ".join(f"{word}:*" for word in words))
        condition = vector.op("@@")(tsquery)
    return statement.where(condition)
