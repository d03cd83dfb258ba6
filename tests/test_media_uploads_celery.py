"""An uploaded video's media job on real Celery workers: queued until a worker takes it, running
with the worker's percent, done, and the build after finds its outputs in the cache the workers
share; a worker killed in the middle of it leaves it to another, which completes it once (Redis
and RabbitMQ); with no worker listening the upload says which command starts one."""
from __future__ import annotations

import time

import pytest
from authoring_app import editor_settings, quick_argon2, signed_in  # noqa: F401 - quick_argon2 is a fixture
from media_fixtures import make_video
from test_celery_worker import Workers, broker_url, rabbitmq_server, redis_port  # noqa: F401 - fixtures
from test_media_uploads import document, small_course, upload, wait_build, wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.xdist_group("celery-worker")]
_databases = iter(range(20, 32))  # Redis databases test_celery_worker does not hand out


def editor_on(url: str, tmp_path, job_timeout: float = 10.0):
    """The editor (SQLite) sending media jobs through broker ``url``, and its workers."""
    from authoring import create_app

    pool = Workers(url, tmp_path, str(tmp_path / "data" / "storage"), job_timeout)
    settings = editor_settings(tmp_path / "data").model_copy(
        update={"broker_url": pool.url, "cache_dir": pool.cache, "job_timeout": pool.settings.job_timeout})
    app = create_app(settings)
    app.testing = True
    yield app, pool
    pool.stop_all()
    app.extensions["courseforge"].database.engine.dispose()


@pytest.fixture
def on_workers(redis_port, tmp_path):  # noqa: F811 - the fixture imported above
    yield from editor_on(f"redis://127.0.0.1:{redis_port}/{next(_databases)}", tmp_path)


@pytest.fixture
def on_each_broker(broker_url, tmp_path):  # a real transcode on shared cores; Redis redelivers after 35 s
    yield from editor_on(broker_url, tmp_path, job_timeout=25.0)


def job_folders(pool: Workers) -> dict[str, int]:
    return {str(path): path.stat().st_mtime_ns for path in sorted((pool.cache / "jobs").glob("*/*"))}


def test_an_uploaded_videos_job_runs_on_a_worker_and_the_build_after_takes_it_from_the_cache(on_workers, tmp_path):
    app, pool = on_workers
    pool.start()
    ada = signed_in(app, "ada@example.org")
    course = small_course(ada, tmp_path)
    clip = make_video(tmp_path / "clip.mp4", size="1280x720", seconds=2)
    answer = upload(ada, course, clip, "video", chunk=512 << 10, page_id="p-text")
    assert answer.status_code == 200 and answer.get_json()["status"] == "queued", answer.get_json()
    final, seen = wait_for(ada, answer.get_json()["url"])
    assert final["status"] == "done", final
    assert [status for status, _ in seen][-1] == "done"
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents), seen
    assert any(status == "running" and 0 < percent < 100 for status, percent in seen), seen  # the worker's percent
    made = job_folders(pool)
    assert len(made) == 1  # the video's outputs, made by the worker into the shared cache
    build = wait_build(ada, course)
    assert build["status"] == "done", build["problems"]
    assert {k: v for k, v in job_folders(pool).items() if k in made} == made  # taken as they were
    log = pool.log(pool.procs[0])
    assert log.count("Task courseforge.media.run_job[") == 2 * 3  # received and succeeded: the upload's job,
    # then the build's two (the video's, a cache hit, and the course's image)


def test_with_no_worker_listening_the_upload_fails_naming_the_command_to_start_one(on_workers, tmp_path):
    app, _pool = on_workers
    ada = signed_in(app, "ada@example.org")
    course = small_course(ada, tmp_path)
    clip = make_video(tmp_path / "clip.mp4", seconds=1)
    answer = upload(ada, course, clip, "video", page_id="p-text")
    final, _seen = wait_for(ada, answer.get_json()["url"])
    assert final["status"] == "failed", final
    assert "no media worker is listening on redis://" in final["message"]
    assert "celery -A media.runners.celery_app worker" in final["message"]


def test_a_worker_killed_in_the_middle_of_an_uploads_job_leaves_it_to_another_which_completes_it_once(
        on_each_broker, tmp_path):
    app, pool = on_each_broker
    first = pool.start()
    ada = signed_in(app, "ada@example.org")
    course = small_course(ada, tmp_path)
    clip = make_video(tmp_path / "long.mp4", size="960x540", seconds=6)
    answer = upload(ada, course, clip, "video", chunk=4 << 20, page_id="p-text")
    assert answer.status_code == 200, answer.get_json()
    url = answer.get_json()["url"]
    deadline = time.monotonic() + 120
    seen = []
    while True:  # under way on the first worker
        state = ada.api("GET", url).get_json()
        seen.append((state["status"], state["percent"]))
        if state["status"] == "running" and 0 < state["percent"] < 100:
            break
        assert state["status"] in ("queued", "running") and time.monotonic() < deadline, (seen[-20:], pool.log(first))
        time.sleep(0.02)
    pool.kill(first)
    second = pool.start()
    final, _seen = wait_for(ada, url)
    assert final["status"] == "done", (final, pool.log(second))
    assert len(job_folders(pool)) == 1  # one set of outputs
    assert not list((pool.cache / ".partial").glob("*")), "the killed run's partial file is gone"
    assert pool.log(second).count("] succeeded in ") == 1  # completed once, by the second worker
    blocks = document(ada, course)["sections"][0]["pages"][0]["blocks"]
    assert [b["src"] for b in blocks if b["type"] == "video"] == ["media/long.mp4"]
