"""The storage seam: the same tests run against a folder on disk and against a real S3 server
(moto in server mode on loopback, reached over HTTP), so both backends keep one behaviour."""
from __future__ import annotations

import hashlib
import io
import os
import random
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import ClientError
from s3_server import REGION, aws_env, moto_endpoint, s3_bucket  # noqa: F401 - fixtures

from storage import (
    BlobStore,
    CorruptBlob,
    LocalStorage,
    NotFound,
    S3Storage,
    Storage,
    StorageError,
    check_key,
    open_storage,
)
from storage.keys import RESERVED_PREFIX

MULTIPART_THRESHOLD = 1 << 20
PART_SIZE = 5 << 20  # the smallest part S3 (and moto) accept
PAGE_SIZE = 7  # so that listing 20 keys takes three list requests
PREFIX = "courses"


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.services)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """A fresh, empty storage of each kind, built from its storage URL."""
    if request.param == "local":
        return open_storage(str(tmp_path / "store"))
    return request.getfixturevalue("s3_store")


@pytest.fixture
def s3_store(s3_bucket: str, moto_endpoint: str) -> S3Storage:  # noqa: F811 - fixtures
    """A storage in a fresh bucket on the moto server, with small pages and parts."""
    store = open_storage(
        f"s3://{s3_bucket}/{PREFIX}?endpoint_url={moto_endpoint}&region={REGION}&page_size={PAGE_SIZE}"
        f"&multipart_threshold={MULTIPART_THRESHOLD}&multipart_chunksize={PART_SIZE}"
    )
    assert isinstance(store, S3Storage)
    return store


@pytest.fixture
def s3_client(moto_endpoint: str, aws_env: None):  # noqa: F811 - fixtures
    """A plain boto3 client on the same server, to look at what the storage really wrote."""
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)


class FailingStream(io.RawIOBase):
    """Gives ``good`` bytes, then fails like a dropped upload."""

    def __init__(self, good: bytes) -> None:
        self.good = io.BytesIO(good)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        count = self.good.readinto(buffer)
        if not count:
            raise OSError("upload interrupted")
        return count


