"""A media job's input fetched by content from storage, into the cache of the machine running it.

A job for a course kept as blobs names its input by SHA-256 and storage key, not by a path on the
machine that queued it, so any worker with the same storage settings (COURSEFORGE_STORAGE_URL: the
bucket, or a folder shared between machines) can run it. The blob is copied to
``<cache>/inputs/<sha[:2]>/<sha>/<file name>`` a chunk at a time, hashed on the way, and appears
there only whole and checked, so a later job on the same bytes (a poster setting changed, HLS
turned on) takes it from there without fetching it again. The copy keeps the author's file name:
the checks compare its extension with its content.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from media.errors import MediaError
from media.probe import Limits
from storage import CorruptBlob, LocalStorage, NotFound, Storage, StorageError, open_storage
from storage.blobs import save_verified
from storage.errors import STORAGE_URL_SETTING

INPUTS = "inputs"


def input_path(cache_root: Path, label: str, sha256: str) -> Path:
    """Where the blob ``sha256`` of the course file ``label`` is kept in the cache."""
    name = PurePosixPath(label).name
    if name in ("", ".", ".."):
        name = "input"
    return cache_root / INPUTS / sha256[:2] / sha256 / name


def stored_input(label: str, key: str, sha256: str, storage_url: str, cache_root: Path, limits: Limits) -> Path:
    """The course file ``label`` (blob ``sha256`` at ``key``) as a local file, fetched once.

    Raises ``MediaError`` naming the file when the storage cannot be reached, does not hold the
    blob, holds a damaged copy, or holds one over the size limit (refused before a byte is fetched).
    """
    target = input_path(cache_root, label, sha256)
    if target.is_file():
        return target
    try:
        storage = open_storage(storage_url)
    except StorageError as error:
        raise MediaError.of(label, f"this worker's {STORAGE_URL_SETTING} cannot be used: {error.problem}") from None
    try:
        size = storage.size(key)
        if size > limits.max_bytes:
            raise MediaError.of(label, f"file is {size:,} bytes, over the {limits.max_bytes:,}-byte limit")
        save_verified(storage, key, sha256, target)
    except NotFound:
        raise MediaError.of(label, _missing(storage, key)) from None
    except CorruptBlob as error:
        raise MediaError.of(label, f"its stored copy {error.problem.file} {error.problem.message}") from None
    except StorageError as error:
        raise MediaError.of(
            label, f"this worker cannot read it from its storage ({STORAGE_URL_SETTING}): {error.problem}"
        ) from None
    return target


def _missing(storage: Storage, key: str) -> str:
    if isinstance(storage, LocalStorage) and not storage.root.is_dir():
        return (
            f"the storage folder {storage.root} does not exist on this worker: mount the editor's storage "
            f"there, or set {STORAGE_URL_SETTING} to where it is"
        )
    return (
        f"its blob {key} is not in {storage}: give this worker the editor's {STORAGE_URL_SETTING}, "
        "or upload the file again"
    )
