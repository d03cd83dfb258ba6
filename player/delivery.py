"""The delivery server: the published layout it reads, a stateless WSGI app behind nginx, and
the nginx configuration for it.

Learner-facing bytes never pass through Python. The app only answers what must be computed:

    GET /c/<course>/                    the pointer: 302 to the current version's launch page (query
                                        kept), ``Cache-Control: no-cache`` + the version as ETag
    GET /c/<course>/v/<version>/<path>  which stored object holds that file, in the variant the
                                        learner accepts (brotli, gzip, as it is): an empty answer
                                        with ``X-Accel-Redirect`` and the file's type; nginx then
                                        serves the object itself (Range, ETag/304)
    GET /healthz                        200 when the storage answers, 503 with the reason otherwise

Why X-Accel-Redirect rather than a version folder of links: the player fetches its pages and
media by relative URLs, so a version needs a URL tree, but its files live once under hashed keys
shared with other versions. The mapping is a dictionary lookup in the version's manifest, which
is immutable (its id is its hash) and therefore cached forever in each worker without being
state: any worker, any node answers the same. The pointer is read on every request, so a
publish or rollback takes effect at once on every node (a CDN in front keeps the pointer's
answer a second, keyed without the query: see ``deploy/varnish.vcl.j2``). No cookies, no
sessions.

The app picks the precompressed variant because only the manifest knows which variants a file
has: nginx in front of a bucket cannot look for ``.br`` beside an object as ``brotli_static``
does in a folder. The internal URI says what to add, and the same four shapes serve a folder
and a bucket::

    /_objects/assets/<aa>/<sha>.mp4              no variants: served as stored
    /_objects/identity/assets/<aa>/<sha>.js      has variants, none accepted: Vary only
    /_objects/br/assets/<aa>/<sha>.js.br         Content-Encoding: br, Vary
    /_objects/gzip/assets/<aa>/<sha>.js.gz       Content-Encoding: gzip, Vary

nginx hands the app a normalised Accept-Encoding ("br, gzip", "br", "gzip" or none, see
``nginx.conf.j2``), so its cache of the app's answers holds one answer per path and choice.

Behind a CDN the ``/c/<course>/v/...`` answers are cached for a year (the launch page is
revalidated, see ``nginx.conf.j2``), so the app sees a request per file per version per edge.
With a folder storage nginx reads the objects from the folder; with an S3 bucket it proxies
them from the bucket (``objects_url``): unsigned GETs of ``assets/`` (the one prefix that must be
readable without credentials, see ``NginxSettings.objects_url``), Range, ETag and 304 answered by
the bucket, the type from the manifest, the bucket's own headers left out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from courses.errors import Problem, field_path
from storage import LocalStorage, NotFound, S3Storage, Storage, StorageError, open_storage

# ------------------------------------------------------------------------ the published layout
# What publishing (exporters.publish) writes and this server reads, defined here because the
# delivery side may not import the exporters (the data flows one way).
LAUNCH_PAGE = "index.html"
VERSION_CHARS = 20
"""Hex digits of a version id: 80 bits of the manifest's SHA-256, unique for any course's history."""
COURSE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
VERSION_ID = re.compile(rf"[0-9a-f]{{{VERSION_CHARS}}}")
VARIANTS = {"br": ".br", "gzip": ".gz"}
"""Content-Encoding -> suffix of the precompressed variant stored beside an object, in the order
they are preferred."""
ModelT = TypeVar("ModelT", bound=BaseModel)


class PublishError(Exception):
    """A published course's files are damaged, or publishing or rolling back cannot go on;
    ``problem`` says where and what to do."""

    def __init__(self, where: str, message: str, field: str = "") -> None:
        self.problem = Problem(file=where, line=None, field=field, message=message)
        super().__init__(str(self.problem))


class VersionFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(description="The content-hashed object holding the file's bytes.")
    size: int = Field(ge=0)
    content_type: str
    encodings: tuple[str, ...] = Field((), description="Precompressed variants stored beside the object.")


class Version(BaseModel):
    """One published version: what the delivery app maps ``/c/<course>/v/<version>/<path>`` with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    course_id: str
    files: dict[str, VersionFile]

    @property
    def id(self) -> str:
        """The hash of the manifest itself: same files, same version; any change, a new one."""
        return hashlib.sha256(self.canonical()).hexdigest()[:VERSION_CHARS]

    def canonical(self) -> bytes:
        return (json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":")) + "\n").encode()


