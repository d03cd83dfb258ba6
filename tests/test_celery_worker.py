"""Media jobs through a real broker (Redis and RabbitMQ) and real Celery workers, including a
worker killed mid-job.

Each test session starts its own redis-server and rabbitmq-server on free loopback ports (in
temporary folders, see rabbitmq_server.py), and each test its own worker subprocess on its own
Redis database or RabbitMQ vhost, so tests and xdist workers never share a queue. Every test
runs once per broker.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import kombu
import pytest
import redis
from kombu.utils.url import maybe_sanitize_url
from rabbitmq_server import free_port, rabbitmq_server  # noqa: F401 - fixture

from media.runners import JobsFailed, RunnerUnavailable
from media.runners.brokers import QUEUE
from media.runners.celery_app import MAX_DELIVERIES, TransientJobError
from media.runners.celery_runner import BrokerRefused, BrokerUnreachable, CeleryRunner, NoWorkers
from settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")
JOB = f"{__name__}.encode_into_cache"
# Short, so that the visibility timeout derived from it (job_timeout + 2 x 5 s grace = 20 s) lets
# Redis hand a dead worker's job to another worker within the test (RabbitMQ needs no timeout:
# it takes the job back when the worker's connection closes). See media/runners/celery_app.py.
JOB_TIMEOUT = 10.0

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.xdist_group("celery-worker")]


def encode_into_cache(job: dict, progress=None) -> dict:
    """A real media job with the pipeline's cache discipline, run inside the Celery worker.

    The output is named by a hash of the job, encoded under ``.partial/`` and renamed into place,
    so a second run of the same job (redelivery) finds or rewrites the same single file. A run
    first clears partial files an earlier, dead run of the same job left behind. Every start is
    logged (with the worker process id) to ``job["attempts"]``; encoding is paced at real time
    (-re), so the job takes ``seconds`` however idle the machine is.
    """
    with open(job["attempts"], "a") as log:
        log.write(f"{os.getpid()}\n")
    cache = get_settings().cache_dir
    key = hashlib.sha256(json.dumps({k: job[k] for k in ("seconds", "input") if k in job}, sort_keys=True).encode())
    out = cache / f"{key.hexdigest()[:16]}.mp4"
    if out.exists():
        return {"output": str(out), "cached": True}
    partials = cache / ".partial"
    partials.mkdir(parents=True, exist_ok=True)
    for stale in partials.glob(f"{out.stem}-*"):
        stale.unlink()
    partial = partials / f"{out.stem}-{os.getpid()}.mp4"
    source = ["-i", job["input"]] if "input" in job else [
        "-re", "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:duration={job['seconds']}"]
    proc = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1", "-y",
         *source, "-c:v", "libx264", "-preset", "ultrafast", "-f", "mp4", str(partial)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    for line in proc.stdout:
        key_, _, value = line.strip().partition("=")
        if key_ == "out_time_us" and value.isdigit() and progress:
            progress(int(value) / 1e6 / job["seconds"])
    errors = proc.stderr.read().strip()
    if proc.wait() != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"ffmpeg failed: {errors.splitlines()[-1] if errors else proc.returncode}")
    os.replace(partial, out)
    return {"output": str(out), "cached": False}


def kill_own_process(job: dict, progress=None) -> dict:
    """A job that takes its worker's pool process down with it, every time it is delivered."""
    with open(job["attempts"], "a") as log:
        log.write(f"{os.getpid()}\n")
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def fails_once(job: dict, progress=None) -> dict:
    """A job whose first run meets a passing fault of the machine, not of its input."""
    log = Path(job["attempts"])
    earlier = log.read_text().split() if log.exists() else []
    with open(log, "a") as out:
        out.write(f"{os.getpid()}\n")
    if not earlier:
        raise TransientJobError("the shared cache volume did not answer in time")
    return {"runs": len(earlier) + 1}


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory):
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    server = subprocess.Popen(
        ["/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--databases", "32"],
        stdout=open(folder / "redis.log", "w"), stderr=subprocess.STDOUT,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {(folder / 'redis.log').read_text()}")
            time.sleep(0.05)
    yield port
    server.terminate()
    server.wait(10)


_databases = iter(range(1, 32))


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_url(request) -> str:
    """A broker URL no other test uses: a Redis database, or a RabbitMQ vhost."""
    if request.param == "redis":
        return f"redis://127.0.0.1:{request.getfixturevalue('redis_port')}/{next(_databases)}"
    return request.getfixturevalue("rabbitmq_server").fresh_url()


class Workers:
    """Celery worker subprocesses for one test, on one broker URL and one cache folder."""

    def __init__(self, url: str, tmp: Path, storage_url: str | None = None, job_timeout: float = JOB_TIMEOUT):
        self.url = url
        self.tmp = tmp
        self.job_timeout = job_timeout
        self.storage_url = storage_url  # where a stored course's files are, for jobs that name them by content
        self.cache = tmp / "cache"
        self.settings = Settings(broker_url=self.url, cache_dir=self.cache, job_timeout=job_timeout)
        self.procs: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        name = f"media{len(self.procs)}@{socket.gethostname()}"
        env = {
            **os.environ,
            "COURSEFORGE_BROKER_URL": self.url,
            "COURSEFORGE_CACHE_DIR": str(self.cache),
            "COURSEFORGE_JOB_TIMEOUT": str(self.job_timeout),
            **({"COURSEFORGE_STORAGE_URL": self.storage_url} if self.storage_url else {}),
            # The worker imports this module's job function by name.
            "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        log = open(self.tmp / f"{name.split('@')[0]}.log", "w")
        proc = subprocess.Popen(
            [str(CELERY), "-A", "media.runners.celery_app", "worker", "-P", "prefork", "--concurrency", "1",
             "--loglevel", "info", "-n", name, "--without-gossip", "--without-mingle"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.procs.append(proc)
        control = CeleryRunner(self.settings).app.control
        deadline = time.monotonic() + 60
        while not any(name in reply for reply in control.ping(timeout=0.5)):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"celery worker did not start:\n{self.log(proc)}")
        return proc

    def log(self, proc: subprocess.Popen) -> str:
        index = self.procs.index(proc)
        return (self.tmp / f"media{index}.log").read_text()

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool process at once, as a crash or power cut would."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@pytest.fixture
def workers(broker_url, tmp_path):
    pool = Workers(broker_url, tmp_path)
    yield pool
    pool.stop_all()


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def ready_messages(url: str) -> int:
    """Messages waiting on the media queue of a RabbitMQ vhost (not those held by a worker)."""
    with kombu.Connection(url) as connection:
        return connection.default_channel.queue_declare(QUEUE, passive=True).message_count


def cache_files(cache: Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())


def test_jobs_run_on_a_worker_in_order_with_progress_and_failures(workers, tmp_path):
    workers.start()
    attempts = tmp_path / "attempts.log"
    jobs = [
        {"label": "media/one.mp4", "seconds": 2, "attempts": str(attempts)},
        {"label": "media/missing.mp4", "seconds": 1, "input": str(tmp_path / "missing.mp4"), "attempts": str(attempts)},
        {"label": "media/three.mp4", "seconds": 1, "attempts": str(attempts)},
    ]
    calls: list[tuple[str, float]] = []
    with pytest.raises(JobsFailed) as caught:
        CeleryRunner(workers.settings, JOB).run(jobs, lambda label, f: calls.append((label, f)))

    failure, = caught.value.failures
    assert (failure.index, failure.label) == (1, "media/missing.mp4")
    assert "ffmpeg failed" in failure.message and "No such file or directory" in failure.message
    first, missing, third = caught.value.results
    assert missing is None
    assert Path(first["output"]).exists() and Path(third["output"]).exists()
    assert first["output"] != third["output"]
    fractions = [f for _, f in calls]
    assert fractions[-1] == 1.0 and any(0 < f < 1 for f in fractions)
    assert {label for label, _ in calls} <= {job["label"] for job in jobs}

    # Same jobs again: results in job order, straight from the cache.
    again = CeleryRunner(workers.settings, JOB).run([jobs[2], jobs[0]])
    assert [r["output"] for r in again] == [third["output"], first["output"]]
    assert all(r["cached"] for r in again)


def test_pipeline_jobs_run_on_a_worker_into_the_cache_the_builder_shares(workers, tmp_path, monkeypatch):
    from media.jobs import renditions_job
    from media.probe import Limits
    from media.runners.local import LocalRunner

    clip = tmp_path / "intro.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=480x270:rate=25:duration=3", "-f", "lavfi", "-i", "sine=duration=3",
                    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(clip)], check=True)
    limits = Limits(10**9, 600.0, 10**8, JOB_TIMEOUT)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video, whatever the name says" * 100)
    jobs = [renditions_job(clip, "media/intro.mp4", limits).to_dict()]
    workers.start()
    calls: list[float] = []
    with pytest.raises(JobsFailed) as caught:
        CeleryRunner(workers.settings).run([*jobs, renditions_job(broken, "media/broken.mp4", limits).to_dict()],
                                           lambda _, f: calls.append(f))
    failure, = caught.value.failures
    # The pipeline's own message, intact after the trip through the result backend.
    assert failure.label == "media/broken.mp4"
    assert failure.message.startswith("media/broken.mp4: ") and "\n" not in failure.message
    renditions, _ = caught.value.results

    assert renditions["kind"] == "video_renditions"
    assert [o["role"] for o in renditions["outputs"]] == ["rendition", "poster"]
    assert not renditions["cached"] and calls[-1] == 1.0
    made = [o for o in renditions["outputs"] if o["role"] == "rendition"]
    assert made and all(Path(o["path"]).stat().st_size == o["bytes"] for o in made)
    assert Path(renditions["dir"]).is_relative_to(workers.cache)

    # In-process, with the same cache: the worker's outputs are found, nothing is made again.
    monkeypatch.setenv("COURSEFORGE_CACHE_DIR", str(workers.cache))
    get_settings.cache_clear()
    try:
        local = LocalRunner(workers=2).run(jobs)
    finally:
        get_settings.cache_clear()
    assert [r["cached"] for r in local] == [True]
    assert [r["outputs"] for r in local] == [renditions["outputs"]]


def test_a_job_whose_worker_is_killed_is_redelivered_and_completes_once(workers, tmp_path):
    first_worker = workers.start()
    attempts = tmp_path / "attempts.log"
    job = {"label": "media/long.mp4", "seconds": 6, "attempts": str(attempts)}
    calls: list[float] = []
    outcome: dict = {}

    def build() -> None:
        try:
            outcome["results"] = CeleryRunner(workers.settings, JOB).run([job], lambda _, f: calls.append(f))
        except Exception as exc:  # handed to the test thread below
            outcome["error"] = exc

    builder = threading.Thread(target=build)
    builder.start()
    deadline = time.monotonic() + 60
    while not any(0.2 < f < 0.9 for f in calls):  # the job is well under way on the first worker
        assert builder.is_alive() and time.monotonic() < deadline, (outcome, workers.log(first_worker))
        time.sleep(0.05)
    partials = list((workers.cache / ".partial").iterdir())
    assert len(partials) == 1 and partials[0].stat().st_size > 0
    rabbitmq = workers.url.startswith("amqp://")
    if rabbitmq:
        assert ready_messages(workers.url) == 0  # held, unacknowledged, by the first worker
    workers.kill(first_worker)
    if rabbitmq:
        # No timeout to wait out: RabbitMQ puts the job back on the queue as the connection closes.
        assert wait_for(lambda: ready_messages(workers.url) == 1, seconds=5)

    second_worker = workers.start()
    builder.join(120)
    assert not builder.is_alive(), workers.log(second_worker)
    assert "error" not in outcome, outcome
    result, = outcome["results"]

    pids = attempts.read_text().split()
    assert len(pids) == 2 and pids[0] != pids[1]  # ran again, in the new worker's pool process
    output = Path(result["output"])
    assert not result["cached"]
    assert cache_files(workers.cache) == [output.name]  # one output, the dead run's partial file gone
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                            str(output)], capture_output=True, text=True, check=True)
    assert float(probe.stdout) == pytest.approx(6.0, abs=0.2)  # the whole clip, not a fragment


