"""One settings object, read from the environment, with every default embedded.

`make run` needs none of these variables; a deployment that outgrows one machine sets them
(for example ``COURSEFORGE_BROKER_URL=redis://...`` to send media jobs to Celery workers).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path.home() / ".local" / "share" / "courseforge"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COURSEFORGE_", extra="ignore")

    cache_dir: Path = Field(
        Path.home() / ".cache" / "courseforge",
        description="Content-addressed cache of transcoded media.",
    )
    broker_url: str | None = Field(
        None,
        description="Celery broker: redis://127.0.0.1:6379/0 or amqp://USER:PASSWORD@HOST:5672/VHOST; "
        "unset = in-process jobs.",
    )
    jobs: int = Field(0, ge=0, description="Parallel media jobs in-process; 0 = one per core.")
    job_timeout: float = Field(900.0, gt=0, description="Seconds one media job may run before it is killed.")
    media_max_bytes: int = Field(4_000_000_000, gt=0, description="Largest media file accepted, in bytes.")
    media_max_duration: float = Field(7200.0, gt=0, description="Longest video or audio accepted, in seconds.")
    image_max_pixels: int = Field(
        50_000_000, gt=0, description="Largest image accepted, in pixels (refuses decompression bombs)."
    )
    hls: bool = Field(False, description="Also publish HLS (fMP4, 4 s segments), remuxed from the MP4 renditions.")
    storage_url: str = Field(
        str(DATA_DIR / "storage"),
        description="Where uploads, media and published courses are kept: a folder, file:///path, or "
        "s3://bucket/prefix?endpoint_url=...&region=... (credentials from the usual AWS environment).",
    )
    data_dir: Path = Field(
        DATA_DIR,
        description="The editor's own files: its SQLite database (unless database_url says otherwise) and "
        "the secret key generated on first start, shared by every editor process on this machine.",
    )
    database_url: str = Field(
        "",
        description="The editor's database: sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME; "
        "empty = a SQLite file editor.db in data_dir.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key that signs session cookies and CSRF tokens; every editor process serving the same "
        "users needs the same one. Unset = generated once into data_dir/secret_key.",
    )
    max_upload_bytes: int = Field(
        1 << 30, gt=0, description="Largest upload the editor accepts (a zipped course folder), in bytes."
    )
    delivery_url: str | None = Field(
        None,
        description="Address of the delivery server, e.g. https://courses.example.org: launch URLs, and the "
        "origin dispatch packages load published courses from.",
    )

    @model_validator(mode="after")
    def _database_in_data_dir(self) -> Settings:
        # Derived here, once, so every reader sees the same URL a changed data_dir implies.
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'editor.db'}"
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