class Pointer(BaseModel):
    """A course's one mutable object: which version learners get, and every version published."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    course_id: str
    version: str
    versions: tuple[str, ...] = Field(description="Published versions, in the order first published.")


def pointer_key(course_id: str) -> str:
    return f"courses/{check_course_id(course_id)}/current.json"


def version_key(course_id: str, version: str) -> str:
    return f"courses/{check_course_id(course_id)}/versions/{check_version_id(version)}.json"


def launch_path(course_id: str, version: str) -> str:
    """Where a version's launch page is served, relative to the delivery origin."""
    return f"c/{course_id}/v/{version}/{LAUNCH_PAGE}"


def check_course_id(course_id: str) -> str:
    if not isinstance(course_id, str) or not COURSE_ID.fullmatch(course_id):
        raise PublishError(repr(course_id), "is not a course id (letters, digits, - and _, up to 64)", "course_id")
    return course_id


def check_version_id(version: str) -> str:
    if not isinstance(version, str) or not VERSION_ID.fullmatch(version):
        raise PublishError(repr(version), f"is not a version id ({VERSION_CHARS} lowercase hex digits)", "version")
    return version


def read_pointer(storage: Storage, course_id: str) -> Pointer | None:
    """The course's pointer, or None when it was never published."""
    key = pointer_key(course_id)
    try:
        data = storage.get(key)
    except NotFound:
        return None
    pointer = _parse(Pointer, key, data)
    if pointer.course_id != course_id:
        raise PublishError(key, f"names course {pointer.course_id!r}: the storage is damaged", "course_id")
    return pointer


def read_version(storage: Storage, course_id: str, version: str) -> Version:
    key = version_key(course_id, version)
    return _parse(Version, key, storage.get(key))


def _parse(model: type[ModelT], key: str, data: bytes) -> ModelT:
    try:
        return model.model_validate_json(data)
    except ValidationError as error:
        detail = error.errors()[0]
        field = ".".join(str(part) for part in detail["loc"])
        raise PublishError(key, f"is not a valid {model.__name__.lower()} file: {detail['msg']}", field) from None


# ------------------------------------------------------------------------------ the app
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

OBJECTS = "/_objects/"
"""nginx's internal location for immutable objects (cached for a year)."""
LAUNCH = "/_launch/"
"""nginx's internal location for launch pages: the same objects, revalidated on every load, so
that a change of the frame-ancestors setting reaches learners without waiting for caches."""
IDENTITY = "identity"
"""The internal URI's mark for a file that has variants, served as stored (it still varies)."""
TEMPLATES = Path(__file__).parent
ROUTE = re.compile(rf"/c/(?P<course>{COURSE_ID.pattern})(?:/(?:v/(?P<version>{VERSION_ID.pattern})/(?P<path>.*))?)?")
TEXT_TYPES = ("text/", "application/json", "image/svg+xml", "application/xml")
BUCKET_HEADERS = (
    # What the learner gets from nginx itself (the type from the manifest, the caching, the
    # security headers) rather than from the bucket's metadata or its CORS rules.
    "Content-Type",
    "Content-Encoding",
    "Content-Disposition",
    "Content-Language",
    "Cache-Control",
    "Expires",
    "Set-Cookie",
    "Vary",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Credentials",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "X-XSS-Protection",
    "Referrer-Policy",
    # The bucket's own bookkeeping (AWS S3, MinIO, Ceph, Google Cloud Storage, moto).
    "x-amz-id-2",
    "x-amz-request-id",
    "x-amzn-requestid",
    "x-amz-version-id",
    "x-amz-delete-marker",
    "x-amz-expiration",
    "x-amz-restore",
    "x-amz-storage-class",
    "x-amz-replication-status",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-bucket-key-enabled",
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-server-side-encryption-customer-key-md5",
    "x-amz-website-redirect-location",
    "x-amz-tagging-count",
    "x-amz-mp-parts-count",
    "x-amz-object-lock-mode",
    "x-amz-object-lock-retain-until-date",
    "x-amz-object-lock-legal-hold",
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
    "x-amz-checksum-type",
    "x-amz-sdk-checksum-algorithm",
    "x-amz-content-sha256",
    "x-amz-bucket-region",
    "x-minio-deployment-id",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-rgw-object-type",
    "x-goog-generation",
    "x-goog-metageneration",
    "x-goog-hash",
    "x-goog-storage-class",
    "x-goog-stored-content-encoding",
    "x-goog-stored-content-length",
    "x-guploader-uploadid",
)
"""Answer headers of a bucket that never reach learners (nginx names them one by one: it has no
wildcard; publishing sets no ``x-amz-meta-*``)."""


