"""Publishing: the web form of a course, put into storage for the delivery server to serve.

Layout in the storage (the same keys in a folder and in an S3 bucket)::

    assets/<aa>/<sha256>.<ext>            every file, named by the SHA-256 of its bytes: written
    assets/<aa>/<sha256>.<ext>.gz|.br     once, never changed, shared by every version and course
    courses/<course-id>/versions/<v>.json one version: package path -> hashed key (immutable)
    courses/<course-id>/current.json      the pointer: the current version and the published ones

Why this shape:

- **Stored once.** An unchanged video (or player script) hashes to the key it already has, so
  republishing uploads only what changed, and ten courses sharing a file share one object.
- **Atomic.** Objects go up first, then the version's manifest, and the pointer last, in one
  put (a rename in a folder, a single PUT in S3). A version's id is the hash of its manifest, so
  everything under ``/c/<course-id>/v/<version>/`` is immutable: a learner whose launch page came
  from one version fetches every page and asset from that version, never a mix.
- **Rollback.** Versions are never deleted; the pointer lists them in the order they were first
  published, and a rollback is one more put of the pointer.

Precompressed ``.gz`` (gzip -9) and ``.br`` (brotli -q 11, through Debian's ``brotli`` command)
variants are made for text types and kept only when smaller; the delivery workers name the
variant a learner accepts and nginx serves it as it is, from a folder or a bucket, so nothing is
compressed per request.

The delivery app (``player.delivery``) reads the pointer and the version manifests; nginx serves
the objects. Concurrent publishes of one course are last-writer-wins on the pointer (each
version stays complete and addressable either way).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from player.delivery import (
    LAUNCH_PAGE,
    VARIANTS,
    Pointer,
    PublishError,
    Version,
    VersionFile,
    check_course_id,
    check_version_id,
    launch_path,
    pointer_key,
    read_pointer,
    version_key,
)
from storage import Storage

Progress = Callable[[str, float], None]

ASSETS = "assets"
CHUNK = 1 << 20
EXTENSION = re.compile(r"[a-z0-9]{1,8}")

EXTRA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".vtt": "text/vtt",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m4s": "video/iso.segment",
    ".woff2": "font/woff2",
}
"""Types the delivery serves that Python's table lacks or names differently on some systems."""
COMPRESSIBLE = ("text/", "application/json", "application/xml", "image/svg+xml", "application/vnd.apple.mpegurl")


@dataclass(frozen=True)
class PublishResult:
    course_id: str
    version: str
    previous: str | None  # the version learners got before, if any
    files: int
    uploaded: int  # objects written (variants included)
    uploaded_bytes: int
    reused: int  # files whose object was already stored
    reused_bytes: int

    @property
    def launch_path(self) -> str:
        return launch_path(self.course_id, self.version)


def content_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    guessed = EXTRA_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return guessed


def object_key(sha256: str, path: str) -> str:
    """``assets/<aa>/<sha256>.<ext>``: the extension stays so that a web server (and a person
    reading a bucket listing) can tell the type without the manifest."""
    suffix = Path(path).suffix.lower().lstrip(".")
    name = f"{sha256}.{suffix}" if EXTENSION.fullmatch(suffix) else sha256
    return f"{ASSETS}/{sha256[:2]}/{name}"


def publish_course(course_dir: Path | str, storage: Storage, progress: Progress | None = None) -> PublishResult:
    """Build the web form of the course in ``course_dir`` and publish it to ``storage``."""
    from exporters.build import build_site
    from exporters.web import PublishedWebExporter

    with tempfile.TemporaryDirectory(prefix="courseforge-publish-") as work:
        site = Path(work) / "site"
        result = build_site(course_dir, PublishedWebExporter(), site, progress)
        return publish_site(site, result.course.id, storage, progress)


