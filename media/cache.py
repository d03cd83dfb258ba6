"""The content-addressed store of finished media jobs.

A job's outputs live in ``<cache>/jobs/<key[:2]>/<key>/`` with a ``result.json`` describing them.
They are made in ``<cache>/tmp/`` and renamed into place in one step, so a job folder is either
complete or absent: two workers racing on the same job both finish, the first rename wins and the
other's copy is thrown away; a worker killed mid-job leaves only a scratch folder nobody reads
(swept once it is older than a day).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RESULT = "result.json"
STALE_SCRATCH_SECONDS = 24 * 3600


class Cache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def folder(self, key: str) -> Path:
        return self.root / "jobs" / key[:2] / key

    def lookup(self, key: str) -> dict | None:
        """The stored result of a finished job, with ``dir`` filled in, or None."""
        folder = self.folder(key)
        try:
            result = json.loads((folder / RESULT).read_text())
        except FileNotFoundError:
            return None
        return {**result, "dir": str(folder)}

    def make(self, key: str, build: Callable[[Path], dict]) -> dict:
        """Run ``build(scratch_folder) -> result`` and publish the folder atomically under ``key``.

        If ``build`` raises, its scratch folder is deleted and nothing becomes visible.
        """
        scratch_root = self.root / "tmp"
        scratch_root.mkdir(parents=True, exist_ok=True)
        self._sweep(scratch_root)
        scratch = Path(tempfile.mkdtemp(prefix=f"{key[:16]}-", dir=scratch_root))
        try:
            result = build(scratch)
            (scratch / RESULT).write_text(json.dumps(result, indent=1, sort_keys=True))
            final = self.folder(key)
            final.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.rename(scratch, final)
            except OSError as exc:  # someone else published the same job first: theirs is as good
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        found = self.lookup(key)
        assert found is not None, f"media cache entry {key} vanished right after it was written"
        return found

    def _sweep(self, scratch_root: Path) -> None:
        cutoff = time.time() - STALE_SCRATCH_SECONDS
        for entry in scratch_root.iterdir():
            try:
                if entry.stat().st_mtime < cutoff:
                    shutil.rmtree(entry, ignore_errors=True)
            except FileNotFoundError:
                pass