def test_a_job_that_keeps_killing_its_worker_is_given_up_after_a_few_deliveries(workers, tmp_path):
    workers.start()
    attempts = tmp_path / "attempts.log"
    good = {"label": "media/fine.mp4", "seconds": 1, "attempts": str(attempts)}
    deadly = {"label": "media/deadly.mp4", "attempts": str(tmp_path / "deadly.log")}
    with pytest.raises(JobsFailed) as caught:
        # Each time the pool process dies the worker puts the job back on the queue (reject on
        # worker lost) and starts a new pool process, which takes the job again.
        CeleryRunner(workers.settings, f"{__name__}.kill_own_process").run([deadly])
    failure, = caught.value.failures
    assert failure.label == "media/deadly.mp4"
    assert f"gave up after {MAX_DELIVERIES} deliveries" in failure.message
    assert len((tmp_path / "deadly.log").read_text().split()) == MAX_DELIVERIES
    # The worker is still there and takes the next job.
    result, = CeleryRunner(workers.settings, JOB).run([good])
    assert Path(result["output"]).exists()


def test_a_transient_failure_is_retried_after_a_pause(workers, tmp_path):
    workers.start()
    job = {"label": "media/flaky.mp4", "attempts": str(tmp_path / "attempts.log")}
    result, = CeleryRunner(workers.settings, f"{__name__}.fails_once").run([job])
    assert result == {"runs": 2}


