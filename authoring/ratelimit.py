"""Sign-in attempts limited per account and address, counted in the database within a time
window (no process keeps state, so any number of editor processes enforce one limit)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from authoring.models import LoginFailure, utcnow

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def wait_seconds(session: Session, email: str, address: str) -> int:
    """Seconds until this account may be tried again from this address (0: now)."""
    since = utcnow() - WINDOW
    failures = session.scalars(
        select(LoginFailure.at)
        .where(LoginFailure.email == email, LoginFailure.address == address, LoginFailure.at > since)
        .order_by(LoginFailure.at.desc())
        .limit(MAX_FAILURES)
    ).all()
    if len(failures) < MAX_FAILURES:
        return 0
    oldest = min(failures)
    return max(1, int((oldest + WINDOW - utcnow()).total_seconds()) + 1)


def record_failure(session: Session, email: str, address: str) -> None:
    session.add(LoginFailure(email=email, address=address))
    # Old rows are no use to anyone: dropped as new ones come, so the table stays small.
    session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - WINDOW))


def clear_failures(session: Session, email: str, address: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.address == address))