class DeliverySettings(BaseModel):
    """What one delivery worker needs: where published courses are kept."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    storage_url: str = Field(description="The storage published courses are in (COURSEFORGE_STORAGE_URL).")
    version_cache: int = Field(512, ge=1, description="Version manifests kept per worker (they never change).")


def create_app(settings: DeliverySettings | None = None) -> WSGIApp:
    """The WSGI app; without ``settings`` (``gunicorn 'player.delivery:create_app()'``) the
    storage is the COURSEFORGE_STORAGE_URL setting."""
    if settings is None:
        from settings import Settings

        settings = DeliverySettings(storage_url=Settings().storage_url)
    return DeliveryApp(open_storage(settings.storage_url), settings.version_cache)


class DeliveryApp:
    def __init__(self, storage: Storage, version_cache: int) -> None:
        self.storage = storage
        self.version = lru_cache(maxsize=version_cache)(self._load_version)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        # WSGI hands the decoded path as latin-1 characters, one per byte: read the bytes as UTF-8.
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", errors="replace")
        if method not in ("GET", "HEAD"):
            return _answer(
                start_response, "405 Method Not Allowed", "only GET and HEAD are served\n", [("Allow", "GET, HEAD")]
            )
        if path == "/healthz":
            return self.health(start_response)
        route = ROUTE.fullmatch(path)
        if route is None:
            return _answer(start_response, "404 Not Found", "no such page\n")
        if route["version"] is None:
            return self.pointer(environ, start_response, route["course"])
        accepted = accepted_encodings(environ.get("HTTP_ACCEPT_ENCODING", ""))
        return self.file(start_response, route["course"], route["version"], route["path"], accepted)

    def health(self, start_response: StartResponse) -> Iterable[bytes]:
        try:
            self.storage.exists("courses/healthz")
        except StorageError as error:
            return _answer(start_response, "503 Service Unavailable", f"storage unavailable: {error.problem}\n")
        return _answer(start_response, "200 OK", json.dumps({"status": "ok"}) + "\n", content_type="application/json")

    def pointer(self, environ: dict[str, Any], start_response: StartResponse, course: str) -> Iterable[bytes]:
        try:
            current = read_pointer(self.storage, course)
        except (PublishError, StorageError) as error:
            return _failed(start_response, error)
        if current is None:
            return _answer(start_response, "404 Not Found", f"course {course} is not published\n")
        etag = f'"{current.version}"'
        query = environ.get("QUERY_STRING", "")
        location = f"/c/{course}/v/{current.version}/{LAUNCH_PAGE}" + (f"?{query}" if query else "")
        headers = [("Cache-Control", "no-cache"), ("ETag", etag), ("Location", location)]
        if etag in _etags(environ.get("HTTP_IF_NONE_MATCH", "")):
            start_response("304 Not Modified", headers)
            return []
        # No body: the answer is its head alone, which the worker sends in one write, so a node
        # killed while answering either sent all of it or nothing (and nginx asks another node).
        return _answer(start_response, "302 Found", "", headers)

    def file(
        self, start_response: StartResponse, course: str, version: str, path: str, accepted: frozenset[str]
    ) -> Iterable[bytes]:
        try:
            files = self.version(course, version)
        except NotFound:
            return _answer(start_response, "404 Not Found", f"course {course} has no version {version}\n")
        except (PublishError, StorageError) as error:
            return _failed(start_response, error)
        entry = files.files.get(path or LAUNCH_PAGE)
        if entry is None:
            return _answer(start_response, "404 Not Found", f"version {version} of {course} has no {path}\n")
        internal = (LAUNCH if (path or LAUNCH_PAGE) == LAUNCH_PAGE else OBJECTS) + variant_path(entry, accepted)
        kind = entry.content_type + ("; charset=utf-8" if entry.content_type.startswith(TEXT_TYPES) else "")
        start_response("200 OK", [("Content-Type", kind), ("X-Accel-Redirect", internal), ("Content-Length", "0")])
        return []

    def _load_version(self, course: str, version: str) -> Version:
        manifest = read_version(self.storage, course, version)
        if manifest.course_id != course:
            raise PublishError(
                f"courses/{course}/versions/{version}.json",
                f"belongs to course {manifest.course_id!r}: the storage is damaged",
                "course_id",
            )
        return manifest


def accepted_encodings(header: str) -> frozenset[str]:
    """The variants an Accept-Encoding header accepts ("br;q=0" refuses br, "*" takes any)."""
    accepted: set[str] = set()
    refused: set[str] = set()
    for item in header.lower().split(","):
        name, *parameters = (part.strip() for part in item.split(";"))
        quality = next((parameter[2:] for parameter in parameters if parameter.startswith("q=")), "1")
        try:
            weight = float(quality)
        except ValueError:
            weight = 0.0
        (accepted if weight > 0 else refused).add(name)
    if "*" in accepted:
        accepted |= set(VARIANTS)
    return frozenset(accepted & set(VARIANTS) - refused)


def variant_path(entry: VersionFile, accepted: frozenset[str]) -> str:
    """The internal path (after ``/_objects/`` or ``/_launch/``) of the variant of ``entry`` to
    send: the first preferred variant it has and the learner accepts, else the object itself."""
    if not entry.encodings:
        return quote(entry.key)
    for encoding, suffix in VARIANTS.items():
        if encoding in entry.encodings and encoding in accepted:
            return f"{encoding}/{quote(entry.key + suffix)}"
    return f"{IDENTITY}/{quote(entry.key)}"


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _answer(
    start_response: StartResponse,
    status: str,
    body: str,
    headers: Sequence[tuple[str, str]] = (),
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    data = body.encode()
    names = {name.lower() for name, _ in headers}
    extra = [] if "cache-control" in names else [("Cache-Control", "no-store")]
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data))), *extra, *headers])
    return [data]


def _failed(start_response: StartResponse, error: PublishError | StorageError) -> list[bytes]:
    return _answer(start_response, "503 Service Unavailable", f"{error.problem}\n")


# ------------------------------------------------------------------------------------- nginx
class NginxSettings(BaseModel):
    """One nginx in front of the delivery workers, serving the objects of a folder storage
    (``objects_root``) or of a bucket (``objects_url``).

    A bucket is read with plain unsigned GETs, so nginx holds no credentials (there are none in
    its configuration): the bucket lets anyone, or better only the origin's network, read
    ``PREFIX/assets/*`` and nothing else (a bucket policy granting s3:GetObject on that prefix,
    with an aws:SourceVpce or aws:SourceIp condition). The pointer and the manifests under
    ``courses/`` stay private: the workers read them with their own credentials."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    listen: str = Field(description="Address nginx listens on, e.g. 127.0.0.1:8080 or 80.")
    upstreams: list[str] = Field(min_length=1, description="gunicorn workers: host:port or unix:/path.sock.")
    objects_root: Path | None = Field(None, description="The folder storage holding published courses (absolute).")
    objects_url: str | None = Field(
        None,
        description="The bucket holding published courses, with its prefix (S3Storage.bucket_url): "
        "http://127.0.0.1:9000/BUCKET/PREFIX/ or https://BUCKET.s3.REGION.amazonaws.com/PREFIX/.",
    )
    trusted_certificates: Path = Field(
        Path("/etc/ssl/certs/ca-certificates.crt"), description="CA bundle an https objects_url is verified with."
    )
    resolvers: list[str] = Field(
        default_factory=list,
        description="DNS servers the bucket's host name is looked up with again every minute (AWS: 169.254.169.253), "
        "for endpoints whose addresses change; none = looked up once when nginx starts, connections kept alive.",
    )
    prefix: Path = Field(description="Folder for nginx's pid, logs and temporary files (absolute).")
    frame_ancestors: list[str] = Field(
        default_factory=list, description="Origins (LMSs, dispatch hosts) allowed to frame the player."
    )
    user: str | None = Field(None, description="User nginx's workers run as (root must name one).")
    workers: int = Field(1, ge=1, le=64)
    worker_connections: int = Field(1024, ge=64, le=65536, description="Connections each nginx worker holds.")
    idle_timeout: int = Field(
        75, ge=1, le=3600, description="Seconds a learner's idle keep-alive connection is held (keepalive_timeout)."
    )
    mapping_cache: bool = Field(
        True,
        description="Keep the workers' answers for versioned paths (immutable) in nginx's memory, so a learner's "
        "request is served in one pass (needs nginx's Lua module); off, every request asks a worker first.",
    )
    modules: Path = Field(
        Path("/usr/lib/nginx/modules"), description="Folder of nginx's dynamic modules (Lua, for the mapping cache)."
    )
    daemon: bool = Field(False, description="Detach (False: stay in the foreground, for a supervisor).")

    @field_validator("objects_root", "prefix", "trusted_certificates", "modules")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_absolute():
            raise PydanticCustomError("absolute", "'{value}' must be an absolute path", {"value": str(value)})
        return value

    @field_validator("objects_url")
    @classmethod
    def _bucket_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        valid = (
            parts.scheme in ("http", "https")
            and parts.hostname
            and not parts.username
            and not parts.query
            and not parts.fragment
            and re.fullmatch(r"[A-Za-z0-9._~%/:\[\]-]+", parts.netloc + parts.path)
        )
        if not valid:
            raise PydanticCustomError(
                "bucket_url", "'{value}' is not a bucket's URL (http(s)://host[:port]/path/)", {"value": value}
            )
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _one_source(self) -> NginxSettings:
        if (self.objects_root is None) == (self.objects_url is None):
            raise PydanticCustomError("objects", "give exactly one of objects_root (a folder) and objects_url", {})
        return self

    @property
    def bucket(self) -> Bucket | None:
        return Bucket.of(self.objects_url) if self.objects_url else None

    @field_validator("frame_ancestors")
    @classmethod
    def _origins(cls, values: list[str]) -> list[str]:
        return [_origin(value) for value in values]

    @field_validator("listen", "upstreams", "resolvers", mode="before")
    @classmethod
    def _no_directives(cls, value: object) -> object:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and re.search(r"[\s;{}'\"#]", item):
                raise PydanticCustomError("address", "'{value}' is not an address", {"value": item})
        return value

    @classmethod
    def parse(cls, where: str, values: dict[str, object]) -> NginxSettings:
        """Validate ``values``; every bad one is a ``Problem`` at ``where``, in one error."""
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = [Problem(where, None, field_path(d["loc"]), d["msg"]) for d in error.errors()]
            raise DeliveryConfigError(problems) from None


@dataclass(frozen=True)
class Bucket:
    """What nginx's configuration needs of ``objects_url``."""

    scheme: str
    server: str  # host:port, for the upstream block
    host: str  # the Host header the bucket expects
    name: str  # the host name its TLS certificate is checked for
    path: str  # ends with "/"

    @classmethod
    def of(cls, url: str) -> Bucket:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname or ""
        server = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return cls(parts.scheme, server, parts.netloc, host, parts.path or "/")


class DeliveryConfigError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def _origin(value: str) -> str:
    """``scheme://host[:port]`` exactly, so nothing can be smuggled into the CSP header."""
    parts = urlsplit(value)
    valid = (
        parts.scheme in ("http", "https")
        and parts.hostname
        and not parts.username
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
        and re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", parts.netloc)
    )
    if not valid:
        raise PydanticCustomError(
            "origin", "'{value}' is not an origin (https://host or https://host:port)", {"value": value}
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def content_security_policy(frame_ancestors: Sequence[str]) -> str:
    """The player's CSP: its own scripts only, and framed only by itself and the LMS origins."""
    ancestors = " ".join(["'self'", *frame_ancestors])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )


def objects_source(storage: Storage) -> dict[str, object]:
    """The ``NginxSettings`` fields that make nginx serve ``storage``'s objects: a folder is
    read from disk, a bucket through its own URL."""
    if isinstance(storage, LocalStorage):
        return {"objects_root": storage.root.resolve()}
    if isinstance(storage, S3Storage):
        return {"objects_url": storage.bucket_url()}
    raise DeliveryConfigError(
        [Problem(str(storage), None, "storage_url", "nginx serves a folder or an S3-compatible bucket only")]
    )


def nginx_config(settings: NginxSettings) -> str:
    """The nginx.conf for ``settings`` (rendered from ``nginx.conf.j2``)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    return environment.get_template("nginx.conf.j2").render(
        s=settings,
        bucket=settings.bucket,
        bucket_headers=BUCKET_HEADERS,
        csp=content_security_policy(settings.frame_ancestors),
        objects=OBJECTS,
        launch=LAUNCH,
        modules=settings.modules,
        mapping_lua=TEMPLATES / "mapping.lua",
        identity=IDENTITY,
        variants=VARIANTS,
    )
