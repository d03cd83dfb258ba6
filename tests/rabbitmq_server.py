"""A real RabbitMQ server for the media worker tests: one per test session, a fresh vhost per test.

Debian's ``rabbitmq-server`` package, started through its own script in a temporary folder as
whoever runs the tests: its node name, ports, database, logs, plugins (none), config and Erlang
cookie (``HOME``) all point into that folder, Erlang's port mapper (epmd) runs on a free port of
its own, and everything listens on loopback only. So it never meets the system's RabbitMQ (if
one runs) or another session's. The vhosts are declared at boot from a definitions file, since
RabbitMQ's command-line tools take seconds per call.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import amqp
import pytest

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")  # the package's script, not the root-only wrapper
VHOSTS = 32
START_SECONDS = 90
USER = PASSWORD = "courseforge"


@dataclass
class RabbitMQ:
    """A running server; ``fresh_url()`` is a broker URL on a vhost no other test has used."""

    port: int
    vhosts: Iterator[str] = field(default_factory=lambda: iter(f"test{n}" for n in range(1, VHOSTS + 1)))

    def fresh_url(self) -> str:
        return f"amqp://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{next(self.vhosts)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _installed() -> str:
    epmd = shutil.which("epmd")
    if not SERVER.exists() or epmd is None:
        pytest.fail(f"RabbitMQ is not installed (no {SERVER} or epmd): run ./scripts/bootstrap --test")
    return epmd


def password_hash(password: str) -> str:
    """RabbitMQ's stored form of a password (rabbit_password_hashing_sha256): a definitions file
    that names users is all the users a new node gets, so it must hold one to log in with."""
    salt = os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def _answers(port: int, vhost: str) -> bool:
    """An AMQP login on ``vhost`` works: the broker has booted and loaded its definitions."""
    try:
        connection = amqp.Connection(f"127.0.0.1:{port}", userid=USER, password=PASSWORD, virtual_host=vhost,
                                     connect_timeout=2)
        connection.connect()
    except (OSError, *amqp.Connection.connection_errors):
        return False
    connection.close()
    return True


def _stop(process: subprocess.Popen, seconds: float) -> None:
    if process.poll() is None:
        process.terminate()  # the script passes SIGTERM on to the Erlang VM and waits for it
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def rabbitmq_server(tmp_path_factory) -> Iterator[RabbitMQ]:
    epmd_program = _installed()
    root = tmp_path_factory.mktemp("rabbitmq")
    port, dist_port, epmd_port = free_port(), free_port(), free_port()
    vhosts = [f"test{n}" for n in range(1, VHOSTS + 1)]
    (root / "definitions.json").write_text(json.dumps({
        "users": [{"name": USER, "password_hash": password_hash(PASSWORD), "tags": "administrator",
                   "hashing_algorithm": "rabbit_password_hashing_sha256"}],
        "vhosts": [{"name": name} for name in vhosts],
        "permissions": [{"user": USER, "vhost": name, "configure": ".*", "write": ".*", "read": ".*"}
                        for name in vhosts],
    }))
    (root / "rabbitmq.conf").write_text(
        f"listeners.tcp.default = 127.0.0.1:{port}\n"
        f"load_definitions = {root / 'definitions.json'}\n"
        "log.console = false\n"
        "disk_free_limit.absolute = 50MB\n"
    )
    (root / "enabled_plugins").write_text("[].\n")
    (root / "rabbitmq-env.conf").write_text("")
    env = {
        **os.environ,
        "HOME": str(root),  # where the Erlang cookie is made, and read by the CLI tools
        "ERL_EPMD_PORT": str(epmd_port),
        "RABBITMQ_NODENAME": f"courseforge-test-{port}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        "RABBITMQ_MNESIA_BASE": str(root / "mnesia"),
        "RABBITMQ_LOG_BASE": str(root / "log"),
        "RABBITMQ_PID_FILE": str(root / "rabbitmq.pid"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(root / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(root / "rabbitmq.conf"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(root / "advanced.config"),
        "RABBITMQ_CONF_ENV_FILE": str(root / "rabbitmq-env.conf"),
    }
    epmd = subprocess.Popen([epmd_program, "-port", str(epmd_port), "-address", "127.0.0.1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    log = root / "server.log"
    server = subprocess.Popen([str(SERVER)], cwd=root, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers(port, vhosts[0]):
            if server.poll() is not None or time.monotonic() > deadline:
                logs = "".join(p.read_text() for p in [log, *sorted((root / "log").glob("*.log"))] if p.exists())
                raise RuntimeError(f"rabbitmq-server did not start within {START_SECONDS} s:\n{logs[-4000:]}")
            time.sleep(0.2)
        yield RabbitMQ(port)
    finally:
        _stop(server, 60)
        _stop(epmd, 10)
