"""Writing a course's player site into a folder, for the browser tests to serve."""
from __future__ import annotations

import shutil
from pathlib import Path

from player.render import render_site


def publish_site(course, media, folder: Path, tracking: str = "web") -> Path:
    """The rendered player of ``course`` (with ``tracking``) and its media files, in ``folder``."""
    for name, data in render_site(course, media, tracking).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for block in media.values():
        for asset in [*block.sources, block.poster, block.captions]:
            if asset:
                (folder / asset.href).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(asset.source, folder / asset.href)
    return folder
