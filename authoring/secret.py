"""The key that signs session cookies and CSRF tokens: from the settings when given, else made
once into the data folder, so every editor process on the machine signs alike and a restart
keeps everyone signed in."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from pathlib import Path

from settings import Settings

KEY_FILE = "secret_key"
MIN_KEY_CHARS = 32


def secret_key(settings: Settings) -> str:
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value()
        if len(key) < MIN_KEY_CHARS:
            raise ValueError(
                f"COURSEFORGE_SECRET_KEY: is {len(key)} characters long; use at least {MIN_KEY_CHARS} random ones"
            )
        return key
    return _stored_key(Path(settings.data_dir) / KEY_FILE)


def _stored_key(path: Path) -> str:
    """The key in ``path``, written first if absent. The file is created complete and in one
    step (a hard link of a finished temporary file), so a second process starting at the same
    moment reads the winner's key, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
        try:
            with os.fdopen(fd, "w") as stream:
                stream.write(secrets.token_urlsafe(48))
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise ValueError(f"{path}: the secret key file is empty; delete it to have a new key made")
