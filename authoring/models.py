"""The editor's tables. A course's content is not modelled here: each revision holds one
validated ``courses.Course`` document (its JSON) and the path -> SHA-256 map of its files, so the
course model stays the single place that knows what a course is.

Kept apart from the views so that migrations, the CLI and the tests use them without Flask.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import BigInteger, Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Naive UTC: both SQLite and PostgreSQL ``timestamp`` columns hold it unchanged."""
    return datetime.now(UTC).replace(tzinfo=None)


class Role(str, Enum):
    """What an account may do: admins everything; authors their own and shared courses;
    reviewers read the courses shared with them and change nothing."""

    ADMIN = "admin"
    AUTHOR = "author"
    REVIEWER = "reviewer"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def can_author(self) -> bool:
        return self.role in (Role.ADMIN.value, Role.AUTHOR.value)


class ApiToken(Base):
    """A token for automation; only its SHA-256 is kept, so a database leak reveals no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """One failed sign-in, counted per account and address within a time window. In the
    database, not in a process, so every editor process sees the same count."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_email_address_at", "email", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseRecord(Base):
    """A course in the editor: who owns it, its latest revision number and its search text."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    head: Mapped[int] = mapped_column(default=0)
    # The head revision's file map (its row's text) and its document's SHA-256, kept with the
    # head number so that a save can judge and change them in the one statement that moves the
    # head (``authoring.revisions``); read only by that statement, never loaded with the course.
    head_files: Mapped[str] = mapped_column(Text, default="{}", deferred=True)
    head_document_sha256: Mapped[str] = mapped_column(String(64), default="", deferred=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column()

    owner: Mapped[User] = relationship()


class CourseShare(Base):
    """A course shared with another account; a reviewer's share never allows changes."""

    __tablename__ = "course_shares"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    can_edit: Mapped[bool] = mapped_column(default=True)


class Revision(Base):
    """One saved state of a course: the whole validated document and its files, never changed
    once written. ``based_on`` is the revision the author was looking at when saving."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("course_id", "number", name="uq_revisions_course_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    based_on: Mapped[int | None] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(String(500))
    document: Mapped[str] = mapped_column(Text)
    files: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class TextBlob(Base):
    """A small file a save wrote (a text block's Markdown), by the SHA-256 of its bytes like any
    blob, kept in the database and committed in the transaction of the revision that names it:
    durable with it, without a file of its own to write and sync first. Read through
    ``authoring.text_blobs.DatabaseBlobs`` as the blob store's other blobs are; never changed once
    written."""

    __tablename__ = "text_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Build(Base):
    """One package built from a course revision in the editor: while it runs, the step and
    fraction the build reports; when done, the zip's blob and size; when failed, its problems
    (``Problem`` lines, as JSON). In the database, so any editor process can answer a poll."""

    __tablename__ = "builds"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column()
    format: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="running")
    step: Mapped[str] = mapped_column(String(200), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    size: Mapped[int | None] = mapped_column(BigInteger)
    blob_sha256: Mapped[str | None] = mapped_column(String(64))
    problems: Mapped[str] = mapped_column(Text, default="[]")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class MediaUpload(Base):
    """A media file sent to a course in chunks, then checked, stored and transcoded. Its bytes
    so far are in a file under the data folder; how many have arrived (``received``), what
    became of the file and the progress of its media job are here, so every editor process
    answers the same offset and status, and any of them takes the next chunk."""

    __tablename__ = "media_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(255))  # the safe file name, as the course file will be named
    kind: Mapped[str] = mapped_column(String(16))  # video, audio, image or captions
    size: Mapped[int] = mapped_column(BigInteger)  # as declared when the upload began
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    base_revision: Mapped[int] = mapped_column()  # the revision the author saw when it began
    block_id: Mapped[str | None] = mapped_column(String(64))  # the block it is for (once added, the new one)
    page_id: Mapped[str | None] = mapped_column(String(64))  # with no block: the page a new block goes on
    new_block: Mapped[str | None] = mapped_column(Text)  # that new block's other fields (JSON)
    status: Mapped[str] = mapped_column(String(16), default="receiving")
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # of the media job, 0 to 1
    path: Mapped[str | None] = mapped_column(String(500))  # the course file it became
    blob_sha256: Mapped[str | None] = mapped_column(String(64))
    revision: Mapped[int | None] = mapped_column()  # the revision that added it
    problems: Mapped[str] = mapped_column(Text, default="[]")  # why it was refused or its job failed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class ReviewLink(Base):
    """A link an author sends to someone without an account to review one revision of a course:
    only the SHA-256 of its token is kept (like ``ApiToken``), so the address is shown once, and a
    database leak opens no course. Revoking keeps the row, so its comments still say where they
    came from."""

    __tablename__ = "review_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column()  # the revision the reviewer sees, frozen
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    created_by: Mapped[User | None] = relationship()


class ReviewComment(Base):
    """A comment pinned to a block (and within it to a question, or to a second of a video) by
    the element's stable id, so it stays on its block however the course is edited later; the
    revision it was made on is kept to say what the commenter saw. Written by a reviewer through
    a link (``author_name``) or by an editor account (``author_id``)."""

    __tablename__ = "review_comments"
    __table_args__ = (Index("ix_review_comments_course_id_revision", "course_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column()
    block_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str | None] = mapped_column(String(64))
    video_second: Mapped[int | None] = mapped_column()
    link_id: Mapped[int | None] = mapped_column(ForeignKey("review_links.id", ondelete="SET NULL"))
    author_name: Mapped[str | None] = mapped_column(String(80))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    link: Mapped[ReviewLink | None] = relationship()
    replies: Mapped[list[ReviewReply]] = relationship(order_by="ReviewReply.id", cascade="all, delete-orphan")


class ReviewReply(Base):
    """One reply in a comment's thread, by a reviewer through a link or by an editor account."""

    __tablename__ = "review_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("review_comments.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("review_links.id", ondelete="SET NULL"))
    author_name: Mapped[str | None] = mapped_column(String(80))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class ReviewWrite(Base):
    """One comment or reply sent through a review link, counted per link and address within a
    time window (``authoring.review``), in the database like ``LoginFailure``, so every editor
    process enforces the same limit on a link anyone holding it may write through."""

    __tablename__ = "review_writes"
    __table_args__ = (Index("ix_review_writes_link_id_address_at", "link_id", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("review_links.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class NarrationJob(Base):
    """A voice-over made in the editor from a narration block's script: the very speech job a
    build makes of that script with the course's voice (``media.jobs.tts_job``), so its outputs,
    in the media cache under ``job_key``, are the build's too. Its status is here, so every
    editor process answers a poll and serves the audio."""

    __tablename__ = "narration_jobs"
    __table_args__ = (Index("ix_narration_jobs_course_id_block_id", "course_id", "block_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    block_id: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    script_sha256: Mapped[str] = mapped_column(String(64))  # of the script spoken, to tell a stale preview
    voice: Mapped[str] = mapped_column(Text)  # engine, voice and speed used (JSON)
    job_key: Mapped[str] = mapped_column(String(64))  # the media cache key of its outputs
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    duration: Mapped[float | None] = mapped_column(Float)
    outputs: Mapped[str | None] = mapped_column(Text)  # once done: the cache folder and its files (JSON)
    problems: Mapped[str] = mapped_column(Text, default="[]")  # why it failed (``Problem`` lines, as JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
