"""The deploy recipe run for real on free loopback ports: deploy/up brings up Varnish -> nginx
-> three gunicorn nodes serving a published course, is idempotent, survives one node killed
whole (SIGKILL of its master and workers) under a request loop with zero failed requests,
brings the node back, and deploy/down leaves no process of it."""

from __future__ import annotations

import http.client
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import write_course_folder
from delivery_servers import REPO, free_port

from deploy import processes
from deploy.stack import DeployError, DeploySettings, kill_node, read_state, stored_objects
from exporters.build import build_site
from exporters.publish import publish_site
from storage import LocalStorage

COURSE = "deployed"
UP, DOWN = REPO / "deploy" / "up", REPO / "deploy" / "down"


def distinct_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


def run(script: Path, *args: str) -> str:
    done = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def refused(port: int, within: float = 3.0) -> bool:
    """Whether nothing answers on ``port`` any more: refused, or reset by a socket the kernel is
    still tearing down after its process was killed (checked again until ``within`` seconds)."""
    deadline = time.monotonic() + within
    while True:
        try:
            get(port, "/healthz")
        except (ConnectionRefusedError, ConnectionResetError):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def stack_processes(state: Path) -> list:
    """Every process the stack in ``state`` recorded, with their children (read before ``down``)."""
    recorded = list(read_state(state).processes.values())  # type: ignore[union-attr]
    return [*recorded, *(child for process in recorded for child in processes.children(process))]


def assert_taken_down(stopped: str, family: list, ports) -> None:
    """``deploy/down`` (which printed ``stopped``) stopped every part, left no process of ``family``
    running and no port listening."""
    for name in ("varnish", "nginx", "node-1", "node-2", "node-3"):
        assert f"stopped {name}" in stopped
    assert not any(processes.alive(process) for process in family)
    assert all(refused(port) for port in ports)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("deploy-course")
    site = build_site(write_course_folder(root / "course"), "web", root / "site").path
    (site / "media" / "clip.mp4").write_bytes(os.urandom(200_000))
    store = root / "store"
    return store, publish_site(site, COURSE, LocalStorage(store)).version


@pytest.mark.services
@pytest.mark.slow
def test_up_serves_through_varnish_survives_a_killed_node_and_down_stops_everything(published, tmp_path):
    store, version = published
    state = tmp_path / "state"
    entry, balancer, *nodes = distinct_ports(5)
    args = ["--storage", str(store), "--state", str(state), "--port", str(entry)]
    args += ["--balancer-port", str(balancer), "--node-ports", ",".join(map(str, nodes))]
    try:
        first = run(UP, *args)
        assert "started: node-1, node-2, node-3, nginx, varnish" in first
        assert f"{COURSE}: http://127.0.0.1:{entry}/c/{COURSE}/" in first
        assert f"--delivery-url http://127.0.0.1:{entry}" in first
        stack = read_state(state)
        assert stack is not None
        recorded = dict(stack.processes)
        assert "already up: nothing started" in run(UP, *args)
        assert read_state(state).processes == recorded  # type: ignore[union-attr]

        # Through Varnish: the pointer passes to a node, versioned files are cached with brotli kept.
        status, headers, _ = get(entry, f"/c/{COURSE}/?lms=1")
        assert (status, headers["location"]) == (302, f"/c/{COURSE}/v/{version}/index.html?lms=1")
        app = f"/c/{COURSE}/v/{version}/js/app.js"
        get(entry, app, {"Accept-Encoding": "gzip, deflate, br"})
        status, headers, _ = get(entry, app, {"Accept-Encoding": "gzip, deflate, br"})
        assert (status, headers["content-encoding"], headers["x-cache"]) == (200, "br", "hit")
        status, headers, body = get(entry, f"/c/{COURSE}/v/{version}/media/clip.mp4", {"Range": "bytes=0-1"})
        assert (status, headers["content-range"], len(body)) == (206, "bytes 0-1/200000", 2)

        # A bounded loop of pointer lookups (each one reaches a node) and file requests, while
        # node 2 is killed whole and then brought back by deploy/up.
        outcomes: list[int | str] = []
        lock = threading.Lock()
        stop = threading.Event()
        stop_at = time.monotonic() + 25

        def learner(number: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", entry, timeout=10)
            for request in range(500):
                if stop.is_set() or time.monotonic() > stop_at:
                    break
                path = f"/c/{COURSE}/?learner={number}-{request}" if request % 2 else app
                try:
                    connection.request("GET", path)
                    answer = connection.getresponse()
                    answer.read()
                    outcome: int | str = answer.status
                except (OSError, http.client.HTTPException) as error:
                    outcome = repr(error)
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", entry, timeout=10)
                with lock:
                    outcomes.append(outcome)
                time.sleep(0.01)
            connection.close()

        def wait_for(count: int) -> None:
            while len(outcomes) < count and time.monotonic() < stop_at:
                time.sleep(0.01)

        learners = [threading.Thread(target=learner, args=(n,)) for n in range(4)]
        for thread in learners:
            thread.start()
        wait_for(100)
        killed = kill_node(stack, 2)
        assert len(killed) == 3  # the master and its two workers
        assert not any(processes.alive(process) for process in killed)
        assert refused(nodes[1])
        wait_for(len(outcomes) + 100)
        assert "started: node-2" in run(UP, *args)
        wait_for(len(outcomes) + 100)
        stop.set()
        for thread in learners:
            thread.join()
        failed = [outcome for outcome in outcomes if outcome not in (200, 302)]
        assert len(outcomes) >= 300 and failed == []
        # The dead node was really asked (and the request passed on to another), not just skipped.
        log = (state / "nginx" / "error.log").read_text()
        assert f'upstream: "http://127.0.0.1:{nodes[1]}/' in log
        assert get(nodes[1], "/healthz")[0] == 200
        family = stack_processes(state)
    finally:
        stopped = run(DOWN, "--state", str(state))
    assert_taken_down(stopped, family, (entry, balancer, *nodes))
    assert "nothing runs from" in run(DOWN, "--state", str(state))


def test_settings_name_what_is_wrong(tmp_path):
    with pytest.raises(DeployError) as caught:
        DeploySettings.parse(
            "deploy up",
            {"storage_url": str(tmp_path), "state": "relative", "entry_port": 8080, "node_ports": [8080, 70000]},
        )
    messages = [str(problem) for problem in caught.value.problems]
    assert "deploy up: state: 'relative' must be an absolute path" in messages
    assert any("node_ports" in m and "70000 is not a port" in m for m in messages)
    with pytest.raises(DeployError) as caught:
        DeploySettings.parse("deploy up", {"storage_url": str(tmp_path), "state": str(tmp_path), "balancer_port": 8080})
    assert "the entry, balancer and node ports must all differ" in str(caught.value)
    bucket = DeploySettings(storage_url="s3://courses/prod?endpoint_url=http://127.0.0.1:9", state=tmp_path)
    assert stored_objects(bucket) == {"objects_url": "http://127.0.0.1:9/courses/prod/"}
    folder = DeploySettings(storage_url=str(tmp_path / "store"), state=tmp_path)
    assert stored_objects(folder) == {"objects_root": (tmp_path / "store").resolve()}
    with pytest.raises(DeployError) as caught:
        stored_objects(DeploySettings(storage_url="ftp://courses/prod", state=tmp_path))
    assert "unknown scheme 'ftp'" in str(caught.value)
