"""Media jobs of a course the editor keeps (its files are blobs in storage) run on a Celery worker
that has none of the course's files: its working folder is empty and its environment holds only
the broker, its cache and the storage settings (the editor's folder seen through another path, as
a mount on another machine would show it, or an S3 server). The worker fetches each input by
content into its own cache; the build takes the outputs from there. A blob the worker's storage
does not hold, or holds damaged, fails the build naming the file and what to fix; and reading a
200 MB blob to a local file keeps memory flat."""
from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import redis
from authoring_app import folder_zip, quick_argon2, signed_in  # noqa: F401 - quick_argon2 is a fixture
from conftest import PACKAGE_COURSE, write_course_folder
from media_fixtures import make_video
from s3_server import REGION, aws_env, moto_endpoint, s3_bucket  # noqa: F401 - fixtures
from test_celery_worker import redis_port  # noqa: F401 - fixture
from test_media_uploads import wait_build

from media import jobs
from media.errors import MediaError
from media.probe import Limits
from media.runners.celery_runner import CeleryRunner
from media.stored_inputs import input_path
from settings import Settings
from storage import BlobStore, open_storage

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.xdist_group("celery-worker")]
CELERY = Path(sys.executable).with_name("celery")
JOB_TIMEOUT = 120.0
_databases = iter(range(16, 20))  # Redis databases no other worker test hands out
VIDEO_COURSE = {**PACKAGE_COURSE, "sections": [{**PACKAGE_COURSE["sections"][0], "pages": [
    *PACKAGE_COURSE["sections"][0]["pages"],
    {"id": "p-watch", "title": "Watch", "blocks": [
        {"type": "video", "id": "v-clip", "src": "media/clip.mp4", "title": "A short clip"}]},
]}]}
GENEROUS = Limits(max_bytes=10**9, max_duration=600.0, max_pixels=10**8, timeout=60.0)


class StoredCourseWorker:
    """One Celery worker on a Redis database of its own, started with nothing but ``env``."""

    def __init__(self, url: str, tmp: Path, storage_url: str, env: dict[str, str]):
        self.url = url
        self.home = tmp / "worker-home"  # empty: the worker's working folder and HOME
        self.home.mkdir()
        self.cache = tmp / "shared-cache"  # where the builder reads the outputs the worker made
        self.log_file = tmp / "worker.log"
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "COURSEFORGE_BROKER_URL": url,
            "COURSEFORGE_CACHE_DIR": str(self.cache),
            "COURSEFORGE_JOB_TIMEOUT": str(JOB_TIMEOUT),
            "COURSEFORGE_STORAGE_URL": storage_url,
            **env,
        }
        self.proc: subprocess.Popen | None = None
        self.elsewhere = ""

    def start(self) -> None:
        name = f"stored@{socket.gethostname()}"
        with self.log_file.open("w") as log:  # the worker keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [str(CELERY), "-A", "media.runners.celery_app", "worker", "-P", "prefork", "--concurrency", "1",
                 "--loglevel", "info", "-n", name, "--without-gossip", "--without-mingle"],
                cwd=self.home, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        control = CeleryRunner(Settings(broker_url=self.url)).app.control
        deadline = time.monotonic() + 60
        while not any(name in reply for reply in control.ping(timeout=0.5)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"celery worker did not start:\n{self.log_file.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


def fresh_database(redis_port: int) -> str:  # noqa: F811 - the fixture's value
    database = next(_databases)
    redis.Redis(port=redis_port, db=database).flushdb()
    return f"redis://127.0.0.1:{redis_port}/{database}"


@pytest.fixture(params=["shared-folder", "s3"])
def stored_editor(request, redis_port, tmp_path):  # noqa: F811 - the fixture imported above
    """The editor (SQLite) keeping its files in storage and sending media jobs to a worker that
    reaches the same storage by its own settings alone."""
    from authoring import create_app

    if request.param == "shared-folder":
        storage_url = str(tmp_path / "shared" / "storage")
        (tmp_path / "shared" / "storage").mkdir(parents=True)
        (tmp_path / "mounted").symlink_to(tmp_path / "shared")  # the same folder, seen at another path
        worker_storage, worker_env = str(tmp_path / "mounted" / "storage"), {}
        (tmp_path / "other-storage").mkdir()
        elsewhere = str(tmp_path / "other-storage")
    else:
        bucket = request.getfixturevalue("s3_bucket")
        endpoint = request.getfixturevalue("moto_endpoint")
        storage_url = worker_storage = f"s3://{bucket}/course-files?endpoint_url={endpoint}&region={REGION}"
        worker_env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                      "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
                      "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials")}
        elsewhere = storage_url.replace("/course-files?", "/other-files?")
    worker = StoredCourseWorker(fresh_database(redis_port), tmp_path, worker_storage, worker_env)
    settings = Settings(data_dir=tmp_path / "editor-data", storage_url=storage_url, broker_url=worker.url,
                        cache_dir=worker.cache, job_timeout=JOB_TIMEOUT, max_upload_bytes=20 << 20)
    app = create_app(settings)
    app.testing = True
    worker.elsewhere = elsewhere  # another storage (folder or prefix) that exists but holds nothing of the editor's
    yield app, worker
    worker.stop()
    app.extensions["courseforge"].database.engine.dispose()