class PausingStream(io.RawIOBase):
    """Gives the first half of ``data``, then waits for ``resume`` before giving the rest."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)
        self.half = len(data) // 2
        self.halfway = threading.Event()
        self.resume = threading.Event()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.data.tell() >= self.half:
            self.halfway.set()
            assert self.resume.wait(10)
        limit = len(buffer) if self.data.tell() >= self.half else min(len(buffer), self.half - self.data.tell())
        return self.data.readinto(memoryview(buffer)[:limit])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- both backends -----------------------------------------------------------------------------

def test_bytes_round_trip(store: Storage) -> None:
    key = "media/a b/é-01.bin"
    store.put(key, bytes(range(256)))
    assert store.get(key) == bytes(range(256))
    assert store.size(key) == 256
    assert store.exists(key)

    store.put(key, bytearray(b"replaced"))
    assert store.get(key) == b"replaced"
    assert store.size(key) == 8

    store.put("empty.txt", memoryview(b""))
    assert store.get("empty.txt") == b""
    assert store.size("empty.txt") == 0


def test_stream_beyond_the_multipart_threshold_round_trips(store: Storage) -> None:
    data = os.urandom(PART_SIZE + 123_457)
    store.put("video/big.mp4", io.BytesIO(data))
    assert store.size("video/big.mp4") == len(data)
    with store.open("video/big.mp4") as stream:
        assert stream.read(1000) == data[:1000]
        chunks = []
        while chunk := stream.read(1 << 20):
            assert len(chunk) <= 1 << 20
            chunks.append(chunk)
    assert b"".join(chunks) == data[1000:]


def test_list_is_sorted_paged_and_filtered_by_prefix(store: Storage) -> None:
    bulk = [f"bulk/{number:02d}.txt" for number in range(20)]
    keys = bulk + [
        "a-c", "a/b", "a.b", "ab", "a/b c/d", "é.txt", "z", "media/intro.mp4", "media/index.html",
        "media/img/x.png", "mediathek/x",
    ]
    for key in random.Random(7).sample(keys, len(keys)):
        store.put(key, key.encode())
    assert list(store.list()) == sorted(keys)
    assert sorted(keys)[:3] == ["a-c", "a.b", "a/b"]  # '-' < '.' < '/': a folder is not listed first
    assert list(store.list("bulk/")) == bulk
    assert list(store.list("media/")) == ["media/img/x.png", "media/index.html", "media/intro.mp4"]
    assert list(store.list("media")) == ["media/img/x.png", "media/index.html", "media/intro.mp4", "mediathek/x"]
    assert list(store.list("media/in")) == ["media/index.html", "media/intro.mp4"]
    assert list(store.list("nothing/")) == []
    keys_iterator = store.list()
    assert next(keys_iterator) == "a-c"


def test_delete(store: Storage) -> None:
    store.put("media/keep.png", b"keep")
    store.put("media/drop.png", b"drop")
    store.delete("media/drop.png")
    assert not store.exists("media/drop.png")
    with pytest.raises(NotFound):
        store.get("media/drop.png")
    assert list(store.list()) == ["media/keep.png"]
    store.delete("media/drop.png")  # a second delete is not an error
    assert store.get("media/keep.png") == b"keep"


def test_missing_key_is_not_found_with_the_key_in_the_message(store: Storage) -> None:
    store.put("media/present.png", b"x")
    calls: list[Callable[[str], object]] = [store.get, store.open, store.size]
    for key in ("media/missing.png", "media"):  # "media" holds keys but is not one
        for call in calls:
            with pytest.raises(NotFound) as caught:
                call(key)
            assert caught.value.key == key
            assert str(caught.value).startswith(f"{key}: no such key in ")
            assert not isinstance(caught.value, OSError)
        assert not store.exists(key)


BAD_KEYS = [
    ("", "must not be empty"),
    ("/etc/passwd", "must be relative"),
    ("../outside.txt", "'..' segment"),
    ("media/../../outside.txt", "'..' segment"),
    ("media/./x.png", "'.' segment"),
    ("media//x.png", "empty segment"),
    ("media\\x.png", "not a backslash"),
    ("media/x\x00.png", "control characters"),
    ("media/x\n.png", "control characters"),
    ("media/x\x7f.png", "control characters"),
    ("media/", "not end with '/'"),
    ("x" * 1025, "1025 bytes long in UTF-8; the limit is 1024"),
    ("media/" + "é" * 128, "segment over 255 bytes"),
    (f"media/{RESERVED_PREFIX}1234", "reserved for writes in progress"),
]


@pytest.mark.parametrize(("key", "reason"), BAD_KEYS, ids=[repr(key)[:30] for key, _ in BAD_KEYS])
def test_every_method_refuses_a_bad_key_naming_it(store: Storage, key: str, reason: str) -> None:
    calls: list[Callable[[str], object]] = [
        lambda k: store.put(k, b"x"), store.get, store.open, store.exists, store.size, store.url, store.delete,
    ]
    shown = key if key and key.isprintable() else repr(key)
    for call in calls:
        with pytest.raises(StorageError) as caught:
            call(key)
        assert str(caught.value) == f"{shown}: key: {caught.value.problem.message}"
        assert reason in caught.value.problem.message
    assert list(store.list()) == []


@pytest.mark.parametrize("prefix", ["/media", "../", "media//", "a\\b", "x\x00"])
def test_list_refuses_a_bad_prefix(store: Storage, prefix: str) -> None:
    with pytest.raises(StorageError, match=": prefix: "):
        store.list(prefix)


def test_good_keys_are_accepted() -> None:
    for key in ("a", "media/intro.mp4", ".well-known/x", "a b/c d.txt", "é/ü/ß", "x" * 255, "a/" * 300 + "b"):
        assert check_key(key) == key


def test_a_failed_write_leaves_the_key_as_it_was(store: Storage) -> None:
    with pytest.raises(OSError, match="upload interrupted"):
        store.put("media/new.bin", io.BufferedReader(FailingStream(b"x" * 1000)))
    assert not store.exists("media/new.bin")
    store.put("media/old.bin", b"old")
    with pytest.raises(OSError, match="upload interrupted"):
        store.put("media/old.bin", io.BufferedReader(FailingStream(b"y" * 1000)))
    assert store.get("media/old.bin") == b"old"
    assert list(store.list()) == ["media/old.bin"]


def test_readers_see_the_old_content_or_the_new_never_half(store: Storage) -> None:
    store.put("page.html", b"old " * 1000)
    stream = PausingStream(b"new " * 1000)
    writer = threading.Thread(target=store.put, args=("page.html", stream))
    writer.start()
    try:
        assert stream.halfway.wait(10)
        assert store.get("page.html") == b"old " * 1000
        assert store.size("page.html") == 4000
        assert list(store.list()) == ["page.html"]
    finally:
        stream.resume.set()
        writer.join(10)
    assert store.get("page.html") == b"new " * 1000


def test_blobs_are_stored_once_by_sha256(store: Storage) -> None:
    blobs = BlobStore(store)
    sha = blobs.put_blob(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest()
    assert list(store.list()) == [f"blobs/{sha[:2]}/{sha}"]
    assert blobs.put_blob(b"hello") == sha
    assert blobs.put_blob(io.BytesIO(b"hello")) == sha
    assert list(store.list()) == [f"blobs/{sha[:2]}/{sha}"]
    assert blobs.get_blob(sha) == b"hello" and blobs.blob_size(sha) == 5
    assert blobs.has_blob(sha)

    other = blobs.put_blob(io.BytesIO(b"world" * 100_000))
    assert other == hashlib.sha256(b"world" * 100_000).hexdigest()
    assert blobs.get_blob(other) == b"world" * 100_000

    missing = hashlib.sha256(b"never stored").hexdigest()
    assert not blobs.has_blob(missing)
    with pytest.raises(NotFound, match=missing):
        blobs.get_blob(missing)
    for bad in ("abc", sha.upper(), sha + "0", "../" + sha[3:]):
        with pytest.raises(StorageError, match=r": sha256: is not a SHA-256 digest"):
            blobs.get_blob(bad)


def test_a_corrupted_blob_is_caught_on_read_and_not_rewritten(store: Storage) -> None:
    blobs = BlobStore(store)
    sha = blobs.put_blob(b"original media")
    key = blobs.key(sha)
    store.put(key, b"tampered media")
    with pytest.raises(CorruptBlob) as caught:
        blobs.get_blob(sha)
    assert str(caught.value).startswith(f"{key}: sha256: is damaged: ")
    assert hashlib.sha256(b"tampered media").hexdigest() in str(caught.value)
    assert blobs.put_blob(b"original media") == sha  # written once: the damaged copy stays ...
    with pytest.raises(CorruptBlob):  # ... and is still caught
        blobs.get_blob(sha)


def test_url_fetches_the_content(store: Storage) -> None:
    store.put("pages/index.html", b"<h1>Hello</h1>")
    store.put("media/a b/é.txt", b"spaced")
    with urllib.request.urlopen(store.url("pages/index.html"), timeout=5) as response:
        assert response.read() == b"<h1>Hello</h1>"
        assert response.headers["Content-Type"].startswith("text/html")
    with urllib.request.urlopen(store.url("media/a b/é.txt"), timeout=5) as response:
        assert response.read() == b"spaced"


# --- the folder --------------------------------------------------------------------------------

def test_local_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "store")
    store.put("media/old.bin", b"old")
    for key in ("media/old.bin", "media/new.bin", "other/deep/new.bin"):
        with pytest.raises(OSError):
            store.put(key, io.BufferedReader(FailingStream(b"z" * 3_000_000)))
    files = sorted(path.relative_to(tmp_path / "store").as_posix()
                   for path in (tmp_path / "store").rglob("*") if path.is_file())
    assert files == ["media/old.bin"]


def test_local_files_in_progress_are_never_listed(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "store")
    store.put("media/done.png", b"done")
    (tmp_path / "store" / "media" / f"{RESERVED_PREFIX}0123").write_bytes(b"half")
    assert list(store.list()) == ["media/done.png"]


def test_local_keys_cannot_leave_the_root_through_symlinks(tmp_path: Path) -> None:
    root, outside = tmp_path / "store", tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    store = LocalStorage(root)
    store.put("ok.txt", b"ok")
    (root / "out").symlink_to(outside, target_is_directory=True)
    (root / "leak.txt").symlink_to(outside / "secret.txt")
    (outside / "back.txt").symlink_to(root / "ok.txt")  # inside again, but through an outside folder
    calls: list[Callable[[str], object]] = [
        lambda k: store.put(k, b"x"), store.get, store.open, store.exists, store.size, store.url, store.delete,
    ]
    for key in ("out/secret.txt", "out/new.txt", "out/deeper/new.txt", "leak.txt", "out/back.txt"):
        for call in calls:
            with pytest.raises(StorageError, match=f"^{key}: key: leads outside the storage folder"):
                call(key)
    with pytest.raises(StorageError, match="^out: prefix: leads outside"):
        store.list("out/")
    assert sorted(path.name for path in outside.rglob("*")) == ["back.txt", "secret.txt"]
    assert (outside / "secret.txt").read_bytes() == b"secret"
    assert (outside / "back.txt").is_symlink()
    assert list(store.list()) == ["ok.txt"]

    (root / "alias.txt").symlink_to(root / "ok.txt")  # a link that stays inside is followed ...
    assert store.get("alias.txt") == b"ok"
    assert list(store.list()) == ["alias.txt", "ok.txt"]
    store.delete("alias.txt")  # ... and deleting it removes the link, not its target
    assert store.get("ok.txt") == b"ok"


def test_local_file_and_folder_of_one_name_are_refused(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "store")
    store.put("media", b"a file")
    with pytest.raises(StorageError, match="^media/x.png: key: a file stands where one of its folders would go"):
        store.put("media/x.png", b"x")
    store.put("text/welcome.md", b"# Hi")
    with pytest.raises(StorageError, match="^text: key: a folder of that name already holds other keys"):
        store.put("text", b"x")
    assert list(store.list()) == ["media", "text/welcome.md"]


def test_local_root_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StorageError, match=r"file: root: is not a folder"):
        LocalStorage(tmp_path / "file")


def test_local_url_is_file_or_base_url(tmp_path: Path) -> None:
    assert LocalStorage(tmp_path).url("a b/é.png") == (tmp_path.resolve() / "a b" / "é.png").as_uri()
    published = LocalStorage(tmp_path, base_url="https://media.example.org/files/")
    assert published.url("a b/é.png") == "https://media.example.org/files/a%20b/%C3%A9.png"


# --- the S3 server -----------------------------------------------------------------------------

@pytest.mark.services
def test_s3_large_put_is_uploaded_in_parts(s3_store: S3Storage, s3_client) -> None:
    store = s3_store
    data = os.urandom(PART_SIZE + 1000)
    store.put("video/big.mp4", io.BytesIO(data))
    head = s3_client.head_object(Bucket=store.options.bucket, Key=f"{PREFIX}/video/big.mp4")
    assert head["ETag"].strip('"').endswith("-2")  # two parts: 5 MiB and the rest
    assert head["ContentType"] == "video/mp4"
    store.put("small.bin", io.BytesIO(b"x" * 1000))
    head = s3_client.head_object(Bucket=store.options.bucket, Key=f"{PREFIX}/small.bin")
    assert "-" not in head["ETag"]

    with pytest.raises(OSError, match="upload interrupted"):  # a failed multipart upload is aborted
        store.put("video/broken.mp4", io.BufferedReader(FailingStream(data)))
    assert not store.exists("video/broken.mp4")
    assert s3_client.list_multipart_uploads(Bucket=store.options.bucket).get("Uploads", []) == []


@pytest.mark.services
def test_s3_keys_live_under_the_prefix_and_only_those_are_listed(s3_store: S3Storage, s3_client) -> None:
    bucket = s3_store.options.bucket
    s3_store.put("index.html", b"<p>")
    s3_store.put("captions.vtt", b"WEBVTT", content_type="text/vtt; charset=utf-8")
    assert s3_client.head_object(Bucket=bucket, Key=f"{PREFIX}/index.html")["ContentType"] == "text/html"
    assert s3_client.get_object(Bucket=bucket, Key=f"{PREFIX}/captions.vtt")["ContentType"].startswith("text/vtt")
    s3_client.put_object(Bucket=bucket, Key="elsewhere/x", Body=b"")
    s3_client.put_object(Bucket=bucket, Key=f"{PREFIX}-other/x", Body=b"")
    s3_client.put_object(Bucket=bucket, Key=f"{PREFIX}/folder/", Body=b"")  # a console's folder marker
    assert list(s3_store.list()) == ["captions.vtt", "index.html"]


@pytest.mark.services
def test_s3_public_url_and_presigned_lifetime(s3_bucket: str, moto_endpoint: str) -> None:  # noqa: F811
    public = open_storage(f"s3://{s3_bucket}/{PREFIX}?endpoint_url={moto_endpoint}&public_url=https://cdn.example.org/")
    assert public.url("a b/é.png") == f"https://cdn.example.org/{PREFIX}/a%20b/%C3%A9.png"
    short = open_storage(f"s3://{s3_bucket}?endpoint_url={moto_endpoint}&url_expires=60")
    assert "X-Amz-Expires=60" in short.url("x.png")


@pytest.mark.services
def test_s3_missing_bucket_names_the_setting(s3_bucket: str, moto_endpoint: str) -> None:  # noqa: F811
    store = open_storage(f"s3://no-such-bucket/{PREFIX}?endpoint_url={moto_endpoint}")
    calls: list[Callable[[], object]] = [
        lambda: store.put("x", b"x"), lambda: store.get("x"), lambda: store.exists("x"), lambda: store.size("x"),
        lambda: list(store.list()), lambda: store.delete("x"),
    ]
    for call in calls:
        with pytest.raises(StorageError) as caught:
            call()
        assert not isinstance(caught.value, NotFound)
        assert f"s3://no-such-bucket/{PREFIX} at {moto_endpoint}: bucket: no bucket 'no-such-bucket'" in str(caught.value)
        assert "COURSEFORGE_STORAGE_URL" in str(caught.value)


def test_s3_unreachable_endpoint_names_the_setting_quickly(aws_env: None) -> None:  # noqa: F811
    endpoint = f"http://127.0.0.1:{closed_port()}"
    store = open_storage(f"s3://courseforge?endpoint_url={endpoint}&max_attempts=1&connect_timeout=1")
    calls: list[Callable[[], object]] = [
        lambda: store.put("x", b"x"), lambda: store.get("x"), lambda: store.exists("x"), lambda: list(store.list()),
    ]
    started = time.monotonic()
    for call in calls:
        with pytest.raises(StorageError) as caught:
            call()
        message = str(caught.value)
        assert message.startswith(f"s3://courseforge/ at {endpoint}: endpoint_url: cannot reach {endpoint}")
        assert "check endpoint_url in COURSEFORGE_STORAGE_URL" in message
    assert time.monotonic() - started < 5


def test_s3_without_credentials_says_which_variables_to_set(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = open_storage(f"s3://courseforge?endpoint_url=http://127.0.0.1:{closed_port()}&max_attempts=1")
    for call in (lambda: store.put("x", b"x"), lambda: store.url("x")):
        with pytest.raises(StorageError, match=r": credentials: Unable to locate credentials: set AWS_ACCESS_KEY_ID"):
            call()


@pytest.mark.parametrize(("error", "expected"), [
    ({"Code": "AccessDenied", "Message": "Access Denied"}, "credentials: access denied (AccessDenied) to bucket"),
    ({"Code": "InvalidAccessKeyId", "Message": "no such key id"}, "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
    ({"Code": "403", "Message": "Forbidden"}, "without s3:ListBucket a missing key also answers 403"),
    ({"Code": "PermanentRedirect", "Message": "moved", "Region": "eu-west-3"},
     "region: bucket 'courseforge' is in eu-west-3, not us-east-1: set region=eu-west-3"),
    ({"Code": "SlowDown", "Message": "Please reduce your request rate."},
     "x.png: GetObject failed in s3://courseforge/ at http://127.0.0.1:9: SlowDown: Please reduce"),
])
def test_s3_refusals_say_what_to_fix(error: dict[str, str], expected: str) -> None:
    """Answers moto does not give (it enforces no policies or regions), translated from the
    error shape botocore raises."""
    store = open_storage(f"s3://courseforge?endpoint_url=http://127.0.0.1:9&region={REGION}")
    assert isinstance(store, S3Storage)
    translated = store._translate(ClientError(cast(Any, {"Error": error}), "GetObject"), "x.png")
    assert expected in str(translated)


# --- storage URLs ------------------------------------------------------------------------------

def test_open_storage_builds_each_backend(tmp_path: Path) -> None:
    plain = open_storage(str(tmp_path / "files"))
    assert isinstance(plain, LocalStorage) and plain.root == tmp_path / "files"
    as_url = open_storage(f"{(tmp_path / 'my files').as_uri()}?base_url=https://media.example.org/")
    assert isinstance(as_url, LocalStorage) and as_url.root == tmp_path / "my files"
    assert as_url.url("x.png") == "https://media.example.org/x.png"
    s3 = open_storage(
        "s3://my-bucket/courses/prod/?endpoint_url=http://127.0.0.1:9000&region=eu-west-3&url_expires=600"
        "&public_url=https://cdn.example.org&page_size=50"
    )
    assert isinstance(s3, S3Storage)
    assert (s3.options.bucket, s3.options.prefix, s3.options.region) == ("my-bucket", "courses/prod", "eu-west-3")
    assert (s3.options.url_expires, s3.options.page_size) == (600, 50)
    assert s3.url("x.png") == "https://cdn.example.org/courses/prod/x.png"


BAD_URLS = [
    ("", "COURSEFORGE_STORAGE_URL: is empty: give a folder path"),
    ("  ", "COURSEFORGE_STORAGE_URL: is empty"),
    ("ftp://host/files", "ftp://host/files: scheme: unknown scheme 'ftp'"),
    ("file://server/files", "host: a file:// URL cannot name another machine ('server')"),
    ("file:files", "file:files: path: a file:// URL needs an absolute path"),
    ("file:///srv/files?colour=blue", "colour: unknown option (a folder takes only base_url)"),
    ("s3://", "s3://: bucket: no bucket"),
    ("s3:///prefix", "bucket: no bucket"),
    ("s3://AKIAEXAMPLE:hunter2@bucket/x", "s3://***@bucket/x: credentials: credentials do not belong in the storage URL"),
    ("s3://Bad_Bucket/x", "bucket: 'Bad_Bucket' is not a bucket name"),
    ("s3://bucket/a/../b", "prefix: 'a/../b' must not contain a '..' segment"),
    ("s3://bucket?url_expires=soon", "url_expires: Input should be a valid integer"),
    ("s3://bucket?url_expires=0", "url_expires: Input should be greater than or equal to 1"),
    ("s3://bucket?multipart_chunksize=1024", "multipart_chunksize: Input should be greater than or equal to 5242880"),
    ("s3://bucket?colour=blue", "colour: unknown option (the options are bucket, prefix, endpoint_url"),
    ("s3://bucket?region=a&region=b", "s3://bucket?region=a&region=b: region: given twice"),
    ("s3://bucket?endpoint_url=localhost:9000", "endpoint_url: 'localhost:9000' is not an http:// or https:// URL"),
    ("s3://bucket?addressing_style=dns", "addressing_style: Input should be 'auto', 'path' or 'virtual'"),
    ("s3://bucket?bucket=other", "bucket: the bucket is part of the URL itself"),
]


@pytest.mark.parametrize(("url", "expected"), BAD_URLS, ids=[url or "empty" for url, _ in BAD_URLS])
def test_a_bad_storage_url_says_what_is_wrong(url: str, expected: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_storage(url)
    assert expected in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_every_bad_option_is_reported_at_once() -> None:
    with pytest.raises(StorageError) as caught:
        open_storage("s3://bucket?url_expires=soon&page_size=5000")
    assert [problem.field for problem in caught.value.problems] == ["url_expires", "page_size"]
    assert str(caught.value).splitlines()[1].startswith("s3://bucket?url_expires=soon&page_size=5000: page_size: ")
