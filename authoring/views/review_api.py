"""Review links and comments through the JSON API.

``/api/courses/<id>/review-links``: an author who may change the course makes a link to one of its
revisions (the head by default), lists the links and revokes one. ``/api/courses/<id>/comments``:
everyone who may see the course reads the comments and replies; those who may change it comment,
resolve and reopen. ``/api/review/<token>``: a reviewer without an account, authorised by the
link's token alone, reads the revision's outline and comments and writes comments and replies
(bounded in size, counted per link and address, with the page's CSRF token like every browser
write).
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from flask import Blueprint, request, url_for
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import RequestEntityTooLarge

from authoring.access import can_edit, course_for
from authoring.api_docs import Access, Number, QueryParameter, documented
from authoring.context import db, signed_in
from authoring.models import CourseRecord, ReviewComment, ReviewLink, utcnow
from authoring.problems import ApiProblem, parse_body
from authoring.review import (
    BODY_MAX_CHARS,
    LABEL_MAX_CHARS,
    LINK_DAYS,
    MAX_LINK_DAYS,
    MAX_WRITE_BYTES,
    NAME_MAX_CHARS,
    STATES,
    VIDEO_MAX_SECOND,
    Author,
    States,
    add_comment,
    add_reply,
    block_places,
    check_pin,
    comment_counts,
    comment_json,
    count_write,
    course_comment,
    course_comments,
    course_link,
    course_links,
    link_json,
    new_link,
    open_link,
    outline,
    set_state,
)
from authoring.revisions import revision_snapshot
from courses.model import MultilineText, Text

blueprint = Blueprint("review_api", __name__)
COURSE = "/api/courses/<int:course_id>"
LINK = "/api/review/<token>"
ElementId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
CommentText = Annotated[MultilineText, Field(min_length=1, max_length=BODY_MAX_CHARS)]
ReviewerName = Annotated[Text, Field(min_length=1, max_length=NAME_MAX_CHARS)]
REVIEWER_ERRORS = (404, 410, 413, 429)  # unknown link; expired or revoked; too large; too many writes
LINK_ACCESS: Access = "public"
"""The reviewer's calls need no account: the link's token, in the path, is their key."""


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NewReviewLink(_Body):
    revision: Number | None = Field(None, description="The revision to show (default: the head now)")
    expires_in_days: int = Field(LINK_DAYS, ge=1, le=MAX_LINK_DAYS)
    label: Annotated[Text, Field(max_length=LABEL_MAX_CHARS)] = ""


class Pin(_Body):
    block_id: ElementId
    question_id: ElementId | None = None
    video_second: int | None = Field(None, ge=0, le=VIDEO_MAX_SECOND)


class EditorComment(Pin):
    body: CommentText
    revision: Number | None = Field(None, description="The revision commented on (default: the head now)")


class ReviewerComment(Pin):
    name: ReviewerName
    body: CommentText


class EditorReply(_Body):
    body: CommentText


class ReviewerReply(_Body):
    name: ReviewerName
    body: CommentText


class CommentState(_Body):
    state: States


# --------------------------------------------------------------------------- links, for authors
@blueprint.get(f"{COURSE}/review-links")
@documented("The course's review links, newest first (their addresses are shown only when made)", access="write")
def list_links(course_id: int) -> Any:
    record = course_for(db(), signed_in(), course_id, write=True)
    links = course_links(db(), record)
    counts = comment_counts(db(), links)
    return {"head_revision": record.head, "links": [link_json(link, counts.get(link.id, 0)) for link in links]}


@blueprint.post(f"{COURSE}/review-links")
@documented(
    "Make a review link to a revision (default: the head), working for 1 to 90 days (default 14); "
    "its address is in this answer only",
    access="write",
    status=201,
    body=NewReviewLink,
)
def create_link(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(NewReviewLink, request.get_json(silent=True))
    revision = record.head if body.revision is None else body.revision
    if not 1 <= revision <= record.head:
        raise ApiProblem(
            422, f"revision: course {record.id} has revisions 1 to {record.head}, not {revision}", "revision"
        )
    link, token = new_link(db(), record, user, revision, body.expires_in_days, body.label)
    db().commit()
    url = url_for("review_pages.review_page", token=token, _external=True)
    return {**link_json(link, 0), "url": url, "token": token}, 201


@blueprint.delete(f"{COURSE}/review-links/<int:link_id>")
@documented("Revoke a review link: it opens nothing from now on; its comments stay", access="write")
def revoke_link(course_id: int, link_id: int) -> Any:
    record = course_for(db(), signed_in(), course_id, write=True)
    link = course_link(db(), record, link_id)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        db().commit()
    return link_json(link, comment_counts(db(), [link]).get(link.id, 0))


# --------------------------------------------------------------------------- comments, for editors
@blueprint.get(f"{COURSE}/comments")
@documented(
    "The course's comments with their replies, oldest first; each placed in the latest revision "
    "(block_removed when its block was deleted since)",
    query=(
        QueryParameter("state", "open or resolved (default: both)"),
        QueryParameter("block", "Only the comments pinned to this block id"),
    ),
    errors=(422,),
)
def list_comments(course_id: int) -> Any:
    record = course_for(db(), signed_in(), course_id)
    state = request.args.get("state") or None
    if state is not None and state not in STATES:
        raise ApiProblem(422, f"state: must be open or resolved, not {state[:40]!r}", "state")
    block = request.args.get("block") or None
    places = block_places(revision_snapshot(db(), record, record.head).document)
    comments = course_comments(db(), record, state=cast(States | None, state), block_id=block)
    return {
        "head_revision": record.head,
        "open": sum(1 for c in comments if c.state == "open"),
        "comments": [comment_json(c, places, for_editors=True) for c in comments],
    }


@blueprint.post(f"{COURSE}/comments")
@documented(
    "Comment on a block (a question in it, a second of a video) at a revision",
    access="write",
    status=201,
    body=EditorComment,
)
def create_comment(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(EditorComment, request.get_json(silent=True))
    revision = record.head if body.revision is None else body.revision
    document = revision_snapshot(db(), record, revision).document
    check_pin(document, body.block_id, body.question_id, body.video_second)
    pin = (body.block_id, body.question_id, body.video_second)
    comment = add_comment(db(), record, revision, pin, body.body, Author(user=user))
    db().commit()
    return _editor_view(record, comment), 201


@blueprint.post(f"{COURSE}/comments/<int:comment_id>/replies")
@documented("Reply to a comment (anyone who may see the course)", status=201, body=EditorReply)
def reply(course_id: int, comment_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id)
    comment = course_comment(db(), record, comment_id)
    body = parse_body(EditorReply, request.get_json(silent=True))
    add_reply(db(), comment, body.body, Author(user=user))
    db().commit()
    return _editor_view(record, comment), 201


@blueprint.patch(f"{COURSE}/comments/<int:comment_id>")
@documented("Resolve or reopen a comment", access="write", body=CommentState)
def change_state(course_id: int, comment_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    comment = course_comment(db(), record, comment_id)
    body = parse_body(CommentState, request.get_json(silent=True))
    set_state(comment, body.state, user)
    db().commit()
    return _editor_view(record, comment)


def _editor_view(record: CourseRecord, comment: ReviewComment) -> dict[str, Any]:
    places = block_places(revision_snapshot(db(), record, record.head).document)
    return {"comment": comment_json(comment, places, for_editors=True), "can_edit": can_edit(db(), signed_in(), record)}


# --------------------------------------------------------------------------- the reviewer's side
@blueprint.get(LINK)
@documented(
    "What a review link shows: the course's title, the revision, its pages and blocks",
    access=LINK_ACCESS,
    errors=REVIEWER_ERRORS,
)
def review(token: str) -> Any:
    link, record = open_link(db(), token)
    document = revision_snapshot(db(), record, link.revision).document
    return {
        "title": document.get("title", record.title),
        "revision": link.revision,
        "label": link.label,
        "expires_at": link_json(link, 0)["expires_at"],
        "pages": outline(document),
    }


@blueprint.get(f"{LINK}/comments")
@documented(
    "The comments made on the link's revision, with everyone's replies", access=LINK_ACCESS, errors=REVIEWER_ERRORS
)
def reviewer_comments(token: str) -> Any:
    link, record = open_link(db(), token)
    return {"revision": link.revision, "comments": _reviewer_view(link, record)}


@blueprint.post(f"{LINK}/comments")
@documented(
    "Comment, as the name given, on a block of the link's revision (a question in it, a second of a video); "
    "a browser sends the page's CSRF token",
    access=LINK_ACCESS,
    status=201,
    body=ReviewerComment,
    errors=REVIEWER_ERRORS,
)
def reviewer_comment(token: str) -> Any:
    link, record = open_link(db(), token)
    body = parse_body(ReviewerComment, _bounded_json())
    check_pin(
        revision_snapshot(db(), record, link.revision).document, body.block_id, body.question_id, body.video_second
    )
    count_write(db(), link, request.remote_addr or "unknown")
    pin = (body.block_id, body.question_id, body.video_second)
    comment = add_comment(db(), record, link.revision, pin, body.body, Author(name=body.name, link=link))
    db().commit()
    return {"comment_id": comment.id, "comments": _reviewer_view(link, record)}, 201


@blueprint.post(f"{LINK}/comments/<int:comment_id>/replies")
@documented(
    "Reply, as the name given, to a comment on the link's revision; a browser sends the page's CSRF token",
    access=LINK_ACCESS,
    status=201,
    body=ReviewerReply,
    errors=REVIEWER_ERRORS,
)
def reviewer_reply(token: str, comment_id: int) -> Any:
    link, record = open_link(db(), token)
    comment = course_comment(db(), record, comment_id)
    if comment.revision != link.revision:
        raise ApiProblem(404, f"comment {comment_id} is not on revision {link.revision}", "comment")
    body = parse_body(ReviewerReply, _bounded_json())
    count_write(db(), link, request.remote_addr or "unknown")
    add_reply(db(), comment, body.body, Author(name=body.name, link=link))
    db().commit()
    return {"comment_id": comment.id, "comments": _reviewer_view(link, record)}, 201


def _reviewer_view(link: ReviewLink, record: CourseRecord) -> list[dict[str, Any]]:
    places = block_places(revision_snapshot(db(), record, link.revision).document)
    return [comment_json(c, places, for_editors=False) for c in course_comments(db(), record, revision=link.revision)]


def _bounded_json() -> Any:
    """The request's JSON, refused unread (413) past ``MAX_WRITE_BYTES``: anyone holding a link
    may write through it, so a reviewer's body is held to a comment's size, not an upload's."""
    too_large = ApiProblem(
        413, f"the request is larger than {MAX_WRITE_BYTES // 1024} KiB", "body", limit=MAX_WRITE_BYTES
    )
    if request.content_length is not None and request.content_length > MAX_WRITE_BYTES:
        raise too_large
    request.max_content_length = MAX_WRITE_BYTES
    try:
        return request.get_json(silent=True)
    except RequestEntityTooLarge:
        raise too_large from None