def imported_video_course(app, tmp_path: Path) -> tuple[object, int, str]:
    """The package test course with a video page, imported as a zip; (author, course id, video's sha)."""
    folder = write_course_folder(tmp_path / "video-course", VIDEO_COURSE)
    clip = make_video(folder / "media" / "clip.mp4", size="480x270", seconds=2)
    ada = signed_in(app, "ada@example.org")
    answer = ada.import_zip(folder_zip(folder, "video-course"))
    assert answer.status_code == 201, answer.get_json()
    return ada, answer.get_json()["id"], hashlib.sha256(clip.read_bytes()).hexdigest()


def course_copies(app, name: str) -> list[Path]:
    """Copies of a course file the editor wrote to its own disk (say, to check the file)."""
    return sorted(Path(app.extensions["courseforge"].settings.data_dir).rglob(name))


def test_a_worker_with_only_the_storage_settings_makes_a_stored_courses_video_and_the_build_takes_it(
        stored_editor, tmp_path):
    app, worker = stored_editor
    ada, course, sha = imported_video_course(app, tmp_path)
    for copy in course_copies(app, "clip.mp4"):  # whatever the editor made for itself: not the worker's
        copy.unlink()
    worker.start()
    build = wait_build(ada, course)
    assert build["status"] == "done", build["problems"]
    assert course_copies(app, "clip.mp4") == []  # the builder never read the video: the worker fetched it

    fetched = input_path(worker.cache, "media/clip.mp4", sha)
    assert hashlib.sha256(fetched.read_bytes()).hexdigest() == sha
    results = [json.loads(p.read_text()) for p in sorted((worker.cache / "jobs").glob("*/*/result.json"))]
    assert sorted(r["kind"] for r in results) == ["image_sizes", "video_renditions"]
    video, = (r for r in results if r["kind"] == "video_renditions")
    package = ada.api("GET", build["download"])
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        names = archive.namelist()
        rendition = next(o for o in video["outputs"] if o["role"] == "rendition")
        packaged = next(n for n in names if n.startswith(f"media/{rendition['sha256'][:12]}-clip-"))
        assert hashlib.sha256(archive.read(packaged)).hexdigest() == rendition["sha256"]
    log = worker.log_file.read_text()
    assert log.count("succeeded in") == 2, log  # the video's job and the image's, both on the worker


def test_a_worker_whose_storage_lacks_the_blob_fails_the_build_naming_the_file_and_the_setting(
        stored_editor, tmp_path):
    app, worker = stored_editor
    ada, course, sha = imported_video_course(app, tmp_path)
    worker.env["COURSEFORGE_STORAGE_URL"] = worker.elsewhere  # set up with another storage than the editor's
    worker.start()
    build = wait_build(ada, course)
    assert build["status"] == "failed"
    problems = {problem["file"]: problem["message"] for problem in build["problems"]}
    assert sorted(problems) == ["media/Café plan.png", "media/clip.mp4"]  # each file the worker could not find
    assert problems["media/clip.mp4"].startswith(f"its blob blobs/{sha[:2]}/{sha} is not in ")
    for message in problems.values():
        assert message.endswith("give this worker the editor's COURSEFORGE_STORAGE_URL, or upload the file again")
    assert not input_path(worker.cache, "media/clip.mp4", sha).parent.exists()  # nothing half-fetched kept


# --------------------------------------------------------------------------- the worker's own fetch
def stored_job(blobs: BlobStore, clip: Path) -> dict:
    """The video job a build sends to workers for ``clip`` kept as a blob in ``blobs``."""
    from courses.source import BlobSource

    sha = blobs.put_blob(clip.read_bytes())
    source = BlobSource({"media/clip.mp4": sha}, blobs)
    return jobs.renditions_job(source.stored("media/clip.mp4"), "media/clip.mp4", GENEROUS).to_dict()


def test_a_stored_input_is_fetched_once_checked_and_named_by_content_not_by_path(tmp_path):
    storage = tmp_path / "storage"
    blobs = BlobStore(open_storage(str(storage)))
    clip = make_video(tmp_path / "clip.mp4", seconds=1)
    job = stored_job(blobs, clip)
    sha = job["input_sha256"]
    assert job["input"] is None and job["input_key"] == f"blobs/{sha[:2]}/{sha}"
    folder_job = jobs.renditions_job(clip, "media/clip.mp4", GENEROUS)
    assert jobs.Job.from_dict(job).key() == folder_job.key()  # the same bytes, the same cache entry

    first = jobs.run_job(job, cache_dir=tmp_path / "cache", storage_url=str(storage))
    fetched = input_path(tmp_path / "cache", "media/clip.mp4", sha)
    assert fetched.read_bytes() == clip.read_bytes() and not first["cached"]
    assert [p.name for p in fetched.parent.iterdir()] == ["clip.mp4"]  # no part file left behind
    # Another job on the same bytes (no poster) takes the fetched copy, even with the blob gone.
    blobs.storage.delete(job["input_key"])
    plain = {**job, "settings": {**job["settings"], "poster": None}}
    second = jobs.run_job(plain, cache_dir=tmp_path / "cache", storage_url=str(storage))
    assert [o["role"] for o in second["outputs"]] == ["rendition"]


