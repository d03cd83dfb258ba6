"""The one error type of the media pipeline: every problem names the file and what is wrong.

A course can have many media files; an author fixes them all in one go when told about all of
them at once, so the error carries a list of problems, not a single message.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaProblem:
    file: str  # as the author knows it, e.g. "media/intro.mp4"
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


class MediaError(Exception):
    """One or more media files cannot be used; ``str()`` is one line per problem."""

    def __init__(self, problems: list[MediaProblem]):
        if not problems:
            raise ValueError("a MediaError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def of(cls, file: str, message: str) -> MediaError:
        return cls([MediaProblem(file, message)])
