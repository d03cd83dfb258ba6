"""A real PostgreSQL server for the editor's persistence tests: Debian's package, one server per
test session in a temporary data folder on a free loopback port, and a fresh database per test.

PostgreSQL refuses to run as root, so when the tests run as root the server's commands run as
the ``postgres`` system user the package creates.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, f"PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/{name}): run ./scripts/bootstrap --test"
    return found[-1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The server's base URL (``postgresql+psycopg://postgres@127.0.0.1:PORT``), stopped at the end."""
    root = Path(tempfile.mkdtemp(prefix="courseforge-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
    data, log = root / "data", root / "server.log"
    subprocess.run(_as_server_user([_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                    "--no-sync"]), check=True, capture_output=True, timeout=120)
    port = _free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    started = subprocess.run(_as_server_user([_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
                                              "-t", "60", "start"]), capture_output=True, text=True, timeout=90)
    assert started.returncode == 0, started.stderr + (log.read_text() if log.exists() else "")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A new, empty database on the session's server for one test (dropped afterwards)."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = postgres_server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_server}/{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
