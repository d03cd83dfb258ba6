"""`courseforge users add EMAIL --role admin|author|reviewer [--token]`, `users token EMAIL`,
`users list`: editor accounts from the terminal. A new account's password is generated and
printed once (or read from standard input with ``--password-stdin``); a token is printed once
and only its digest kept."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@contextmanager
def _session() -> Iterator[Session]:
    from authoring.database import Database, DatabaseError
    from settings import Settings

    try:
        database = Database(Settings().database_url)
        database.upgrade()
    except DatabaseError as error:
        raise click.ClickException(str(error)) from None
    session = database.session()
    try:
        yield session
    finally:
        session.close()
        database.engine.dispose()


@click.group("users")
def command() -> None:
    """Manage editor accounts."""


@command.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "author", "reviewer"]), required=True, help="What it may do.")
@click.option("--token", is_flag=True, help="Also print an API token for this account.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of making one.")
def add(email: str, role: str, token: bool, password_stdin: bool) -> None:
    """Add an account for EMAIL."""
    from authoring.accounts import AccountError, add_user, issue_token
    from authoring.credentials import new_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else new_password()
    with _session() as session:
        try:
            user = add_user(session, email, role, password)
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        issued = issue_token(session, user) if token else None
        session.commit()
    click.echo(f"Added {user.email} ({role}).")
    if not password_stdin:
        click.echo(f"  password: {password}  (shown only this once)")
    if issued:
        click.echo(f"  API token: {issued}  (shown only this once; send it as Authorization: Bearer TOKEN)")


@command.command("token")
@click.argument("email")
def token(email: str) -> None:
    """Print a new API token for EMAIL's account."""
    from authoring.accounts import find_user, issue_token

    with _session() as session:
        user = find_user(session, email)
        if user is None:
            raise click.ClickException(f"email: no account for {email}")
        issued = issue_token(session, user)
        session.commit()
    click.echo(issued)


@command.command("list")
def list_users() -> None:
    """List the accounts and their roles."""
    from sqlalchemy import select

    from authoring.models import User

    with _session() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            click.echo(f"{user.email}\t{user.role}")
