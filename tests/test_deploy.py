"""The deploy recipe run for real on free loopback ports: deploy/up brings up Varnish -> nginx
-> three gunicorn nodes serving a published course, is idempotent, survives one node killed
whole (SIGKILL of its master and workers) under a request loop with zero failed requests,
brings the node back, and deploy/down leaves no process of it. Varnish keeps the pointer's
answer for its short TTL, one copy whatever the LMS's query (each learner's put back), and a
publish or a rollback is seen when that copy expires."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import write_course_folder
from delivery_servers import REPO, free_port

from deploy import processes
from deploy.__main__ import main as deploy_main
from deploy.stack import DeployError, DeploySettings, down, kill_node, read_state, stored_objects, up
from exporters.build import build_site
from exporters.publish import publish_site, rollback
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
def built_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("deploy-course")
    site = build_site(write_course_folder(root / "course"), "web", root / "site").path
    (site / "media" / "clip.mp4").write_bytes(os.urandom(200_000))
    return site


@pytest.fixture(scope="module")
def published(built_site, tmp_path_factory) -> tuple[Path, str]:
    store = tmp_path_factory.mktemp("deploy-store")
    return store, publish_site(built_site, COURSE, LocalStorage(store)).version


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
        again = read_state(state)
        assert again is not None and again.processes == recorded

        # Through Varnish: the pointer keeps the LMS's query and the browser still revalidates;
        # versioned files are cached with brotli kept.
        status, headers, _ = get(entry, f"/c/{COURSE}/?lms=1")
        assert (status, headers["location"]) == (302, f"/c/{COURSE}/v/{version}/index.html?lms=1")
        assert (headers["cache-control"], headers["etag"]) == ("no-cache", f'"{version}"')
        app = f"/c/{COURSE}/v/{version}/js/app.js"
        get(entry, app, {"Accept-Encoding": "gzip, deflate, br"})
        status, headers, _ = get(entry, app, {"Accept-Encoding": "gzip, deflate, br"})
        assert (status, headers["content-encoding"], headers["x-cache"]) == (200, "br", "hit")
        status, headers, body = get(entry, f"/c/{COURSE}/v/{version}/media/clip.mp4", {"Range": "bytes=0-1"})
        assert (status, headers["content-range"], len(body)) == (206, "bytes 0-1/200000", 2)

        # A bounded loop of pointer lookups at nginx (Varnish would answer most of them from its
        # copy: there each one reaches a node) and file requests through Varnish, while node 2 is
        # killed whole and then brought back by deploy/up.
        outcomes: list[int | str] = []
        lock = threading.Lock()
        stop = threading.Event()
        stop_at = time.monotonic() + 25

        def learner(number: int) -> None:
            connections = {
                port: http.client.HTTPConnection("127.0.0.1", port, timeout=10) for port in (entry, balancer)
            }
            for request in range(500):
                if stop.is_set() or time.monotonic() > stop_at:
                    break
                port, path = (balancer, f"/c/{COURSE}/?learner={number}-{request}") if request % 2 else (entry, app)
                try:
                    connections[port].request("GET", path)
                    answer = connections[port].getresponse()
                    answer.read()
                    outcome: int | str = answer.status
                except (OSError, http.client.HTTPException) as error:
                    outcome = repr(error)
                    connections[port].close()
                    connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                with lock:
                    outcomes.append(outcome)
                time.sleep(0.01)
            for connection in connections.values():
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


@pytest.mark.services
@pytest.mark.slow
def test_varnish_keeps_the_pointer_for_its_ttl_and_a_publish_or_rollback_is_seen_when_it_expires(built_site, tmp_path):
    storage = LocalStorage(tmp_path / "store")
    first = publish_site(built_site, COURSE, storage).version
    changed = shutil.copytree(built_site, tmp_path / "site-2")
    (changed / "media" / "clip.mp4").write_bytes(os.urandom(200_000))
    entry, balancer, *nodes = distinct_ports(5)
    settings = DeploySettings(
        storage_url=str(storage.root),
        state=tmp_path / "state",
        entry_port=entry,
        balancer_port=balancer,
        node_ports=tuple(nodes),
        node_workers=1,
        pointer_ttl=2,
    )

    def launch(query: str) -> tuple[str, str, int]:
        """The launch URL's redirect through Varnish: its version, X-Cache and Age."""
        status, headers, _ = get(entry, f"/c/{COURSE}/?{query}")
        assert (status, headers["cache-control"]) == (302, "no-cache")  # browsers still revalidate
        location = headers["location"]
        version = location.split("/v/")[1].split("/")[0]
        assert location == f"/c/{COURSE}/v/{version}/index.html?{query}"
        assert headers["etag"] == f'"{version}"'
        return version, headers["x-cache"], int(headers["age"])

    def until_seen(version: str, old: str) -> None:
        """Launch until ``version`` is served: before it only ``old``, from the copy Varnish kept,
        never older than the TTL; the launch page named is there."""
        seen = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            seen.append(launch("lms=https%3A%2F%2Flms.example.org&learner=7"))
            if seen[-1][0] == version:
                break
            time.sleep(0.05)
        assert seen[-1][0] == version
        assert all(got == old and cache == "hit" and age < settings.pointer_ttl for got, cache, age in seen[:-1])
        assert get(entry, f"/c/{COURSE}/v/{version}/index.html")[0] == 200

    try:
        up(settings, say=lambda _: None)
        assert launch("lms=a")[0] == first
        # One copy for every LMS query: the next launches are hits, each with its own query back
        # (a few tries, should the copy expire between two of them).
        outcomes = [launch(f"lms=b&learner={number}") for number in range(5)]
        assert ("hit" in [cache for _, cache, _ in outcomes]) and {v for v, _, _ in outcomes} == {first}
        status, headers, _ = get(entry, f"/c/{COURSE}/")
        assert (status, headers["location"]) == (302, f"/c/{COURSE}/v/{first}/index.html")
        assert get(entry, "/c/never-published/")[0] == 404
        # The origin was asked for the pointer without the query, once per copy (nginx writes its
        # access log within a second).
        asked: list[str] = []
        deadline = time.monotonic() + 10
        while not asked and time.monotonic() < deadline:
            time.sleep(0.2)
            log = (settings.state / "nginx" / "access.log").read_text().splitlines()
            asked = [line for line in log if f"GET /c/{COURSE}/" in line and "/v/" not in line]
        assert asked and all(f'"GET /c/{COURSE}/ HTTP/1.1"' in line for line in asked)
        assert len(asked) < 1 + len(outcomes) + 1

        second = publish_site(changed, COURSE, storage).version
        assert second != first
        until_seen(second, old=first)
        rollback(storage, COURSE)
        until_seen(first, old=second)
    finally:
        down(settings.state, say=lambda _: None)


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


def test_deploy_up_refuses_a_pointer_ttl_out_of_range_before_starting_anything(tmp_path, capsys):
    state = tmp_path / "state"
    assert deploy_main(["up", "--storage", str(tmp_path), "--state", str(state), "--pointer-ttl", "61"]) == 1
    error = capsys.readouterr().err
    assert "deploy up: failed" in error and "pointer_ttl" in error and "60" in error
    assert not state.exists()
