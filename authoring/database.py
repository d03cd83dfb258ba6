"""The editor's database: one engine per app, a session per request, and the Alembic upgrade
that every start runs first, so a database is never used at an older schema than the code.

SQLite is the embedded default (WAL mode and a busy timeout, so several editor processes on one
machine can share the file); ``COURSEFORGE_DATABASE_URL`` selects PostgreSQL instead.

A save runs in a write transaction (``write_transaction``): on SQLite it starts with ``BEGIN
IMMEDIATE``, taking the database's write lock before anything is read; on PostgreSQL it waits
for row locks (``SELECT ... FOR UPDATE``, ``UPDATE``) at most ``LOCK_WAIT_SECONDS``, its
connections' ``lock_timeout``. So saves to one course wait for each other instead of each doing
its work and finding another got there first.
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

REPOSITORY = Path(__file__).resolve().parents[1]
ALEMBIC_INI = REPOSITORY / "alembic.ini"
LOCK_WAIT_SECONDS = 30
"""How long a write waits for another's lock before giving up (SQLite's busy timeout, PostgreSQL's
``lock_timeout`` in a write transaction)."""


class DatabaseError(Exception):
    """A database URL that cannot be used; the message names the setting to fix."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, and its connections set up for
    sharing between processes."""
    try:
        parsed = make_url(url)
    except Exception as error:  # noqa: BLE001 - SQLAlchemy raises several kinds for a bad URL
        raise DatabaseError(f"COURSEFORGE_DATABASE_URL: {error}") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver installed
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": LOCK_WAIT_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(
            f"COURSEFORGE_DATABASE_URL: {parsed.get_backend_name()!r} is not supported; "
            "give sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME"
        )
    # Every connection waits for a row lock at most LOCK_WAIT_SECONDS (only writes take them),
    # set once when it connects rather than in each write transaction, a round trip per save.
    return create_engine(parsed, pool_pre_ping=True, connect_args={"options": f"-c lock_timeout={LOCK_WAIT_SECONDS}s"})


def _sqlite_pragmas(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def write_transaction(session: Session) -> None:
    """Make the session's transaction a write transaction (see the module's note). On SQLite a
    transaction that wrote already is committed first, then ``BEGIN IMMEDIATE``; on PostgreSQL,
    at READ COMMITTED, the same transaction goes on, since a ``FOR UPDATE`` read waits for the
    row and then sees its latest version. A lock not had in time raises SQLAlchemy's
    ``OperationalError``: here on SQLite, at the statement that waited on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return  # its connections wait LOCK_WAIT_SECONDS at most for a lock (``make_engine``)
    # pysqlite begins a transaction before a statement that writes, never before a read: after
    # reads alone the connection is in none, and the write transaction can begin on it at once.
    if getattr(session.connection().connection.dbapi_connection, "in_transaction", False):
        session.commit()
    session.connection().exec_driver_sql("BEGIN IMMEDIATE")


class WriterTurns:
    """Whose turn it is to write to one SQLite file: a lock for the threads of this process, then
    an exclusive ``flock`` on ``<database>.writers`` shared with every other process writing to it
    (the kernel wakes the next waiter the moment it is let go, and lets go of it for a process
    that dies). An in-memory database has no file to share: the first lock alone."""

    def __init__(self, database: str | None) -> None:
        self.threads = threading.Lock()
        self.file = None if not database or database == ":memory:" else open(f"{database}.writers", "a+b")  # noqa: SIM115 - kept open as long as the engine

    def acquire(self, timeout: float) -> bool:
        if not self.threads.acquire(timeout=timeout):
            return False
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_EX)  # held by a save of another process at most
        return True

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
        self.threads.release()


_turns: weakref.WeakKeyDictionary[Engine, WriterTurns] = weakref.WeakKeyDictionary()
_turns_lock = threading.Lock()


@contextmanager
def one_writer(session: Session) -> Iterator[None]:
    """A write transaction (``write_transaction``) that ends within the block. On SQLite the
    saves of every editor process take turns at it first (``WriterTurns``), each woken the
    moment the one before is done: SQLite's busy handler, which writers waiting for its lock are
    left to otherwise, sleeps 1, 2, 5, 10, 15... ms between tries, so the lock stands free while
    they sleep and a few unlucky saves wait far longer than the rest. Waiting longer than
    ``LOCK_WAIT_SECONDS`` for this process's turn raises SQLite's own "database is locked"
    ``OperationalError``, as its busy timeout does."""
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        write_transaction(session)
        yield
        return
    with _turns_lock:
        turns = _turns.get(engine)
        if turns is None:
            turns = _turns[engine] = WriterTurns(engine.url.database)
    if not turns.acquire(timeout=LOCK_WAIT_SECONDS):
        raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
    try:
        write_transaction(session)
        yield
    finally:
        turns.release()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest migration (creating it from nothing on first start)."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(REPOSITORY / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self.sessions()

    def upgrade(self) -> None:
        upgrade(self.engine)
