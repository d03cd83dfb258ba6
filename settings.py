"""One settings object, read from the environment, with every default embedded.

`make run` needs none of these variables; a deployment that outgrows one machine sets them
(for example ``COURSEFORGE_BROKER_URL=redis://...`` to send media jobs to Celery workers).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COURSEFORGE_", extra="ignore")

    cache_dir: Path = Field(
        Path.home() / ".cache" / "courseforge",
        description="Content-addressed cache of transcoded media.",
    )
    broker_url: str | None = Field(
        None, description="Celery broker (e.g. redis://127.0.0.1:6379/0); unset = in-process jobs."
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
        str(Path.home() / ".local" / "share" / "courseforge" / "storage"),
        description="Where uploads, media and published courses are kept: a folder, file:///path, or "
        "s3://bucket/prefix?endpoint_url=...&region=... (credentials from the usual AWS environment).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
