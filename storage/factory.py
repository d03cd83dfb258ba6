"""``open_storage(url)``: the one place a storage URL (the COURSEFORGE_STORAGE_URL setting)
becomes a ``Storage``.

    /srv/courseforge/files                      a folder (relative paths from the working folder)
    file:///srv/courseforge/files?base_url=https://media.example.org/
    s3://BUCKET/PREFIX?endpoint_url=http://127.0.0.1:9000&region=us-east-1&public_url=...

Credentials are never part of the URL: boto3 reads them from the environment or its config.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

from courses.errors import Problem
from storage.base import Storage
from storage.errors import STORAGE_URL_SETTING, StorageError
from storage.local import LocalStorage
from storage.s3 import S3Options, S3Storage

FORMS = "a folder path, file:///absolute/path or s3://bucket/prefix?endpoint_url=...&region=..."


def open_storage(url: str) -> Storage:
    """The storage ``url`` describes; a bad URL raises ``StorageError`` naming what is wrong."""
    if not isinstance(url, str) or not url.strip():
        raise StorageError(STORAGE_URL_SETTING, f"is empty: give {FORMS}")
    parts = urlsplit(url)
    if not parts.scheme:
        return LocalStorage(url)
    where = _redacted(url)
    options = _options(where, parts.query)
    if parts.scheme == "file":
        return _local(where, parts.netloc, unquote(parts.path), options)
    if parts.scheme == "s3":
        return _s3(where, parts.netloc, unquote(parts.path), options)
    raise StorageError(where, f"unknown scheme {parts.scheme!r}: give {FORMS}", "scheme")


def _local(where: str, host: str, path: str, options: dict[str, str]) -> LocalStorage:
    if host not in ("", "localhost"):
        raise StorageError(where, f"a file:// URL cannot name another machine ({host!r}): write file:///path", "host")
    if not path.startswith("/"):
        raise StorageError(where, "a file:// URL needs an absolute path: file:///path", "path")
    unknown = sorted(set(options) - {"base_url"})
    if unknown:
        raise StorageError.from_problems(
            Problem(where, None, name, "unknown option (a folder takes only base_url)") for name in unknown
        )
    return LocalStorage(path, base_url=options.get("base_url"))


def _s3(where: str, netloc: str, path: str, options: dict[str, str]) -> S3Storage:
    if "@" in netloc:
        raise StorageError(
            where,
            "credentials do not belong in the storage URL: remove them and set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment",
            "credentials",
        )
    if not netloc:
        raise StorageError(where, "no bucket: write s3://BUCKET/prefix", "bucket")
    return S3Storage(S3Options.parse(where, {"bucket": netloc, "prefix": path, **options}))


def _options(where: str, query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in options:
            raise StorageError(where, "given twice", name)
        if name in ("bucket", "prefix"):
            raise StorageError(where, f"the {name} is part of the URL itself: s3://BUCKET/PREFIX", name)
        options[name] = value
    return options


def _redacted(url: str) -> str:
    """``url`` fit to print: any user:password part replaced."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()
