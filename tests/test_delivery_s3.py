"""The delivery stack serving a course published to an S3 bucket (moto's server on loopback):
real nginx proxying the bucket's objects for the internal locations, real gunicorn workers
reading the pointer and manifests with their credentials. The bucket lets anyone read the
``assets/`` prefix only, as production's bucket policy does; everything else needs credentials."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import boto3
import pytest
from conftest import write_course_folder
from delivery_servers import DeliveryServer
from s3_server import REGION, moto_endpoint  # noqa: F401 (fixture)

from exporters.build import build_site
from exporters.publish import publish_site, rollback
from player.delivery import NginxSettings, nginx_config, read_version
from storage import S3Options, S3Storage

pytestmark = [pytest.mark.services]

COURSE = "s3-aid"
PREFIX = "delivery"
LMS = "https://lms.example.org"
IMMUTABLE = "public, max-age=31536000, immutable"
LONG_VIDEO = 24 << 20
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two builds of the course (v2 with a changed title); v1 also holds a video and a file whose
    object the test removes from the bucket."""
    root = tmp_path_factory.mktemp("s3-delivery-sites")
    one = build_site(write_course_folder(root / "one"), "web", root / "site-v1").path
    (one / "media" / "clip.mp4").write_bytes(os.urandom(300_000))
    (one / "media" / "long.mp4").write_bytes(os.urandom(LONG_VIDEO))
    (one / "media" / "lost.txt").write_text("this object goes missing from the bucket\n" * 20, encoding="utf-8")
    two_dir = write_course_folder(root / "two")
    yaml = (two_dir / "course.yaml").read_text(encoding="utf-8")
    (two_dir / "course.yaml").write_text(yaml.replace("Fish & chips", "Fresh fish", 1), encoding="utf-8")
    two = build_site(two_dir, "web", root / "site-v2").path
    return {"v1": one, "v2": two}


