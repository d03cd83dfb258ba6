"""Publishing to storage: content-hashed objects stored once, a version manifest, the pointer
written last, precompressed variants, rollback; in a folder and in S3 (moto's server)."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from conftest import PACKAGE_COURSE, write_course_folder
from s3_server import REGION, aws_env, moto_endpoint, s3_bucket  # noqa: F401 (fixtures)

from exporters.build import build_site
from exporters.publish import (
    PublishError,
    publish_site,
    read_pointer,
    rollback,
)
from player.delivery import read_version
from storage import LocalStorage, S3Options, S3Storage, Storage, StorageError

COURSE = PACKAGE_COURSE["id"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """Two built versions of one course (v2: a changed text page) and another course sharing its image."""
    root = tmp_path_factory.mktemp("publish-sites")
    one = write_course_folder(root / "one")
    two = write_course_folder(root / "two")
    (two / "text" / "intro.md").write_text("# Intro\n\nRevised text.\n", encoding="utf-8")
    other = write_course_folder(root / "other", {**PACKAGE_COURSE, "id": "other-course", "title": "Another"})
    return {
        name: build_site(folder, "web", root / f"site-{name}").path
        for name, folder in (("v1", one), ("v2", two), ("other", other))
    }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_file_is_stored_under_the_hash_of_its_bytes_and_the_pointer_names_the_version(sites, tmp_path):
    storage = LocalStorage(tmp_path / "store")
    result = publish_site(sites["v1"], COURSE, storage)
    version = read_version(storage, COURSE, result.version)
    on_disk = sorted(p.relative_to(sites["v1"]).as_posix() for p in sites["v1"].rglob("*") if p.is_file())
    assert sorted(version.files) == on_disk and result.files == len(on_disk)
    for path, entry in version.files.items():
        data = storage.get(entry.key)
        assert data == (sites["v1"] / path).read_bytes()
        assert entry.key == f"assets/{sha256(data)[:2]}/{sha256(data)}{Path(path).suffix.lower()}"
        assert entry.size == len(data)
    assert version.files["index.html"].content_type == "text/html"
    assert version.files["js/app.js"].content_type == "text/javascript"
    assert version.files["course.json"].content_type == "application/json"
    pointer = read_pointer(storage, COURSE)
    assert pointer.version == result.version and pointer.versions == (result.version,)
    assert result.launch_path == f"c/{COURSE}/v/{result.version}/index.html"
    assert result.version == sha256(version.canonical())[:20]


def test_text_files_get_gzip_and_brotli_variants_and_binary_files_none(sites, tmp_path):
    storage = LocalStorage(tmp_path / "store")
    version = read_version(storage, COURSE, publish_site(sites["v1"], COURSE, storage).version)
    script = version.files["js/app.js"]
    assert script.encodings == ("br", "gzip")
    original = storage.get(script.key)
    assert gzip.decompress(storage.get(script.key + ".gz")) == original
    unpacked = subprocess.run(
        ["brotli", "-d", "-c"], input=storage.get(script.key + ".br"), capture_output=True, check=True
    ).stdout
    assert unpacked == original
    images = [entry for path, entry in version.files.items() if path.endswith((".png", ".webp", ".jpg"))]
    assert images and all(entry.encodings == () for entry in images)
    assert not any(storage.exists(entry.key + ".gz") or storage.exists(entry.key + ".br") for entry in images)


def test_republishing_uploads_only_what_changed_and_a_shared_file_is_stored_once(sites, tmp_path):
    storage = LocalStorage(tmp_path / "store")
    first = publish_site(sites["v1"], COURSE, storage)
    assert first.uploaded >= first.files and first.reused == 0
    again = publish_site(sites["v1"], COURSE, storage)
    assert (again.version, again.uploaded, again.uploaded_bytes, again.reused) == (first.version, 0, 0, first.files)
    assert read_pointer(storage, COURSE).versions == (first.version,)

    second = publish_site(sites["v2"], COURSE, storage)
    old, new = read_version(storage, COURSE, first.version), read_version(storage, COURSE, second.version)
    changed = {path for path in new.files if new.files[path] != old.files.get(path)}
    assert second.version != first.version and changed and len(changed) < len(new.files) // 2
    assert second.reused == len(new.files) - len(changed)
    assert second.previous == first.version
    assert read_pointer(storage, COURSE).versions == (first.version, second.version)

    objects_before = set(storage.list("assets/"))
    other = publish_site(sites["other"], "other-course", storage)
    image = next(path for path in old.files if path.endswith((".png", ".webp")))
    assert read_version(storage, "other-course", other.version).files[image].key == old.files[image].key
    assert old.files[image].key in objects_before  # the same object, not a second copy
    assert other.reused >= 1


class FailingPuts(Storage):
    """A folder store whose puts start failing after ``allowed`` of them: a publish cut off."""

    def __init__(self, inner: LocalStorage, allowed: int) -> None:
        self.inner, self.allowed = inner, allowed

    def put(self, key, data, content_type=None):
        if self.allowed <= 0:
            raise StorageError(key, "cannot write it: the connection was lost")
        self.allowed -= 1
        self.inner.put(key, data, content_type)

    def open(self, key):
        return self.inner.open(key)

    def exists(self, key):
        return self.inner.exists(key)

    def size(self, key):
        return self.inner.size(key)

    def url(self, key):
        return self.inner.url(key)

    def list(self, prefix=""):
        return self.inner.list(prefix)

    def delete(self, key):
        self.inner.delete(key)


def test_a_publish_cut_off_half_way_leaves_learners_on_the_old_version_and_the_next_one_completes(sites, tmp_path):
    storage = LocalStorage(tmp_path / "store")
    first = publish_site(sites["v1"], COURSE, storage)
    before = storage.get(f"courses/{COURSE}/current.json")
    with pytest.raises(StorageError):
        publish_site(sites["v2"], COURSE, FailingPuts(storage, allowed=2))
    assert storage.get(f"courses/{COURSE}/current.json") == before
    assert read_pointer(storage, COURSE).version == first.version
    second = publish_site(sites["v2"], COURSE, storage)
    for entry in read_version(storage, COURSE, second.version).files.values():
        assert storage.exists(entry.key)
        for suffix in {"br": ".br", "gzip": ".gz"}.values() if entry.encodings else ():
            assert storage.exists(entry.key + suffix)
    assert read_pointer(storage, COURSE).version == second.version


def test_rollback_goes_back_one_version_or_to_a_named_one_and_keeps_every_version(sites, tmp_path):
    storage = LocalStorage(tmp_path / "store")
    with pytest.raises(PublishError, match="nothing is published for this course"):
        rollback(storage, COURSE)
    v1 = publish_site(sites["v1"], COURSE, storage).version
    with pytest.raises(PublishError, match=f"version {v1} is the first one published"):
        rollback(storage, COURSE)
    v2 = publish_site(sites["v2"], COURSE, storage).version
    assert rollback(storage, COURSE).version == v1
    assert read_pointer(storage, COURSE).version == v1
    assert rollback(storage, COURSE, v2).version == v2
    assert read_pointer(storage, COURSE).versions == (v1, v2)
    with pytest.raises(PublishError, match="was never published for this course") as error:
        rollback(storage, COURSE, "0" * 20)
    assert str(error.value).startswith(f"courses/{COURSE}/current.json: version: ")
    with pytest.raises(PublishError, match="is not a version id"):
        rollback(storage, COURSE, "v1")
    # publishing v1's content again makes it current without listing it twice
    assert publish_site(sites["v1"], COURSE, storage).version == v1
    assert read_pointer(storage, COURSE).versions == (v1, v2)


def test_a_damaged_pointer_is_reported_with_its_key(tmp_path):
    storage = LocalStorage(tmp_path / "store")
    storage.put(f"courses/{COURSE}/current.json", b'{"course_id": "1st-aid"}')
    with pytest.raises(PublishError) as error:
        read_pointer(storage, COURSE)
    assert str(error.value).startswith(f"courses/{COURSE}/current.json: version: ")
    assert "not a valid pointer file" in str(error.value)


def test_a_folder_that_is_not_a_build_is_refused(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("hello")
    with pytest.raises(PublishError, match=r"holds no index\.html"):
        publish_site(tmp_path / "site", COURSE, LocalStorage(tmp_path / "store"))
    with pytest.raises(PublishError, match="is not a course id"):
        publish_site(tmp_path / "site", "../etc", LocalStorage(tmp_path / "store"))


@pytest.mark.services
def test_publishing_to_s3_stores_typed_objects_once_and_rolls_back(sites, s3_bucket, moto_endpoint):  # noqa: F811
    storage = S3Storage(S3Options(bucket=s3_bucket, prefix="delivery", endpoint_url=moto_endpoint, region=REGION))
    first = publish_site(sites["v1"], COURSE, storage)
    again = publish_site(sites["v1"], COURSE, storage)
    assert again.uploaded == 0 and again.reused == first.files
    second = publish_site(sites["v2"], COURSE, storage)
    assert 0 < second.uploaded < first.uploaded
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)
    version = read_version(storage, COURSE, second.version)
    head = client.head_object(Bucket=s3_bucket, Key="delivery/" + version.files["index.html"].key)
    assert head["ContentType"] == "text/html"
    head = client.head_object(Bucket=s3_bucket, Key="delivery/" + version.files["js/app.js"].key + ".br")
    assert head["ContentType"] == "text/javascript"
    stored = client.get_object(Bucket=s3_bucket, Key=f"delivery/courses/{COURSE}/current.json")
    pointer = json.loads(stored["Body"].read())
    assert pointer == {"course_id": COURSE, "version": second.version, "versions": [first.version, second.version]}
    assert rollback(storage, COURSE).version == first.version
    assert read_pointer(storage, COURSE).version == first.version


def test_unchanged_site_copied_elsewhere_is_the_same_version(sites, tmp_path):
    """The version id depends on the files only, not on where or when they were built."""
    copy = shutil.copytree(sites["v1"], tmp_path / "copy")
    storage = LocalStorage(tmp_path / "store")
    assert publish_site(copy, COURSE, storage).version == publish_site(sites["v1"], COURSE, storage).version


def test_the_publish_command_reports_versions_uploads_and_launch_urls_and_rolls_back(tmp_path):
    from click.testing import CliRunner

    from cli.main import cli

    course = write_course_folder(tmp_path / "course")
    store = tmp_path / "store"
    runner = CliRunner()
    args = ["publish", str(course), "--storage", str(store), "--delivery-url", "https://courses.example.org/"]
    nothing = runner.invoke(cli, [*args, "--rollback"])
    assert nothing.exit_code == 1
    assert f"courses/{COURSE}/current.json: nothing is published for this course" in nothing.output
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    version = read_pointer(LocalStorage(store), COURSE).version
    assert f"{COURSE}: published version {version} (first version) to {store}" in first.output
    assert "already stored: 0 of " in first.output
    assert (
        f"launch: https://courses.example.org/c/{COURSE}/  (this version: "
        f"https://courses.example.org/c/{COURSE}/v/{version}/index.html)"
    ) in first.output
    again = runner.invoke(cli, args)
    assert f"version {version} is already the current one; nothing changed" in again.output
    assert "uploaded 0 objects (0 bytes)" in again.output
    (course / "text" / "intro.md").write_text("# Intro\n\nChanged.\n", encoding="utf-8")
    second = runner.invoke(cli, args)
    assert f"(was {version})" in second.output
    back = runner.invoke(cli, [*args, "--rollback"])
    assert back.exit_code == 0 and f"{COURSE}: learners now get version {version}" in back.output
    wrong = runner.invoke(cli, [*args, "--rollback", "f" * 20])
    assert wrong.exit_code == 1 and f"version {'f' * 20} was never published for this course" in wrong.output