def test_a_job_over_the_time_limit_is_stopped_and_reported(workers, tmp_path):
    workers.start()
    slow = {"label": "media/slow.mp4", "seconds": JOB_TIMEOUT + 5, "attempts": str(tmp_path / "attempts.log")}
    with pytest.raises(JobsFailed) as caught:
        CeleryRunner(workers.settings, JOB).run([slow])
    failure, = caught.value.failures
    assert failure.message == f"took longer than {JOB_TIMEOUT:g} s and was stopped (COURSEFORGE_JOB_TIMEOUT)"
    assert not list(workers.cache.glob("*.mp4"))


@pytest.mark.parametrize("scheme, server", [("redis", "redis-server"), ("amqp", "rabbitmq-server")])
def test_a_broker_that_does_not_answer_is_a_clear_error(scheme, server):
    url = f"{scheme}://127.0.0.1:{free_port()}/0"
    runner = CeleryRunner(Settings(broker_url=url), JOB)
    with pytest.raises(BrokerUnreachable) as caught:
        runner.run([{"seconds": 1}])
    # A MediaError, shown with the other media problems: the "file" is the setting to fix.
    assert str(caught.value).startswith(
        f"COURSEFORGE_BROKER_URL: cannot reach the media job broker at {url}: "
        f"start {server} or unset COURSEFORGE_BROKER_URL"
    )