@pytest.fixture(scope="module")
def bucket(moto_endpoint):  # noqa: F811 (fixture)
    """A bucket whose ``delivery/assets/*`` anyone may read (nginx's unsigned GETs), the rest
    private; the credentials are in the environment for the module."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            patch.delenv(name, raising=False)
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        name = f"courseforge-{uuid.uuid4().hex[:12]}"
        client = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)
        client.create_bucket(Bucket=name)
        statement = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{name}/{PREFIX}/assets/*",
        }
        client.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
        yield name, client


@pytest.fixture(scope="module")
def stack(built, bucket, moto_endpoint, tmp_path_factory):  # noqa: F811 (fixture)
    name, client = bucket
    url = f"s3://{name}/{PREFIX}?endpoint_url={moto_endpoint}&region={REGION}"
    storage = S3Storage(S3Options(bucket=name, prefix=PREFIX, endpoint_url=moto_endpoint, region=REGION))
    v1 = publish_site(built["v1"], COURSE, storage)
    server = DeliveryServer(url, tmp_path_factory.mktemp("s3-delivery-nginx"), [LMS], CREDENTIALS).start()
    yield server, storage, client, v1.version
    server.stop()


def path(version: str, file: str) -> str:
    return f"/c/{COURSE}/v/{version}/{file}"


def stored(stack, version: str, file: str) -> str:
    """The bucket key of a published file."""
    return f"{PREFIX}/" + read_version(stack[1], COURSE, version).files[file].key


def test_the_bucket_is_proxied_with_the_manifest_types_and_no_bucket_headers(stack):
    server, storage, client, v1 = stack
    config = (server.work / "nginx.conf").read_text()
    assert f"server 127.0.0.1:{storage.options.endpoint_url.rsplit(':', 1)[1]};" in config
    assert "testing" not in config  # no credentials: the prefix is public, nothing is signed
    css = next(p for p in read_version(storage, COURSE, v1).files if p.endswith(".css"))
    expected = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "js/app.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "course.json": ("application/json; charset=utf-8", IMMUTABLE),
        css: ("text/css; charset=utf-8", IMMUTABLE),
        "media/clip.mp4": ("video/mp4", IMMUTABLE),
    }
    # The bucket's own type is not what learners get: the manifest's is.
    clip = stored(stack, v1, "media/clip.mp4")
    client.copy_object(
        Bucket=storage.options.bucket,
        Key=clip,
        CopySource={"Bucket": storage.options.bucket, "Key": clip},
        ContentType="application/x-from-the-bucket",
        MetadataDirective="REPLACE",
    )
    for file, (kind, cache) in expected.items():
        answer = server.get(path(v1, file), {"Accept-Encoding": "gzip, deflate, br"})
        assert answer.status == 200, file
        assert (answer.header("Content-Type"), answer.header("Cache-Control")) == (kind, cache), file
        names = [name.lower() for name in answer.headers]
        assert [n for n in names if n.startswith(("x-amz", "access-control", "set-cookie"))] == [], file
        assert names.count("content-type") == names.count("cache-control") == 1, file
        assert answer.header("Server") == "nginx"
    assert server.get(path(v1, "js/nope.js")).status == 404
    assert server.get(f"/c/{COURSE}/v/{'0' * 20}/index.html").status == 404
    assert server.get("/_objects/" + stored(stack, v1, "index.html").removeprefix(f"{PREFIX}/")).status == 404


def test_etag_is_the_buckets_and_if_none_match_gets_304_with_the_immutable_header(stack, built):
    server, storage, client, v1 = stack
    first = server.get(path(v1, "media/clip.mp4"))
    bucket_etag = client.head_object(Bucket=storage.options.bucket, Key=stored(stack, v1, "media/clip.mp4"))["ETag"]
    assert first.header("ETag") == bucket_etag == '"' + hashlib.md5(first.body).hexdigest() + '"'
    assert first.body == (built["v1"] / "media" / "clip.mp4").read_bytes()
    again = server.get(path(v1, "media/clip.mp4"), {"If-None-Match": bucket_etag})
    assert (again.status, again.body) == (304, b"")
    assert again.header("Cache-Control") == IMMUTABLE and again.header("ETag") == bucket_etag
    assert server.get(path(v1, "media/clip.mp4"), {"If-None-Match": '"other"'}).status == 200
    launch = server.get(path(v1, "index.html"))
    revalidated = server.get(path(v1, "index.html"), {"If-None-Match": launch.header("ETag")})
    assert (revalidated.status, revalidated.header("Cache-Control")) == (304, "no-cache")


def test_range_requests_get_206_with_the_right_bytes_from_the_bucket(stack, built):
    server, _, _, v1 = stack
    video = (built["v1"] / "media" / "clip.mp4").read_bytes()
    part = server.get(path(v1, "media/clip.mp4"), {"Range": "bytes=1000-1999"})
    assert (part.status, part.header("Content-Range"), part.body) == (
        206,
        f"bytes 1000-1999/{len(video)}",
        video[1000:2000],
    )
    assert part.header("Content-Type") == "video/mp4" and part.header("Cache-Control") == IMMUTABLE
    tail = server.get(path(v1, "media/clip.mp4"), {"Range": "bytes=-500"})
    assert (tail.status, tail.body) == (206, video[-500:])
    assert tail.header("Content-Range") == f"bytes {len(video) - 500}-{len(video) - 1}/{len(video)}"
    beyond = server.get(path(v1, "media/clip.mp4"), {"Range": f"bytes={len(video)}-"})
    assert beyond.status == 416 and b"InvalidRange" not in beyond.body
    assert server.get(path(v1, "media/clip.mp4")).header("Accept-Ranges") == "bytes"


def test_a_long_video_streams_to_a_slow_learner_without_a_temporary_file(stack, built):
    """nginx reads ahead of the learner into memory only: it never writes the bucket's answer to
    a temporary file (which it would report in its log: it unlinks such files at once) while the
    learner is far behind the bucket."""
    server, _, _, v1 = stack
    video = (built["v1"] / "media" / "long.mp4").read_bytes()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path(v1, "media/long.mp4"))
        answer = connection.getresponse()
        assert (answer.status, answer.getheader("Content-Length")) == (200, str(LONG_VIDEO))
        received = answer.read(1 << 20)
        time.sleep(1.5)  # the bucket could have sent it all by now
        received += answer.read()
    finally:
        connection.close()
    assert hashlib.sha256(received).digest() == hashlib.sha256(video).digest()
    assert "buffered to a temporary file" not in (server.work / "error.log").read_text()


def test_precompressed_variants_follow_accept_encoding_through_the_mapping_cache(stack, built):
    """Each request below is a first for its encoding choice, after one for another choice of
    the same path: the mapping cache keeps one answer per choice."""
    server, _, _, v1 = stack
    original = (built["v1"] / "js" / "app.js").read_bytes()
    brotli = server.get(path(v1, "js/app.js"), {"Accept-Encoding": "gzip, deflate, br"})
    assert brotli.header("Content-Encoding") == "br" and brotli.header("Vary") == "Accept-Encoding"
    assert subprocess.run(["brotli", "-d", "-c"], input=brotli.body, capture_output=True, check=True).stdout == original
    plain = server.get(path(v1, "js/app.js"))
    assert (plain.header("Content-Encoding"), plain.body) == (None, original)
    assert plain.header("Vary") == "Accept-Encoding"
    gzipped = server.get(path(v1, "js/app.js"), {"Accept-Encoding": "gzip"})
    assert gzipped.header("Content-Encoding") == "gzip" and gzip.decompress(gzipped.body) == original
    refused = server.get(path(v1, "js/app.js"), {"Accept-Encoding": "br;q=0, gzip;q=0.5"})
    assert refused.header("Content-Encoding") == "gzip" and refused.body == gzipped.body
    assert len(brotli.body) < len(gzipped.body) < len(original)
    assert len({brotli.header("ETag"), gzipped.header("ETag"), plain.header("ETag")}) == 3
    assert gzipped.header("Content-Type") == "text/javascript; charset=utf-8"
    launch = server.get(path(v1, "index.html"), {"Accept-Encoding": "br"})
    page = (built["v1"] / "index.html").read_bytes()
    assert launch.header("Content-Encoding") == "br" and launch.header("Cache-Control") == "no-cache"
    assert subprocess.run(["brotli", "-d", "-c"], input=launch.body, capture_output=True, check=True).stdout == page
    video = server.get(path(v1, "media/clip.mp4"), {"Accept-Encoding": "gzip, br"})
    assert video.header("Content-Encoding") is None and video.header("Vary") is None


def test_security_headers_let_the_configured_lms_frame_the_player(stack):
    server, _, _, v1 = stack
    for file in ("index.html", "pages/p-quiz.html", "js/app.js", "media/clip.mp4"):
        answer = server.get(path(v1, file))
        assert answer.header("X-Content-Type-Options") == "nosniff", file
        if file.endswith(".html"):
            policy = answer.header("Content-Security-Policy")
            assert f"frame-ancestors 'self' {LMS}" in policy and "script-src 'self';" in policy, file
            assert answer.header("Referrer-Policy") == "strict-origin-when-cross-origin", file
        else:  # they govern documents only
            assert answer.header("Content-Security-Policy") is None, file
            assert answer.header("Referrer-Policy") is None, file
    assert server.get(f"/c/{COURSE}/").header("X-Content-Type-Options") == "nosniff"
    health = server.get("/healthz")
    assert (health.status, health.body) == (200, b'{"status": "ok"}\n')


def test_an_object_missing_from_the_bucket_is_a_plain_404(stack):
    server, storage, client, v1 = stack
    key = stored(stack, v1, "media/lost.txt")
    for suffix in ("", ".gz", ".br"):
        client.delete_object(Bucket=storage.options.bucket, Key=key + suffix)
    for encoding in ("br", "gzip", ""):
        answer = server.get(path(v1, "media/lost.txt"), {"Accept-Encoding": encoding})
        assert answer.status == 404 and b"404 Not Found" in answer.body, encoding
        assert b"NoSuchKey" not in answer.body and b"<Error>" not in answer.body
        assert answer.header("Content-Type").startswith("text/html")  # nginx's page, not the file's type
        assert (answer.header("Cache-Control"), answer.header("Content-Encoding")) == ("no-store", None)
        assert not any(name.lower().startswith("x-amz") for name in answer.headers)


def test_the_manifests_stay_private_while_nginx_reads_the_assets_unsigned(stack):
    """What the bucket policy allows without credentials is what nginx needs, and no more."""
    _, storage, _, v1 = stack
    endpoint = urlsplit(storage.bucket_url())

    def anonymous(key: str) -> int:
        connection = http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=10)
        try:
            connection.request("GET", endpoint.path + key)
            answer = connection.getresponse()
            answer.read()
            return answer.status
        finally:
            connection.close()

    assert anonymous(stored(stack, v1, "js/app.js").removeprefix(f"{PREFIX}/")) == 200
    assert anonymous(f"courses/{COURSE}/current.json") == 403
    assert anonymous(f"courses/{COURSE}/versions/{v1}.json") == 403


def test_the_pointer_redirects_and_a_republish_or_rollback_switches_it(stack, built):
    server, storage, _, v1 = stack
    answer = server.get(f"/c/{COURSE}/?lms=https%3A%2F%2Flms.example.org")
    assert answer.status == 302
    assert answer.header("Location") == path(v1, "index.html?lms=https%3A%2F%2Flms.example.org")
    assert (answer.header("Cache-Control"), answer.header("ETag")) == ("no-cache", f'"{v1}"')
    assert server.get(f"/c/{COURSE}/", {"If-None-Match": f'"{v1}"'}).status == 304
    assert server.get("/c/never-published/").status == 404

    v2 = publish_site(built["v2"], COURSE, storage)
    assert v2.version != v1 and v2.reused > 0
    assert server.get(f"/c/{COURSE}/").header("Location") == path(v2.version, "index.html")
    assert "Fresh fish" in server.get(path(v2.version, "index.html")).body.decode()
    assert "Fresh fish" not in server.get(path(v1, "index.html")).body.decode()
    assert rollback(storage, COURSE).version == v1
    assert server.get(f"/c/{COURSE}/").header("Location") == path(v1, "index.html")


def test_a_bucket_reached_through_a_resolver_serves_the_same(stack, built, tmp_path):
    """With ``resolvers`` nginx names the bucket in a variable, looked up per request (an
    address, as here, needs no lookup): the same answers as through the upstream block."""
    server, _, _, v1 = stack
    again = DeliveryServer(server.storage_url, tmp_path / "nginx", [LMS], CREDENTIALS, {"resolvers": ["127.0.0.53"]})
    again.start()
    try:
        config = (again.work / "nginx.conf").read_text()
        assert "resolver 127.0.0.53 valid=60s;" in config and "upstream object_store" not in config
        for headers in ({"Accept-Encoding": "br"}, {"Range": "bytes=10-99"}, {}):
            first, second = server.get(path(v1, "js/app.js"), headers), again.get(path(v1, "js/app.js"), headers)
            assert (second.status, second.body, second.header("ETag")) == (
                first.status,
                first.body,
                first.header("ETag"),
            )
            assert second.header("Content-Encoding") == first.header("Content-Encoding")
        assert again.get(path(v1, "media/clip.mp4")).body == (built["v1"] / "media" / "clip.mp4").read_bytes()
    finally:
        again.stop()


def test_nginx_settings_for_a_bucket():
    config = nginx_config(
        NginxSettings(
            listen="8080",
            upstreams=["10.0.0.1:8001"],
            objects_url="https://courses.s3.eu-west-1.amazonaws.com/prod",
            prefix="/run/nginx",
        )
    )
    assert "server courses.s3.eu-west-1.amazonaws.com:443;" in config
    assert "proxy_pass https://object_store/prod/$key;" in config
    assert "proxy_set_header Host courses.s3.eu-west-1.amazonaws.com;" in config
    assert "proxy_ssl_name courses.s3.eu-west-1.amazonaws.com;" in config and "proxy_ssl_verify on;" in config
    with pytest.raises(ValueError, match="give exactly one of objects_root"):
        NginxSettings(listen="8080", upstreams=["10.0.0.1:8001"], prefix="/run/nginx")
    with pytest.raises(ValueError, match="is not a bucket's URL"):
        NginxSettings(listen="80", upstreams=["a:1"], objects_url="http://h/p; include /etc/passwd", prefix="/x")
    s3 = S3Storage(S3Options(bucket="courses", prefix="prod", region="eu-west-1"))
    assert s3.bucket_url() == "https://courses.s3.eu-west-1.amazonaws.com/prod/"
    dotted = S3Storage(S3Options(bucket="courses.example.org", region="eu-west-1"))
    assert dotted.bucket_url() == "https://s3.eu-west-1.amazonaws.com/courses.example.org/"
    minio = S3Storage(S3Options(bucket="courses", prefix="a/b", endpoint_url="http://10.0.0.5:9000"))
    assert minio.bucket_url() == "http://10.0.0.5:9000/courses/a/b/"
