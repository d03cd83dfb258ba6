"""A course folder on disk paired with a course on an editor server, for ``courseforge push``
and ``pull``.

The pairing is kept in the folder, in ``.courseforge-remote`` (JSON: server, course number,
revision): the revision the folder was last pulled at or pushed as. A push names it as its
base, so the server can refuse when the course was changed there since. The file is never sent
to the server and never part of an export; it is the one file a pulled folder has that the
server's export has not.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from exporters.zipwriter import write_zip

REMOTE_FILE = ".courseforge-remote"
KEPT = (REMOTE_FILE, ".git")  # never sent, never overwritten or removed by a pull


@dataclass(frozen=True)
class Remote:
    server: str
    course: int
    revision: int


@dataclass(frozen=True)
class Changes:
    added: list[str]
    changed: list[str]
    removed: list[str]

    def lines(self) -> list[str]:
        return (
            [f"  added   {path}" for path in self.added]
            + [f"  changed {path}" for path in self.changed]
            + [f"  removed {path}" for path in self.removed]
        )


def read_remote(folder: Path) -> Remote | None:
    """The folder's pairing, or None when it has none or it is unreadable (then the folder is
    treated as never pulled)."""
    try:
        data = json.loads((folder / REMOTE_FILE).read_text(encoding="utf-8"))
        return Remote(str(data["server"]), int(data["course"]), int(data["revision"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_remote(folder: Path, remote: Remote) -> None:
    (folder / REMOTE_FILE).write_text(json.dumps(asdict(remote), indent=2) + "\n", encoding="utf-8")


def course_files(folder: Path) -> dict[str, Path]:
    """The folder's course files (relative path -> file), without the pairing file or .git."""
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] in KEPT or not path.is_file():
            continue
        found[relative.as_posix()] = path
    return found


def zip_folder(folder: Path, out: Path) -> int:
    """The course files of ``folder`` as a zip (at its root), for the server to import."""
    return write_zip(out, dict(course_files(folder)))


def sync_folder(source: Path, target: Path) -> Changes:
    """Make ``target``'s course files exactly ``source``'s (same paths, same bytes); what changed."""
    target.mkdir(parents=True, exist_ok=True)
    new, old = course_files(source), course_files(target)
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(p for p in set(new) & set(old) if new[p].read_bytes() != old[p].read_bytes())
    for path in added + changed:
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(new[path], target / path)
    for path in removed:
        (target / path).unlink()
    for folder in sorted((p for p in target.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if folder.relative_to(target).parts[0] not in KEPT and not any(folder.iterdir()):
            folder.rmdir()
    return Changes(added, changed, removed)
