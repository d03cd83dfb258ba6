"""The one rule for storage keys, shared by every backend.

A key is a POSIX-style relative path ("media/intro.mp4"). The same key must mean the same thing
in a folder on disk and in an S3 bucket, so anything a file system would reinterpret (``..``,
``//``, a backslash on Windows, a trailing ``/``) or a bucket would refuse (over 1024 bytes) is
refused here, before any backend sees it.
"""

from __future__ import annotations

import unicodedata

from storage.errors import StorageError, show_key

MAX_KEY_BYTES = 1024
"""S3's limit on a whole object key, in UTF-8 bytes."""

MAX_SEGMENT_BYTES = 255
"""The usual file-system limit on one file or folder name, in bytes."""

RESERVED_PREFIX = ".courseforge-tmp-"
"""Names a folder store gives its in-progress writes; refused everywhere so that keys stay
portable between backends and a half-written file can never be asked for by name."""


def key_problem(key: object) -> str | None:
    """Why ``key`` is not a valid key, or None when it is."""
    if not isinstance(key, str):
        return f"must be a string, not {type(key).__name__}"
    if not key:
        return "must not be empty"
    for char in key:
        category = unicodedata.category(char)
        if category == "Cc":
            return f"must not contain control characters (found {char!r})"
        if category == "Cs":
            return "must be valid Unicode (found a lone surrogate, e.g. from an undecodable file name)"
    if "\\" in key:
        return "must use '/' between folders, not a backslash"
    if key.startswith("/"):
        return "must be relative (no leading '/'): keys are paths inside the storage"
    if key.endswith("/"):
        return "must name a file, not end with '/'"
    size = len(key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        return f"is {size} bytes long in UTF-8; the limit is {MAX_KEY_BYTES}"
    for segment in key.split("/"):
        if segment == "":
            return "must not contain an empty segment ('//')"
        if segment in (".", ".."):
            return f"must not contain a '{segment}' segment: keys cannot step out of their folder"
        if segment.startswith(RESERVED_PREFIX):
            return f"must not use a name starting with {RESERVED_PREFIX!r} (reserved for writes in progress)"
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            return f"has a segment over {MAX_SEGMENT_BYTES} bytes long: {segment[:40]}..."
    return None


def check_key(key: str, field: str = "key") -> str:
    """Return ``key`` unchanged when valid, else raise a ``StorageError`` naming it and why."""
    problem = key_problem(key)
    if problem is not None:
        raise StorageError(show_key(key), problem, field)
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: '' (everything), a folder ending in '/', or the start of a key."""
    if isinstance(prefix, str) and (prefix == "" or (len(prefix) > 1 and prefix.endswith("/"))):
        if prefix:
            check_key(prefix[:-1], "prefix")
        return prefix
    return check_key(prefix, "prefix")