@pytest.mark.parametrize("url, namespace", [
    ("redis://nobody:wrong@127.0.0.1:{redis}/1", "database number"),
    ("redis://127.0.0.1:{redis}/99", "database number"),  # the server has 32
    ("amqp://courseforge:wrong@127.0.0.1:{rabbitmq}/test1", "vhost"),
    ("amqp://courseforge:courseforge@127.0.0.1:{rabbitmq}/no-such-vhost", "vhost"),
])
def test_a_broker_that_refuses_the_url_is_a_clear_error(url, namespace, request):
    server = "redis" if url.startswith("redis") else "rabbitmq"
    port = request.getfixturevalue("redis_port") if server == "redis" else request.getfixturevalue(
        "rabbitmq_server").port
    url = url.format(**{server: port})
    with pytest.raises(BrokerRefused) as caught:
        CeleryRunner(Settings(broker_url=url), JOB).run([{"seconds": 1}])
    message = str(caught.value)
    assert message.startswith(
        f"COURSEFORGE_BROKER_URL: the media job broker at {maybe_sanitize_url(url)} refused the connection: "
        f"check the user, password and {namespace} in COURSEFORGE_BROKER_URL ("
    )
    assert "wrong" not in message  # the password stays out of it


def test_no_worker_listening_is_a_clear_error(workers):
    with pytest.raises(NoWorkers) as caught:
        CeleryRunner(workers.settings, JOB).run([{"seconds": 1}])
    shown = maybe_sanitize_url(workers.url)  # the password, if any, as **
    assert str(caught.value) == (
        f"COURSEFORGE_BROKER_URL: no media worker is listening on {shown}: start one with "
        f"`COURSEFORGE_BROKER_URL={shown} celery -A media.runners.celery_app worker --loglevel=info --concurrency=1`"
        " or unset COURSEFORGE_BROKER_URL"
    )


def test_a_broker_url_of_another_kind_is_a_clear_error():
    with pytest.raises(RunnerUnavailable) as caught:
        CeleryRunner(Settings(broker_url="sqs://queue.example.org"), JOB)
    assert str(caught.value) == (
        "COURSEFORGE_BROKER_URL: 'sqs' is not a broker media jobs can use: give a redis:// (Redis) or amqp:// "
        "(RabbitMQ) URL, e.g. redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//"
    )
