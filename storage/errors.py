"""What goes wrong in storage, in the same ``Problem`` shape as every other mistake.

A storage failure is reported against the key it concerns (or the store itself, for a setting
that is wrong) and names the field or setting to fix, so the CLI and the editor print it in the
same list as a course's own problems.
"""

from __future__ import annotations

from collections.abc import Iterable

from courses.errors import Problem

STORAGE_URL_SETTING = "COURSEFORGE_STORAGE_URL"
"""The setting that picks and configures the storage; messages about the store point at it."""


def show_key(key: object) -> str:
    """A key as it should appear in a message: bare when it reads unambiguously, quoted
    (with escapes) when it is empty, padded with spaces or holds characters a terminal hides."""
    if isinstance(key, str) and key and key.isprintable() and key.strip() == key and "'" not in key:
        return key
    return repr(key)


class StorageError(Exception):
    """Any storage failure; ``problems`` holds one or more ``Problem`` s, the first of which is
    ``problem``. Callers catch this, never a backend's own exceptions."""

    def __init__(self, where: str, message: str, field: str = "", *, also: Iterable[Problem] = ()) -> None:
        self.problems = [Problem(file=where, line=None, field=field, message=message), *also]
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @classmethod
    def from_problems(cls, problems: Iterable[Problem]) -> StorageError:
        """One error for several problems found at once (a storage URL with two bad options)."""
        first, *rest = problems
        return cls(first.file, first.message, first.field, also=rest)

    @property
    def problem(self) -> Problem:
        return self.problems[0]


class NotFound(StorageError):
    """The key holds nothing. ``key`` is the key asked for, as given."""

    def __init__(self, key: str, where: str) -> None:
        self.key = key
        super().__init__(show_key(key), f"no such key in {where}")
