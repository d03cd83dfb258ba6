"""Editor accounts, made from the terminal (``courseforge users``) or on first start, and the
API tokens that let scripts call the editor without a browser session."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authoring.credentials import hash_password, new_token, password_problem, token_digest
from authoring.models import ApiToken, Role, User

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}$")
FIRST_ADMIN = "admin@localhost"


class AccountError(Exception):
    """An account that cannot be made as asked; the message names the field."""


def normal_email(email: str) -> str:
    """How an email is stored and looked up: trimmed, lower case."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    if not EMAIL.match(email):
        return f"{email!r} is not an email address (like ada@example.org)"
    return None


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normal_email(email)))


def add_user(session: Session, email: str, role: str, password: str | None) -> User:
    """A new account (flushed, not committed); ``password`` None makes a token-only account."""
    email = normal_email(email)
    problem = email_problem(email)
    if problem:
        raise AccountError(f"email: {problem}")
    if role not in {r.value for r in Role}:
        raise AccountError(f"role: {role!r} is not a role; choose admin, author or reviewer")
    if password is not None and (problem := password_problem(password)):
        raise AccountError(f"password: {problem}")
    if find_user(session, email) is not None:
        raise AccountError(f"email: an account for {email} already exists")
    user = User(email=email, role=role, password_hash=hash_password(password) if password is not None else None)
    session.add(user)
    session.flush()
    return user


def issue_token(session: Session, user: User) -> str:
    """A new API token for ``user``; only its digest is stored, so it is shown this once."""
    token = new_token()
    session.add(ApiToken(user_id=user.id, token_sha256=token_digest(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    found = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token)))
    return None if found is None else found.user


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))
