"""What a request works with: the app's settings, database and blob store (set up once by
``create_app``), this request's database session and the signed-in account."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, g
from sqlalchemy.orm import Session

from authoring.database import Database
from authoring.models import User
from authoring.problems import ApiProblem
from settings import Settings
from storage import BlobStore

EXTENSION = "courseforge"


@dataclass(frozen=True)
class Editor:
    """Everything the app shares between requests; nothing in it changes after start."""

    settings: Settings
    database: Database
    blobs: BlobStore
    scratch: Path  # where uploads are spooled and unpacked, inside the data folder


def editor() -> Editor:
    state: Editor = current_app.extensions[EXTENSION]
    return state


def db() -> Session:
    """This request's session, closed when the request ends."""
    if "db" not in g:
        g.db = editor().database.session()
    session: Session = g.db
    return session


def blobs() -> BlobStore:
    return editor().blobs


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def signed_in() -> User:
    """The signed-in account, or 401."""
    user = current_user()
    if user is None:
        raise ApiProblem(401, "sign in first, or send an API token as Authorization: Bearer TOKEN")
    return user


def signed_in_author() -> User:
    """The signed-in account, if it may create courses (admins and authors), or 403."""
    user = signed_in()
    if not user.can_author:
        raise ApiProblem(403, "reviewers read the courses shared with them; they cannot create courses", "role")
    return user