def test_a_damaged_blob_or_a_storage_out_of_reach_is_a_message_naming_the_file(
        tmp_path, s3_bucket, moto_endpoint):  # noqa: F811 - the fixtures imported above
    storage = tmp_path / "storage"
    blobs = BlobStore(open_storage(str(storage)))
    clip = make_video(tmp_path / "clip.mp4", seconds=1)
    job = stored_job(blobs, clip)
    blobs.storage.put(job["input_key"], b"not the clip at all" * 1000)
    with pytest.raises(MediaError) as caught:
        jobs.run_job(job, cache_dir=tmp_path / "cache", storage_url=str(storage))
    assert str(caught.value).startswith(f"media/clip.mp4: its stored copy {job['input_key']} is damaged: its 19000 "
                                        "bytes hash to ")
    assert str(caught.value).endswith("; store the original file again after deleting this copy")
    assert list(input_path(tmp_path / "cache", "media/clip.mp4", job["input_sha256"]).parent.glob("*")) == []

    with pytest.raises(MediaError) as caught:
        jobs.run_job(job, cache_dir=tmp_path / "cache", storage_url=str(tmp_path / "not-mounted"))
    assert str(caught.value) == (
        f"media/clip.mp4: the storage folder {tmp_path / 'not-mounted'} does not exist on this worker: mount the "
        "editor's storage there, or set COURSEFORGE_STORAGE_URL to where it is")

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # a port nothing listens on
    port = closed.getsockname()[1]
    closed.close()
    unreachable = f"s3://{s3_bucket}?endpoint_url=http://127.0.0.1:{port}&region={REGION}&max_attempts=1"
    with pytest.raises(MediaError) as caught:
        jobs.run_job(job, cache_dir=tmp_path / "cache", storage_url=unreachable)
    message = str(caught.value)
    assert message.startswith("media/clip.mp4: this worker cannot read it from its storage (COURSEFORGE_STORAGE_URL): ")
    assert f"cannot reach http://127.0.0.1:{port}" in message and "check endpoint_url" in message

    in_bucket = f"s3://{s3_bucket}?endpoint_url={moto_endpoint}&region={REGION}"
    with pytest.raises(MediaError, match=rf"^media/clip\.mp4: its blob {job['input_key']} is not in s3://{s3_bucket}/"):
        jobs.run_job(job, cache_dir=tmp_path / "cache", storage_url=in_bucket)


# --------------------------------------------------------------------------- memory
MEASURE = """
import sys, resource
from pathlib import Path
from courses.source import BlobSource
from media.stored_inputs import stored_input
from media.probe import Limits
from storage import BlobStore, open_storage

def peak():
    text = Path("/proc/self/status").read_text()
    return int(next(l.split()[1] for l in text.splitlines() if l.startswith("VmHWM:"))) * 1024

storage, sha, scratch, cache = sys.argv[1:5]
blobs = BlobStore(open_storage(storage))
source = BlobSource({"media/big.mp4": sha}, blobs, scratch)
before = peak()
path = source.local_path("media/big.mp4")
after_local = peak()
stored = source.stored("media/big.mp4")
limits = Limits(max_bytes=10**10, max_duration=600.0, max_pixels=10**8, timeout=60.0)
fetched = stored_input("media/big.mp4", stored.key, sha, storage, Path(cache), limits)
after_fetch = peak()
print(before, after_local, after_fetch, path.stat().st_size, fetched.stat().st_size)
"""


def test_a_200_mb_blob_reaches_a_local_file_in_constant_memory(tmp_path):
    """``BlobSource.local_path`` (and a worker's fetch) copy a 200 MB blob with the process's peak
    memory growing by a few MiB, not by the file: nothing reads it whole."""
    size = 200 << 20
    storage = tmp_path / "storage"
    digest = hashlib.sha256()
    chunk = os.urandom(1 << 20)
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        for index in range(size >> 20):
            block = chunk[index:] + chunk[:index]
            digest.update(block)
            out.write(block)
    with big.open("rb") as stream:
        sha = BlobStore(open_storage(str(storage))).put_blob(stream)
    assert sha == digest.hexdigest()
    big.unlink()
    done = subprocess.run([sys.executable, "-c", MEASURE, str(storage), sha, str(tmp_path / "scratch"),
                           str(tmp_path / "cache")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    before, after_local, after_fetch, local_size, fetched_size = map(int, done.stdout.split())
    assert local_size == fetched_size == size
    assert after_local - before < 16 << 20, (before, after_local)
    assert after_fetch - before < 16 << 20, (before, after_fetch)
