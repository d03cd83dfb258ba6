"""The player's scripts and styles as a package ships them, made by esbuild (npm, locked in
``player/package.json``).

The sources in ``static/`` are plain ES modules, readable and tested as they are (Node runs them
in the tests). A learner's tablet gets them minified, the modules the launch page needs joined into
few files, and every module the player loads on demand kept apart: each question type (a page
loads only the types it asks) and each tracking adapter (a package loads only its standard's, the
dispatch bridge only in a dispatch frame). What goes into a package is the same bytes for the
same sources, so packages stay reproducible.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PLAYER_DIR = Path(__file__).resolve().parent
STATIC_DIR = PLAYER_DIR / "static"
ESBUILD = PLAYER_DIR / "node_modules" / ".bin" / "esbuild"
ENTRY = "js/app.js"
STYLES = "css/player.css"
TARGET = "es2020,safari15"
"""iPad Safari 14 and every evergreen browser: the syntax the sources use is kept as it is."""
TIMEOUT = 60
DYNAMIC_IMPORT = re.compile(r"""\bimport\(\s*["'](\.{1,2}/[^"']+)["']\s*\)""")


class BundleError(Exception):
    """The player's files could not be made (esbuild missing or failing); the message says why."""


@dataclass(frozen=True)
class Bundle:
    """The player's files (package path -> bytes) and, for each script, the files it imports
    statically (what a page must have before the script runs, so the launch page can ask for
    all of them at once) and those it may load later."""

    files: dict[str, bytes]
    imports: dict[str, tuple[str, ...]]
    loads: dict[str, tuple[str, ...]]

    def reachable(self, left_out: Iterable[str] = ()) -> dict[str, bytes]:
        """The files the launch page's script and styles can come to use, without the modules
        ``left_out`` (and what only they would use): a package ships nothing it cannot run."""
        found = self._walk([ENTRY, STYLES], later=True, skipped=set(left_out))
        return {name: self.files[name] for name in sorted(found)}

    def needed(self, modules: Iterable[str]) -> tuple[str, ...]:
        """``modules`` (source paths such as ``js/questions/hotspot.js``, each also its file's
        package path) and every file they import statically, in the order first met."""
        return tuple(self._walk(list(modules), later=False, skipped=set()))

    def _walk(self, start: list[str], later: bool, skipped: set[str]) -> list[str]:
        """The files reached from ``start`` through static imports (and, with ``later``, the
        modules loaded later too), in the order first met, never through ``skipped``."""
        found: list[str] = []
        waiting = list(start)
        while waiting:
            name = waiting.pop(0)
            if name in found or name in skipped or name not in self.files:
                continue
            found.append(name)
            waiting.extend((*self.imports.get(name, ()), *(self.loads.get(name, ()) if later else ())))
        return found


_lock = threading.Lock()
_made: dict[tuple[tuple[str, int, int], ...], Bundle] = {}


def _source_paths() -> list[Path]:
    return [
        path
        for path in sorted(STATIC_DIR.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(STATIC_DIR).parts)
    ]


def _sources() -> dict[str, bytes]:
    return {path.relative_to(STATIC_DIR).as_posix(): path.read_bytes() for path in _source_paths()}


def _fingerprint() -> tuple[tuple[str, int, int], ...]:
    """Each source's name, size and modification time: asked on every call (a build, each of the
    preview's requests for a player file), so it looks at the files without reading them."""
    return tuple(
        (path.relative_to(STATIC_DIR).as_posix(), stat.st_size, stat.st_mtime_ns)
        for path in _source_paths()
        for stat in (path.stat(),)
    )


def player_bundle() -> Bundle:
    """The player's files for the sources as they are now, made once per process (and again only
    when a source changed, as while the player is being worked on)."""
    key = _fingerprint()
    with _lock:
        if key not in _made:
            _made.clear()
            _made[key] = _make(_sources())
        return _made[key]


def entry_points(sources: dict[str, bytes]) -> list[str]:
    """The launch page's script, its styles, and every module a source loads on demand: each is
    a file of its own at its source path, so a page asks for exactly the modules it uses."""
    found = {ENTRY, STYLES}
    for name, data in sources.items():
        if name.endswith(".js"):
            for match in DYNAMIC_IMPORT.finditer(data.decode("utf-8")):
                found.add(posixpath.normpath(posixpath.join(posixpath.dirname(name), match.group(1))))
    return sorted(found)


def _make(sources: dict[str, bytes]) -> Bundle:
    if not ESBUILD.is_file() or shutil.which("node") is None:
        raise BundleError(
            f"the player's build tool is missing (esbuild at {ESBUILD}, run by Node.js): "
            "run ./scripts/bootstrap to install it"
        )
    with tempfile.TemporaryDirectory(prefix="courseforge-player-") as scratch:
        out = Path(scratch)
        command = [
            str(ESBUILD), *entry_points(sources), "--bundle", "--format=esm", "--splitting", "--minify",
            f"--target={TARGET}", "--charset=utf8", "--legal-comments=none", "--log-level=error", "--color=false",
            f"--outdir={out}", "--outbase=.", "--entry-names=[dir]/[name]", "--chunk-names=js/shared-[hash]",
            f"--metafile={out / 'meta.json'}",
        ]  # fmt: skip
        try:
            done = subprocess.run(command, cwd=STATIC_DIR, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise BundleError(f"making the player's scripts took longer than {TIMEOUT} s") from None
        if done.returncode != 0:
            raise BundleError(f"making the player's scripts failed: {(done.stderr or done.stdout).strip()[:2000]}")
        meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
        files: dict[str, bytes] = {}
        imports: dict[str, tuple[str, ...]] = {}
        loads: dict[str, tuple[str, ...]] = {}
        for written, facts in sorted(meta["outputs"].items()):
            name = _package_path(written, out)
            if name.endswith(".map"):
                continue
            files[name] = (out / name).read_bytes()
            imports[name], loads[name] = (
                tuple(
                    _package_path(found["path"], out) for found in facts.get("imports", [])
                    if found.get("kind") == kind and not found.get("external")
                )
                for kind in ("import-statement", "dynamic-import")
            )  # fmt: skip
        return Bundle(files, imports, loads)


def _package_path(written: str, out: Path) -> str:
    """A metafile path (relative to the sources' folder) as a path inside the package."""
    return posixpath.relpath((STATIC_DIR / written).resolve().as_posix(), out.resolve().as_posix())
