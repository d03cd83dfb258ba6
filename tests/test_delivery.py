"""The delivery stack on loopback (real nginx in front of real gunicorn workers, a folder
storage), spoken to over HTTP: types, caching, ETag/304, Range, precompressed variants, security
headers, health, the pointer, an atomic switch under concurrent readers, and rollback."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import write_course_folder
from delivery_servers import DeliveryServer

from exporters.build import build_site
from exporters.publish import publish_site, rollback
from player.delivery import (
    DeliveryApp,
    DeliveryConfigError,
    NginxSettings,
    VersionFile,
    accepted_encodings,
    nginx_config,
    read_version,
    variant_path,
)
from storage import LocalStorage, StorageError

pytestmark = [pytest.mark.services]

COURSE = "1st-aid"
LMS = "https://lms.example.org"
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Two builds of the course (v2 with a changed title); v1 also holds a video file."""
    root = tmp_path_factory.mktemp("delivery-sites")
    one = build_site(write_course_folder(root / "one"), "web", root / "site-v1").path
    (one / "media" / "clip.mp4").write_bytes(os.urandom(300_000))
    two_dir = write_course_folder(root / "two")
    yaml = (two_dir / "course.yaml").read_text(encoding="utf-8")
    (two_dir / "course.yaml").write_text(yaml.replace("Fish & chips", "Fresh fish", 1), encoding="utf-8")
    two = build_site(two_dir, "web", root / "site-v2").path
    return {"v1": one, "v2": two}


@pytest.fixture(scope="module")
def stack(built, tmp_path_factory):
    root = tmp_path_factory.mktemp("delivery-store")
    storage = LocalStorage(root)
    v1 = publish_site(built["v1"], COURSE, storage)
    server = DeliveryServer(root, tmp_path_factory.mktemp("delivery-nginx"), frame_ancestors=[LMS]).start()
    yield server, storage, v1
    server.stop()


def url(version: str, path: str) -> str:
    return f"/c/{COURSE}/v/{version}/{path}"


def test_types_and_caching_launch_page_revalidated_everything_else_immutable(stack):
    server, _, v1 = stack
    expected = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "js/app.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "course.json": ("application/json; charset=utf-8", IMMUTABLE),
        "media/clip.mp4": ("video/mp4", IMMUTABLE),
    }
    css = next(p for p in read_version(stack[1], COURSE, v1.version).files if p.endswith(".css"))
    expected[css] = ("text/css; charset=utf-8", IMMUTABLE)
    for path, (kind, cache) in expected.items():
        answer = server.get(url(v1.version, path))
        assert answer.status == 200, path
        assert (answer.header("Content-Type"), answer.header("Cache-Control")) == (kind, cache), path
        assert answer.header("Set-Cookie") is None
    assert server.get(url(v1.version, "js/nope.js")).status == 404
    assert server.get(f"/c/{COURSE}/v/{'0' * 20}/index.html").status == 404
    assert server.get("/_objects/" + read_version(stack[1], COURSE, v1.version).files["index.html"].key).status == 404


