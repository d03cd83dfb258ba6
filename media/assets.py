"""What the media pipeline hands to exporters: for each media block, the files a package holds.

Exporters and player templates only ever read these descriptions; how the files were made
(copied, transcoded, synthesised, taken from the cache) is the pipeline's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Asset:
    """One output file: where it is on disk now, and where it goes in the package."""

    source: Path
    href: str  # package-relative, '/' separated, e.g. "media/v-intro-720.mp4"
    mime: str
    width: int | None = None
    height: int | None = None
    bytes: int | None = None
    label: str | None = None  # e.g. "720p", for a rendition menu


@dataclass(frozen=True)
class BlockMedia:
    """Everything one image, video or narration block needs in the package."""

    block_id: str
    sources: list[Asset] = field(default_factory=list)  # best first for video; fallback last for images
    poster: Asset | None = None
    captions: Asset | None = None  # WebVTT
    transcript: str | None = None
    duration: float | None = None  # seconds
    hls: Asset | None = None  # HLS master playlist (video, when settings.hls is on)
    hls_files: list[Asset] = field(default_factory=list)  # variant playlists and segments it refers to


MediaMap = dict[str, BlockMedia]
LOGO = "#logo"
"""The ``MediaMap`` key of the course's logo (``theme.logo``): no block or question id holds "#"."""
"""Block id -> its package files."""