def publish_site(site: Path, course_id: str, storage: Storage, progress: Progress | None = None) -> PublishResult:
    """Publish the built site in the folder ``site`` as a version of ``course_id``: objects,
    then the version manifest, then the pointer (see the module docstring for why this order)."""
    check_course_id(course_id)
    paths = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    if LAUNCH_PAGE not in paths:
        raise PublishError(str(site), f"holds no {LAUNCH_PAGE}: it is not a built course")
    files: dict[str, VersionFile] = {}
    uploaded = uploaded_bytes = reused = reused_bytes = 0
    for done, path in enumerate(paths):
        if progress:
            progress("uploading", done / len(paths))
        source = site / path
        sha256 = _sha256(source)
        kind = content_type(path)
        key = object_key(sha256, path)
        size = source.stat().st_size
        if storage.exists(key):
            encodings = tuple(name for name, suffix in VARIANTS.items() if storage.exists(key + suffix))
            reused += 1
            reused_bytes += size
        else:
            encodings, written = _put_object(storage, key, source, kind)
            uploaded += 1 + len(encodings)
            uploaded_bytes += written
        files[path] = VersionFile(key=key, size=size, content_type=kind, encodings=encodings)
    version = Version(course_id=course_id, files=files)
    manifest_key = version_key(course_id, version.id)
    if not storage.exists(manifest_key):
        storage.put(manifest_key, version.canonical(), "application/json")
    current = read_pointer(storage, course_id)
    versions = current.versions if current else ()
    if version.id not in versions:
        versions = (*versions, version.id)
    if current is None or current.version != version.id or current.versions != versions:
        write_pointer(storage, Pointer(course_id=course_id, version=version.id, versions=versions))
    if progress:
        progress("uploading", 1.0)
    return PublishResult(
        course_id,
        version.id,
        current.version if current else None,
        len(files),
        uploaded,
        uploaded_bytes,
        reused,
        reused_bytes,
    )


def rollback(storage: Storage, course_id: str, version: str | None = None) -> Pointer:
    """Point ``course_id`` at ``version``, or at the version published before the current one."""
    current = read_pointer(storage, course_id)
    if current is None:
        raise PublishError(
            pointer_key(course_id),
            "nothing is published for this course, so there is nothing to roll back to: publish it first",
        )
    if version is None:
        index = current.versions.index(current.version) if current.version in current.versions else 0
        if index == 0:
            raise PublishError(
                pointer_key(course_id),
                f"version {current.version} is the first one published: there is no earlier version to roll back to",
                "version",
            )
        target = current.versions[index - 1]
    else:
        target = check_version_id(version)
        if target not in current.versions or not storage.exists(version_key(course_id, target)):
            known = ", ".join(current.versions)
            raise PublishError(
                pointer_key(course_id),
                f"version {target} was never published for this course (published: {known})",
                "version",
            )
    pointer = Pointer(course_id=course_id, version=target, versions=current.versions)
    if pointer != current:
        write_pointer(storage, pointer)
    return pointer


def write_pointer(storage: Storage, pointer: Pointer) -> None:
    """The one write that switches what learners get."""
    data = (json.dumps(pointer.model_dump(mode="json"), indent=1) + "\n").encode()
    storage.put(pointer_key(pointer.course_id), data, "application/json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _put_object(storage: Storage, key: str, source: Path, kind: str) -> tuple[tuple[str, ...], int]:
    """Store the variants first and the object last: an object that exists has its variants, so
    a publish that died half-way is completed by the next one instead of leaving a gap."""
    encodings: list[str] = []
    written = 0
    if kind.startswith(COMPRESSIBLE):
        raw = source.read_bytes()
        for name, packed in (("br", _brotli(raw)), ("gzip", gzip.compress(raw, 9, mtime=0))):
            if len(packed) < len(raw):
                storage.put(key + VARIANTS[name], packed, kind)
                encodings.append(name)
                written += len(packed)
    with source.open("rb") as stream:
        storage.put(key, stream, kind)
    return tuple(encodings), written + source.stat().st_size


def _brotli(data: bytes) -> bytes:
    command = shutil.which("brotli")
    if command is None:
        raise PublishError(
            "brotli",
            "the brotli command is not installed (Debian package brotli): "
            "run ./scripts/bootstrap or apt-get install brotli",
        )
    done = subprocess.run([command, "-c", "-q", "11", "-"], input=data, capture_output=True, check=False)
    if done.returncode != 0:
        raise PublishError("brotli", f"failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
