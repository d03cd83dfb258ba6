"""Any S3-compatible object store (AWS S3, MinIO, Ceph, R2...) through boto3.

Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE,
an instance role), never from the configuration here. Every botocore failure is turned into a
``StorageError`` that names the setting to fix.
"""

from __future__ import annotations

import io
import mimetypes
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import BinaryIO, Literal, cast
from urllib.parse import quote, urlsplit

import boto3
import botocore.loaders
import botocore.session
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from courses.errors import Problem, field_path
from storage.base import Data, Storage
from storage.errors import STORAGE_URL_SETTING, NotFound, StorageError, show_key
from storage.keys import MAX_KEY_BYTES, check_key, check_prefix, key_problem

MiB = 1 << 20

BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
ACCESS_DENIED_CODES = {
    "AccessDenied",
    "403",
    "Forbidden",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
    "AllAccessDisabled",
}
WRONG_REGION_CODES = {"PermanentRedirect", "AuthorizationHeaderMalformed", "301"}

_MODELS = botocore.loaders.create_loader()
"""One reader of botocore's service descriptions for every store: each store still gets its own
session (its own credentials, read when it starts), without parsing S3's model again (~0.2 s)."""


class S3Options(BaseModel):
    """Where the bucket is and how to talk to it; each field is also a query option of an
    ``s3://BUCKET/PREFIX?...`` storage URL."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bucket: str = Field(description="Bucket name.")
    prefix: str = Field("", description="Folder inside the bucket that holds this storage's keys.")
    endpoint_url: str | None = Field(None, description="S3-compatible server, e.g. http://127.0.0.1:9000; unset = AWS.")
    region: str | None = Field(None, description="Region to sign requests for; unset = boto3's default.")
    public_url: str | None = Field(
        None, description="Public address of the bucket (e.g. a CDN): url() is this + the object key, prefix included."
    )
    url_expires: int = Field(3600, ge=1, le=7 * 24 * 3600, description="Seconds a presigned GET URL stays valid.")
    multipart_threshold: int = Field(8 * MiB, ge=1, description="Puts above this many bytes upload in parts.")
    multipart_chunksize: int = Field(
        8 * MiB, ge=5 * MiB, le=5 * 1024 * MiB, description="Size of each part (S3 requires at least 5 MiB)."
    )
    page_size: int = Field(1000, ge=1, le=1000, description="Keys asked for per list request.")
    max_attempts: int = Field(3, ge=1, le=20, description="Tries per request, the first included.")
    connect_timeout: float = Field(5.0, gt=0, description="Seconds to wait for a connection.")
    read_timeout: float = Field(60.0, gt=0, description="Seconds to wait for data on a connection.")
    addressing_style: Literal["auto", "path", "virtual"] | None = Field(
        None, description="Bucket in the path or in the host name; unset = path with endpoint_url, else auto."
    )

    @field_validator("bucket")
    @classmethod
    def _bucket_name(cls, value: str) -> str:
        if not BUCKET_NAME.fullmatch(value) or ".." in value:
            raise PydanticCustomError(
                "bucket_name",
                "'{value}' is not a bucket name: 3-63 lowercase letters, digits, dots and hyphens",
                {"value": value},
            )
        return value

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = value.strip("/")
        problem = key_problem(value) if value else None
        if problem:
            raise PydanticCustomError("prefix", "'{value}' {problem}", {"value": value, "problem": problem})
        return value

    @field_validator("endpoint_url", "public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise PydanticCustomError("http_url", "'{value}' is not an http:// or https:// URL", {"value": value})
        return value

    @classmethod
    def parse(cls, where: str, values: Mapping[str, object]) -> S3Options:
        """Validate ``values``; every bad one is a ``Problem`` at ``where``, in one error."""
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            known = ", ".join(cls.model_fields)
            raise StorageError.from_problems(
                Problem(
                    file=where,
                    line=None,
                    field=field_path(detail["loc"]),
                    message=f"unknown option (the options are {known})"
                    if detail["type"] == "extra_forbidden"
                    else detail["msg"],
                )
                for detail in error.errors()
            ) from None


class S3Storage(Storage):
    """Keys are objects ``PREFIX/KEY`` in one bucket. Large puts stream through
    ``upload_fileobj`` (in parts above ``multipart_threshold``); ``open`` streams the body;
    ``url()`` is ``public_url`` + object key, or a presigned GET valid ``url_expires`` seconds.
    Content types are guessed from the key when not given, so published pages serve as HTML."""

    def __init__(self, options: S3Options) -> None:
        self.options = options
        self._prefix = options.prefix + "/" if options.prefix else ""
        style = options.addressing_style or ("path" if options.endpoint_url else "auto")
        config = Config(
            region_name=options.region,
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            retries={"total_max_attempts": options.max_attempts, "mode": "standard"},
            s3={"addressing_style": style},
            signature_version="s3v4",
        )
        session = botocore.session.get_session()
        session.register_component("data_loader", _MODELS)
        self._client = boto3.session.Session(botocore_session=session).client(
            "s3", endpoint_url=options.endpoint_url, config=config
        )
        self._transfer = TransferConfig(
            multipart_threshold=options.multipart_threshold, multipart_chunksize=options.multipart_chunksize
        )
        self._bucket_seen = False

    def __str__(self) -> str:
        where = f"s3://{self.options.bucket}/{self.options.prefix}"
        return f"{where} at {self.options.endpoint_url}" if self.options.endpoint_url else where

    def put(self, key: str, data: Data, content_type: str | None = None) -> None:
        name = self._name(key)
        stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
        extra = {"ContentType": content_type or mimetypes.guess_type(key)[0] or "application/octet-stream"}
        with self._errors(key):
            self._client.upload_fileobj(stream, self.options.bucket, name, ExtraArgs=extra, Config=self._transfer)

    def open(self, key: str) -> BinaryIO:
        name = self._name(key)
        with self._errors(key):
            response = self._client.get_object(Bucket=self.options.bucket, Key=name)
        return cast(BinaryIO, response["Body"])

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except NotFound:
            return False
        return True

    def size(self, key: str) -> int:
        return self._head(key)

    def url(self, key: str) -> str:
        name = self._name(key)
        if self.options.public_url:
            return self.options.public_url.rstrip("/") + "/" + quote(name, safe="/")
        with self._errors(key):
            return self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self.options.bucket, "Key": name}, ExpiresIn=self.options.url_expires
            )

    def bucket_url(self) -> str:
        """The bucket's own address with the prefix, ending in '/': where a proxy in front of
        the bucket (the delivery's nginx) fetches ``bucket_url() + key`` directly, unsigned.
        Addressed as the client addresses it: path style with ``endpoint_url`` (MinIO, Ceph,
        moto) unless told otherwise, virtual-hosted on AWS unless the bucket's name has a dot
        (which AWS's certificate does not cover)."""
        bucket = self.options.bucket
        if self.options.endpoint_url:
            endpoint = urlsplit(self.options.endpoint_url)
            scheme, host, base = endpoint.scheme, endpoint.netloc, endpoint.path.rstrip("/")
            virtual = self.options.addressing_style == "virtual"
        else:
            region = f".{self.options.region}" if self.options.region else ""
            scheme, host, base = "https", f"s3{region}.amazonaws.com", ""
            virtual = self.options.addressing_style == "virtual" or (
                self.options.addressing_style != "path" and "." not in bucket
            )
        prefix = quote(self._prefix, safe="/")
        return f"{scheme}://{bucket}.{host}{base}/{prefix}" if virtual else f"{scheme}://{host}{base}/{bucket}/{prefix}"

    def list(self, prefix: str = "") -> Iterator[str]:
        check_prefix(prefix)
        return self._list(prefix)

    def delete(self, key: str) -> None:
        name = self._name(key)
        with self._errors(key):
            self._client.delete_object(Bucket=self.options.bucket, Key=name)

    def _name(self, key: str) -> str:
        """The object key for ``key``: checked, with the prefix, within S3's length limit."""
        name = self._prefix + check_key(key)
        if len(name.encode("utf-8")) > MAX_KEY_BYTES:
            raise StorageError(
                show_key(key), f"is over {MAX_KEY_BYTES} bytes long with the prefix {self._prefix!r}", "key"
            )
        return name

    def _head(self, key: str) -> int:
        """The object's size; a bare 404 (HEAD has no body to tell a missing key from a missing
        bucket) checks the bucket once, so a wrong bucket name is never reported as 'no key'."""
        name = self._name(key)
        try:
            with self._errors(key):
                response = self._client.head_object(Bucket=self.options.bucket, Key=name)
        except NotFound:
            if not self._bucket_seen:
                with self._errors(None):
                    self._client.head_bucket(Bucket=self.options.bucket)
                self._bucket_seen = True
            raise
        return int(response["ContentLength"])

    def _list(self, prefix: str) -> Iterator[str]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.options.bucket,
            Prefix=self._prefix + prefix,
            PaginationConfig={"PageSize": self.options.page_size},
        )
        with self._errors(None):
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(self._prefix) :]
                    if key_problem(key) is None:  # folder markers ("a/") and names no key can spell
                        yield key

    @contextmanager
    def _errors(self, key: str | None) -> Iterator[None]:
        """Turn botocore's exceptions into ``StorageError`` s that say what to fix."""
        try:
            yield
        except ClientError as error:
            raise self._translate(error, key) from error
        except (NoCredentialsError, PartialCredentialsError) as error:
            raise StorageError(
                str(self),
                f"{error}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the "
                f"environment; credentials never go in {STORAGE_URL_SETTING}",
                "credentials",
            ) from error
        except (BotoConnectionError, HTTPClientError) as error:
            endpoint = self.options.endpoint_url or "AWS S3"
            raise StorageError(
                str(self),
                f"cannot reach {endpoint} ({error}): check endpoint_url in {STORAGE_URL_SETTING} "
                "and that the server is up",
                "endpoint_url",
            ) from error

    def _translate(self, error: ClientError, key: str | None) -> StorageError:
        details = error.response.get("Error", {})
        code = str(details.get("Code", ""))
        status = str(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        bucket = self.options.bucket
        if code == "NoSuchBucket" or (key is None and code in ("404", "NotFound")):
            return StorageError(
                str(self),
                f"no bucket {bucket!r} at {self.options.endpoint_url or 'AWS S3'}: create it, or fix "
                f"the bucket in {STORAGE_URL_SETTING} (s3://BUCKET/prefix)",
                "bucket",
            )
        if key is not None and code in ("NoSuchKey", "404", "NotFound"):
            return NotFound(key, str(self))
        if code in ACCESS_DENIED_CODES or status == "403":
            return StorageError(
                str(self),
                f"access denied ({code}) to bucket {bucket!r}: check AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), and that the bucket policy lets them get, put, list and "
                "delete objects (without s3:ListBucket a missing key also answers 403)",
                "credentials",
            )
        if code in WRONG_REGION_CODES or status == "301":
            region = details.get("Region") or error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get(
                "x-amz-bucket-region", "another region"
            )
            return StorageError(
                str(self),
                f"bucket {bucket!r} is in {region}, not {self.options.region or 'the default region'}: "
                f"set region={region} in {STORAGE_URL_SETTING}",
                "region",
            )
        where = show_key(key) if key is not None else str(self)
        return StorageError(where, f"{error.operation_name} failed in {self}: {code}: {details.get('Message', '')}")
