"""Where the imported course goes: never over someone's folder by accident, and all at once.

The course is written into a fresh folder beside the target and moved into place only when it
is complete and checked. Without ``--force`` an existing, non-empty folder is refused; with it,
only a course folder (one holding course.yaml) is replaced, so a mistyped ``-o ~`` cannot wipe
a home folder. The swap is one ``renameat2(RENAME_EXCHANGE)`` where the file system supports it,
so a reader sees the old course or the new one, never neither; elsewhere two renames, the old
folder put back if the second fails.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path

from importers.pptx.errors import DeckError

COURSE_FILE = "course.yaml"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def check_target(target: Path, force: bool, deck: Path) -> bool:
    """Whether ``target`` holds a course to replace; ``DeckError`` when it may not be written
    (replacing it would also delete ``deck`` or the folder the command runs in)."""
    label = str(target)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise DeckError.of(label, "exists and is not a folder; choose another output folder (nothing was changed)")
    if not target.exists() or not any(target.iterdir()):
        return False
    if not force:
        raise DeckError.of(
            label,
            "already exists and is not empty; add --force to replace it with the imported course (nothing was changed)",
        )
    if not (target / COURSE_FILE).is_file():
        raise DeckError.of(
            label,
            f"holds no {COURSE_FILE}: --force replaces only a course folder, so choose a new "
            "or empty folder (nothing was changed)",
        )
    where = target.resolve()
    if deck.resolve().is_relative_to(where):
        raise DeckError.of(
            label,
            f"holds the deck {deck.name}, which replacing the folder would delete; move the "
            "deck out of it first (nothing was changed)",
        )
    if Path.cwd().resolve().is_relative_to(where):
        raise DeckError.of(
            label, "is (or holds) the current folder; run the import from outside it (nothing was changed)"
        )
    return True


def staging_folder(target: Path) -> Path:
    """A new, empty folder beside ``target`` (same file system, so the final move is a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.import-"))


def move_into_place(fresh: Path, target: Path) -> None:
    """Put the complete folder ``fresh`` at ``target``, replacing what is there in one step."""
    if not target.exists():
        fresh.rename(target)
        return
    if not any(target.iterdir()):
        os.replace(fresh, target)  # an empty folder is replaced by a rename
        return
    if _exchange(fresh, target):
        shutil.rmtree(fresh, ignore_errors=True)  # it now holds the old course
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    target.rename(old)
    try:
        fresh.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False where the C library or the file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))
