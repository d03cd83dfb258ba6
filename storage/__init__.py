"""One storage interface for uploads, the media cache and publishing: a folder on disk by
default, any S3-compatible bucket when the work is shared out, and content-addressed blobs on
top of either. ``open_storage(url)`` builds one from the COURSEFORGE_STORAGE_URL setting."""

from storage.base import Data, Storage
from storage.blobs import BlobStore, CorruptBlob
from storage.errors import NotFound, StorageError
from storage.factory import open_storage
from storage.keys import check_key
from storage.local import LocalStorage
from storage.s3 import S3Options, S3Storage

__all__ = [
    "BlobStore",
    "CorruptBlob",
    "Data",
    "LocalStorage",
    "NotFound",
    "S3Options",
    "S3Storage",
    "Storage",
    "StorageError",
    "check_key",
    "open_storage",
]
