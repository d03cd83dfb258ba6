"""Review links and the comments made on a course: what a link lets someone without an account
do, where a comment is pinned, and how often a link may be written through.

A link shows one revision, frozen, until it expires or is revoked; only its token's SHA-256 is
stored. A comment points at the stable id of its block (and of a question in it, or a second of
a video), never at a position, so it stays on its block through every later edit; it keeps the
revision it was made on, and a comment whose block was deleted since is still listed, marked so.
Comment text is stored as typed and only ever shown as text, never as HTML.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from authoring.credentials import token_digest
from authoring.models import CourseRecord, ReviewComment, ReviewLink, ReviewReply, ReviewWrite, User, utcnow
from authoring.problems import ApiProblem
from player.markdown import plain_text

LINK_DAYS = 14  # how long a new link works unless the author says otherwise
MAX_LINK_DAYS = 90
BODY_MAX_CHARS = 4000  # a comment or reply
NAME_MAX_CHARS = 80  # a reviewer's display name
LABEL_MAX_CHARS = 200  # a link's label
MAX_WRITE_BYTES = 16 * 1024  # a reviewer's request body, refused unread beyond this
VIDEO_MAX_SECOND = 24 * 3600
MAX_WRITES = 30  # comments and replies per link and address within WRITE_WINDOW
WRITE_WINDOW = timedelta(minutes=15)
LIST_LIMIT = 2000
States = Literal["open", "resolved"]
STATES: tuple[States, ...] = ("open", "resolved")
LinkState = Literal["active", "expired", "revoked"]


# --------------------------------------------------------------------------- links
def new_link(
    session: Session, course: CourseRecord, user: User, revision: int, days: int, label: str
) -> tuple[ReviewLink, str]:
    """A link to ``revision`` of ``course`` working for ``days``, and its token (shown once)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    link = ReviewLink(
        course_id=course.id,
        revision=revision,
        token_sha256=token_digest(token),
        label=label,
        created_by_id=user.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(link)
    session.flush()
    return link, token


def link_state(link: ReviewLink, now: datetime | None = None) -> LinkState:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= (now or utcnow()) else "active"


def course_links(session: Session, course: CourseRecord) -> list[ReviewLink]:
    """The course's links, newest first."""
    statement = select(ReviewLink).where(ReviewLink.course_id == course.id).order_by(ReviewLink.id.desc())
    return list(session.scalars(statement.limit(LIST_LIMIT)))


def course_link(session: Session, course: CourseRecord, link_id: int) -> ReviewLink:
    link = session.get(ReviewLink, link_id)
    if link is None or link.course_id != course.id:
        raise ApiProblem(404, f"review link {link_id} not found in course {course.id}", "link")
    return link


class LinkGone(ApiProblem):
    """A link that existed but no longer opens anything: expired, revoked, or its course deleted."""

    def __init__(self, detail: str, state: str) -> None:
        super().__init__(410, detail, "token", state=state)


def open_link(session: Session, token: str) -> tuple[ReviewLink, CourseRecord]:
    """The working link ``token`` is and its course; 404 for no such link, 410 for one that no
    longer works (the same for every request it makes, page or file)."""
    link = session.scalar(select(ReviewLink).where(ReviewLink.token_sha256 == token_digest(token)))
    if link is None:
        raise ApiProblem(404, "this review link does not exist: check that it was copied whole", "token")
    state = link_state(link)
    if state == "revoked":
        raise LinkGone("this review link was withdrawn by the course's authors", state)
    if state == "expired":
        raise LinkGone(f"this review link expired on {link.expires_at:%Y-%m-%d %H:%M} UTC", state)
    course = session.get(CourseRecord, link.course_id)
    if course is None or course.deleted_at is not None:
        raise LinkGone("the course this review link showed was deleted", "deleted")
    return link, course


def link_json(link: ReviewLink, comments: int) -> dict[str, Any]:
    return {
        "id": link.id,
        "label": link.label,
        "revision": link.revision,
        "state": link_state(link),
        "created_by": link.created_by.email if link.created_by else None,
        "created_at": _time(link.created_at),
        "expires_at": _time(link.expires_at),
        "revoked_at": _time(link.revoked_at),
        "comments": comments,
    }


def comment_counts(session: Session, links: Iterable[ReviewLink]) -> dict[int, int]:
    """How many comments were made through each link."""
    ids = [link.id for link in links]
    if not ids:
        return {}
    rows = session.execute(
        select(ReviewComment.link_id, func.count())
        .where(ReviewComment.link_id.in_(ids))
        .group_by(ReviewComment.link_id)
    )
    return {link_id: count for link_id, count in rows if link_id is not None}


# --------------------------------------------------------------------------- where comments point
@dataclass(frozen=True)
class BlockPlace:
    """A block of one revision, as a comment's pin is shown: its page and a short label."""

    page_id: str
    page_title: str
    type: str
    label: str
    questions: dict[str, str] = field(default_factory=dict)  # question id -> label


def block_places(document: dict[str, Any]) -> dict[str, BlockPlace]:
    """Every block of a course document, by id."""
    places: dict[str, BlockPlace] = {}
    for page in _pages(document):
        for block in page.get("blocks") or []:
            questions = {
                str(q.get("id")): f"Question {n}: {_words(q.get('prompt', ''))}"
                for n, q in enumerate(block.get("questions") or [], 1)
            }
            places[str(block.get("id"))] = BlockPlace(
                str(page.get("id")), str(page.get("title", "")), str(block.get("type")), _block_label(block), questions
            )
    return places


def outline(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The pages and their blocks (ids, types, labels, questions), for the review panel."""
    places = block_places(document)
    return [
        {
            "id": page.get("id"),
            "title": page.get("title", ""),
            "blocks": [
                {
                    "id": block.get("id"),
                    "type": block.get("type"),
                    "label": places[str(block.get("id"))].label,
                    "questions": [
                        {"id": qid, "label": label} for qid, label in places[str(block.get("id"))].questions.items()
                    ],
                }
                for block in page.get("blocks") or []
            ],
        }
        for page in _pages(document)
    ]


def _pages(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in document.get("sections") or []:
        yield from section.get("pages") or []


KIND_NAMES = {"text": "Text", "image": "Image", "video": "Video", "narration": "Narration", "quiz": "Quiz"}


def _block_label(block: dict[str, Any]) -> str:
    kind = str(block.get("type"))
    name = KIND_NAMES.get(kind, kind.capitalize())
    if kind == "text":
        words = _words(block["markdown"]) if block.get("markdown") else str(block.get("file", ""))
    elif kind == "image":
        words = str(block.get("alt", ""))
    elif kind in ("video", "quiz"):
        words = str(block.get("title", ""))
    else:
        words = _words(block.get("script") or block.get("transcript") or "") or str(block.get("src", ""))
    return f"{name}: {_short(words)}" if words else name


def _words(markdown: str) -> str:
    return _short(plain_text(str(markdown)))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def check_pin(document: dict[str, Any], block_id: str, question_id: str | None, video_second: int | None) -> None:
    """A 422 naming the field unless the pin names a block of ``document`` (a question of that
    quiz, a second only of a video)."""
    place = block_places(document).get(block_id)
    if place is None:
        raise ApiProblem(422, f"block_id: no block {block_id[:80]!r} in this revision", "block_id")
    if question_id is not None and question_id not in place.questions:
        raise ApiProblem(422, f"question_id: block {block_id} has no question {question_id[:80]!r}", "question_id")
    if video_second is not None and place.type != "video":
        raise ApiProblem(422, f"video_second: block {block_id} is not a video", "video_second")


# --------------------------------------------------------------------------- comments
@dataclass(frozen=True)
class Author:
    """Who writes: a reviewer through a link (by the name they gave) or an editor account."""

    name: str | None = None
    link: ReviewLink | None = None
    user: User | None = None


def add_comment(
    session: Session,
    course: CourseRecord,
    revision: int,
    pin: tuple[str, str | None, int | None],
    body: str,
    author: Author,
) -> ReviewComment:
    block_id, question_id, video_second = pin
    now = utcnow()
    comment = ReviewComment(
        course_id=course.id,
        revision=revision,
        block_id=block_id,
        question_id=question_id,
        video_second=video_second,
        link_id=author.link.id if author.link else None,
        author_name=author.name,
        author_id=author.user.id if author.user else None,
        body=body,
        state="open",
        created_at=now,
        updated_at=now,
    )
    session.add(comment)
    session.flush()
    return comment


def add_reply(session: Session, comment: ReviewComment, body: str, author: Author) -> ReviewReply:
    reply = ReviewReply(
        link_id=author.link.id if author.link else None,
        author_name=author.name,
        author_id=author.user.id if author.user else None,
        body=body,
    )
    comment.replies.append(reply)
    comment.updated_at = utcnow()
    session.flush()
    return reply


def set_state(comment: ReviewComment, state: States, user: User) -> None:
    if comment.state == state:
        return
    comment.state = state
    comment.updated_at = utcnow()
    comment.resolved_at = comment.updated_at if state == "resolved" else None
    comment.resolved_by_id = user.id if state == "resolved" else None


def course_comment(session: Session, course: CourseRecord, comment_id: int) -> ReviewComment:
    comment = session.get(ReviewComment, comment_id)
    if comment is None or comment.course_id != course.id:
        raise ApiProblem(404, f"comment {comment_id} not found in course {course.id}", "comment")
    return comment


def course_comments(
    session: Session,
    course: CourseRecord,
    *,
    revision: int | None = None,
    state: States | None = None,
    block_id: str | None = None,
) -> list[ReviewComment]:
    """The course's comments, oldest first, with their replies: all, or those made on
    ``revision``, in ``state``, pinned to ``block_id``."""
    statement = select(ReviewComment).where(ReviewComment.course_id == course.id)
    if revision is not None:
        statement = statement.where(ReviewComment.revision == revision)
    if state is not None:
        statement = statement.where(ReviewComment.state == state)
    if block_id is not None:
        statement = statement.where(ReviewComment.block_id == block_id)
    statement = statement.options(selectinload(ReviewComment.replies)).order_by(ReviewComment.id).limit(LIST_LIMIT)
    return list(session.scalars(statement))


def comment_json(comment: ReviewComment, places: dict[str, BlockPlace], *, for_editors: bool) -> dict[str, Any]:
    """A comment and its thread; its pin placed in the revision ``places`` describes (the head
    for editors, so a block deleted since shows as removed). Reviewers see no addresses."""
    place = places.get(comment.block_id)
    question = place.questions.get(comment.question_id) if place and comment.question_id else None
    return {
        "id": comment.id,
        "revision": comment.revision,
        "block_id": comment.block_id,
        "question_id": comment.question_id,
        "video_second": comment.video_second,
        "page_id": place.page_id if place else None,
        "page_title": place.page_title if place else None,
        "block_label": place.label if place else None,
        "block_removed": place is None,
        "question_label": question,
        "question_removed": comment.question_id is not None and question is None,
        **_written_by(comment, for_editors),
        "body": comment.body,
        "state": comment.state,
        "created_at": _time(comment.created_at),
        "updated_at": _time(comment.updated_at),
        "resolved_at": _time(comment.resolved_at),
        "replies": [
            {
                "id": reply.id,
                **_written_by(reply, for_editors),
                "body": reply.body,
                "created_at": _time(reply.created_at),
            }
            for reply in comment.replies
        ],
    }


def _written_by(row: ReviewComment | ReviewReply, for_editors: bool) -> dict[str, Any]:
    if row.author_id is None and row.author_name is not None:
        return {"author": row.author_name, "author_kind": "reviewer"}
    email = row.author.email if row.author else "a former account"
    return {"author": email if for_editors else email.split("@", 1)[0], "author_kind": "editor"}


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat() + "Z"


# --------------------------------------------------------------------------- rate limit
def write_wait(session: Session, link: ReviewLink, address: str) -> int:
    """Seconds until this address may write through this link again (0: now)."""
    since = utcnow() - WRITE_WINDOW
    writes = session.scalars(
        select(ReviewWrite.at)
        .where(ReviewWrite.link_id == link.id, ReviewWrite.address == address, ReviewWrite.at > since)
        .order_by(ReviewWrite.at.desc())
        .limit(MAX_WRITES)
    ).all()
    if len(writes) < MAX_WRITES:
        return 0
    return max(1, int((min(writes) + WRITE_WINDOW - utcnow()).total_seconds()) + 1)


def count_write(session: Session, link: ReviewLink, address: str) -> None:
    """Count a write, or refuse it (429, with the wait) when the address has written too often."""
    wait = write_wait(session, link, address)
    if wait:
        minutes = (wait + 59) // 60
        later = f"{minutes} minute{'s' if minutes != 1 else ''}"
        raise ApiProblem(429, f"too many comments from here through this link: try again in {later}", retry_after=wait)
    session.add(ReviewWrite(link_id=link.id, address=address[:64]))
    # Rows older than the window count for nothing: dropped as new ones come, so the table stays small.
    session.execute(delete(ReviewWrite).where(ReviewWrite.at < utcnow() - WRITE_WINDOW))
