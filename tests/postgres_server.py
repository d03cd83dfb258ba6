"""A real PostgreSQL server for the editor's persistence tests (``deploy.postgres``): one server
per test session, and a fresh database per test."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from deploy.postgres import fresh_database
from deploy.postgres import postgres_server as running_server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The server's base URL (``postgresql+psycopg://postgres@127.0.0.1:PORT``), stopped at the end."""
    with running_server() as url:
        yield url


@pytest.fixture
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A new, empty database on the session's server for one test (dropped afterwards)."""
    with fresh_database(postgres_server) as url:
        yield url