def test_strong_etags_and_304(stack):
    server, _, v1 = stack
    first = server.get(url(v1.version, "js/app.js"))
    etag = first.header("ETag")
    assert etag and not etag.startswith("W/")
    again = server.get(url(v1.version, "js/app.js"), {"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert again.header("Cache-Control") == IMMUTABLE
    assert server.get(url(v1.version, "js/app.js"), {"If-None-Match": '"other"'}).status == 200


def test_range_requests_on_video_get_206_with_the_right_content_range(stack, built):
    server, _, v1 = stack
    video = (built["v1"] / "media" / "clip.mp4").read_bytes()
    part = server.get(url(v1.version, "media/clip.mp4"), {"Range": "bytes=1000-1999"})
    assert part.status == 206
    assert part.header("Content-Range") == f"bytes 1000-1999/{len(video)}"
    assert part.body == video[1000:2000]
    tail = server.get(url(v1.version, "media/clip.mp4"), {"Range": "bytes=-500"})
    assert (tail.status, tail.body) == (206, video[-500:])
    assert tail.header("Content-Range") == f"bytes {len(video) - 500}-{len(video) - 1}/{len(video)}"
    assert server.get(url(v1.version, "media/clip.mp4"), {"Range": f"bytes={len(video)}-"}).status == 416
    whole = server.get(url(v1.version, "media/clip.mp4"))
    assert whole.header("Accept-Ranges") == "bytes" and whole.body == video


def test_precompressed_variants_follow_accept_encoding(stack, built):
    server, _, v1 = stack
    original = (built["v1"] / "js" / "app.js").read_bytes()
    brotli = server.get(url(v1.version, "js/app.js"), {"Accept-Encoding": "gzip, deflate, br"})
    assert brotli.header("Content-Encoding") == "br" and brotli.header("Vary") == "Accept-Encoding"
    assert subprocess.run(["brotli", "-d", "-c"], input=brotli.body, capture_output=True, check=True).stdout == original
    gzipped = server.get(url(v1.version, "js/app.js"), {"Accept-Encoding": "gzip"})
    assert gzipped.header("Content-Encoding") == "gzip" and gzip.decompress(gzipped.body) == original
    assert len(brotli.body) < len(gzipped.body) < len(original)
    plain = server.get(url(v1.version, "js/app.js"))
    assert plain.header("Content-Encoding") is None and plain.body == original
    assert plain.header("Vary") == "Accept-Encoding"
    assert len({brotli.header("ETag"), gzipped.header("ETag"), plain.header("ETag")}) == 3
    video = server.get(url(v1.version, "media/clip.mp4"), {"Accept-Encoding": "gzip, br"})
    assert video.header("Content-Encoding") is None


def test_the_workers_name_the_variant_the_learner_accepts():
    assert accepted_encodings("gzip, deflate, br") == {"br", "gzip"}
    assert accepted_encodings("br;q=0, gzip;q=0.5, identity") == {"gzip"}
    assert accepted_encodings("BR ; q=1.0") == {"br"}
    assert accepted_encodings("*;q=0.1, gzip;q=0") == {"br"}
    assert accepted_encodings("gzip;q=nonsense, deflate") == set()
    script = VersionFile(key="assets/ab/abc.js", size=9, content_type="text/javascript", encodings=("br", "gzip"))
    gzipped_only = script.model_copy(update={"encodings": ("gzip",)})
    video = VersionFile(key="assets/cd/cde.mp4", size=9, content_type="video/mp4")
    assert variant_path(script, frozenset({"br", "gzip"})) == "br/assets/ab/abc.js.br"
    assert variant_path(gzipped_only, frozenset({"br", "gzip"})) == "gzip/assets/ab/abc.js.gz"
    assert variant_path(script, frozenset()) == "identity/assets/ab/abc.js"
    assert variant_path(video, frozenset({"br"})) == "assets/cd/cde.mp4"


def test_security_headers_let_the_configured_lms_frame_the_player(stack):
    server, _, v1 = stack
    for path in ("index.html", "pages/p-quiz.html", "js/app.js", "course.json", "media/clip.mp4"):
        answer = server.get(url(v1.version, path), {"Accept-Encoding": "br"})
        assert answer.header("X-Content-Type-Options") == "nosniff", path
        if path.endswith(".html"):
            policy = answer.header("Content-Security-Policy")
            assert f"frame-ancestors 'self' {LMS}" in policy and "script-src 'self';" in policy, path
            assert answer.header("Referrer-Policy") == "strict-origin-when-cross-origin", path
        else:  # they govern documents only: on a script, data or a video they would be dead weight
            assert answer.header("Content-Security-Policy") is None, path
            assert answer.header("Referrer-Policy") is None, path
    assert server.get(f"/c/{COURSE}/").header("X-Content-Type-Options") == "nosniff"


def test_health(stack):
    server = stack[0]
    answer = server.get("/healthz")
    assert (answer.status, answer.body) == (200, b'{"status": "ok"}\n')
    assert answer.header("Cache-Control") == "no-store"


def test_health_reports_a_storage_that_does_not_answer():
    class Unreachable(LocalStorage):
        def exists(self, key: str) -> bool:
            raise StorageError("s3://courses/prod", "cannot reach the endpoint: connection refused")

    statuses: list[str] = []
    app = DeliveryApp(Unreachable("/nonexistent"), 4)
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz"}, lambda s, h: statuses.append(s)))
    assert statuses == ["503 Service Unavailable"]
    assert body == b"storage unavailable: s3://courses/prod: cannot reach the endpoint: connection refused\n"


def test_the_pointer_redirects_to_the_current_version_keeping_the_query(stack):
    server, _, v1 = stack
    answer = server.get(f"/c/{COURSE}/?dispatch=scorm12&lms=https%3A%2F%2Flms.example.org")
    assert answer.status == 302
    assert answer.header("Location") == url(v1.version, "index.html?dispatch=scorm12&lms=https%3A%2F%2Flms.example.org")
    assert (answer.header("Cache-Control"), answer.header("ETag")) == ("no-cache", f'"{v1.version}"')
    assert server.get(f"/c/{COURSE}/", {"If-None-Match": f'"{v1.version}"'}).status == 304
    assert server.get("/c/never-published/").status == 404
    assert server.get(f"/c/{COURSE}/", method="POST").status == 405


def test_nginx_settings_refuse_what_could_break_the_config():
    with pytest.raises(DeliveryConfigError) as error:
        NginxSettings.parse(
            "deploy/delivery.yaml",
            {
                "listen": "80; include /etc/passwd",
                "upstreams": ["127.0.0.1:8001"],
                "objects_root": "storage",
                "prefix": "/tmp/x",
                "frame_ancestors": ["https://lms.example.org", "https://a.example; script-src *"],
            },
        )
    assert [str(p) for p in error.value.problems] == [
        "deploy/delivery.yaml: listen: '80; include /etc/passwd' is not an address",
        "deploy/delivery.yaml: objects_root: 'storage' must be an absolute path",
        "deploy/delivery.yaml: frame_ancestors: 'https://a.example; script-src *' is not an origin "
        "(https://host or https://host:port)",
    ]
    config = nginx_config(
        NginxSettings(
            listen="8080", upstreams=["10.0.0.1:8001", "10.0.0.2:8001"], objects_root="/srv/store", prefix="/run/nginx"
        )
    )
    assert "server 10.0.0.1:8001;" in config and "server 10.0.0.2:8001;" in config
    assert "frame-ancestors 'self';" not in config and "frame-ancestors 'self'\"" in config


def test_publishing_switches_every_reader_at_once_and_rollback_switches_back(stack, built):
    """Readers fetch the launch page and then its files, as a browser does, while v2 is
    published: each set of answers must be exactly one version's files, byte for byte, and a
    set begun after the publish returned must be v2's."""
    server, storage, v1 = stack
    paths = ("index.html", "course.json", "js/app.js", "pages/p-quiz.html")
    sets: list[tuple[bool, str, dict[str, tuple[int, str]]]] = []
    stop, published = threading.Event(), threading.Event()

    def reader() -> None:
        while not stop.is_set():
            after = published.is_set()
            version = server.get(f"/c/{COURSE}/").header("Location").split("/")[4]
            answers = {}
            for path in paths:
                answer = server.get(url(version, path))
                answers[path] = (answer.status, hashlib.sha256(answer.body).hexdigest())
            sets.append((after, version, answers))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        while len(sets) < 8:
            stop.wait(0.01)
        v2 = publish_site(built["v2"], COURSE, storage)
        published.set()
        while sum(after for after, _, _ in sets) < 16:
            stop.wait(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    expected = {
        version: {path: (200, digest) for path, digest in _hashes(storage, version).items() if path in paths}
        for version in (v1.version, v2.version)
    }
    assert [answers for _, version, answers in sets if answers != expected.get(version)] == []
    assert {version for _, version, _ in sets} == {v1.version, v2.version}
    assert {version for after, version, _ in sets if after} == {v2.version}
    assert "Fresh fish" in server.get(url(v2.version, "index.html")).body.decode()

    assert rollback(storage, COURSE).version == v1.version
    assert server.get(f"/c/{COURSE}/").header("Location") == url(v1.version, "index.html")
    assert server.get(url(v2.version, "index.html")).status == 200  # kept for a roll forward
    assert rollback(storage, COURSE, v2.version).version == v2.version
    assert server.get(f"/c/{COURSE}/").header("Location") == url(v2.version, "index.html")


def _hashes(storage: LocalStorage, version: str) -> dict[str, str]:
    files = read_version(storage, COURSE, version).files
    return {path: entry.key.split("/")[-1].split(".")[0] for path, entry in files.items()}


def test_nginx_keeps_the_workers_answers_and_only_those_naming_an_object(built, tmp_path):
    """A versioned path asked once is served by nginx alone afterwards (its workers stopped, the
    same bytes, type and headers); a worker's 404 is passed on and not kept, so a version
    published after a learner asked for it is served; HEAD gets the head alone; other methods
    are refused."""
    storage = LocalStorage(tmp_path / "store")
    v1 = publish_site(built["v1"], COURSE, storage)
    v2_id = publish_site(built["v2"], COURSE, LocalStorage(tmp_path / "elsewhere")).version
    server = DeliveryServer(tmp_path / "store", tmp_path / "nginx").start()
    try:
        early = server.get(url(v2_id, "index.html"))
        assert (early.status, early.header("X-Content-Type-Options")) == (404, "nosniff")
        assert f"no version {v2_id}" in early.body.decode()
        assert publish_site(built["v2"], COURSE, storage).version == v2_id
        assert server.get(url(v2_id, "index.html")).status == 200

        first = server.get(url(v1.version, "js/app.js"), {"Accept-Encoding": "br"})
        head = server.get(url(v1.version, "js/app.js"), {"Accept-Encoding": "br"}, method="HEAD")
        assert (head.status, head.body, head.header("Content-Length")) == (200, b"", str(len(first.body)))
        assert server.get(url(v1.version, "js/app.js"), method="POST").status == 405
        gunicorn = server.processes[0]
        gunicorn.terminate()
        gunicorn.wait(timeout=10)
        again = server.get(url(v1.version, "js/app.js"), {"Accept-Encoding": "br"})
        assert (again.status, again.body) == (200, first.body)
        for name in ("Content-Type", "Content-Encoding", "Vary", "ETag", "Cache-Control", "X-Content-Type-Options"):
            assert again.header(name) == first.header(name), name
        assert again.header("Content-Type") == "text/javascript; charset=utf-8"
        # Another variant of the same path is another answer: only a worker could give it.
        assert server.get(url(v1.version, "js/app.js"), {"Accept-Encoding": "gzip"}).status == 502
    finally:
        server.stop()


def test_without_the_mapping_cache_nginx_asks_a_worker_each_time_and_serves_the_same(stack, tmp_path):
    """``mapping_cache: false`` (an nginx without the Lua module): the same answers, and a
    stopped worker is felt at once."""
    _, storage, v1 = stack
    server = DeliveryServer(storage.root, tmp_path / "nginx", nginx={"mapping_cache": False}).start()
    try:
        assert "lua" not in (tmp_path / "nginx" / "nginx.conf").read_text()
        page = server.get(url(v1.version, "index.html"), {"Accept-Encoding": "gzip"})
        assert (page.status, page.header("Content-Type"), page.header("Content-Encoding")) == (
            200,
            "text/html; charset=utf-8",
            "gzip",
        )
        assert "frame-ancestors 'self'" in page.header("Content-Security-Policy")
        script = server.get(url(v1.version, "js/app.js"))
        assert (script.header("Content-Type"), script.header("Content-Security-Policy")) == (
            "text/javascript; charset=utf-8",
            None,
        )
        server.processes[0].terminate()
        server.processes[0].wait(timeout=10)
        assert server.get(url(v1.version, "js/app.js")).status == 502
    finally:
        server.stop()
