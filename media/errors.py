"""The one error type of the media pipeline: every problem names the file and what is wrong.

A course can have many media files; an author fixes them all in one go when told about all of
them at once, so the error carries a list of problems, not a single message. They are the
``Problem``s every part of courseforge reports, so the CLI and the editor list them alike.
"""

from __future__ import annotations

from courses.errors import Problem


def media_problem(file: str, message: str) -> Problem:
    """A problem with the media file ``file``, as the author knows it (e.g. "media/intro.mp4")."""
    return Problem(file, None, "", message)


class MediaError(Exception):
    """One or more media files cannot be used; ``str()`` is one line per problem."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("a MediaError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def of(cls, file: str, message: str) -> MediaError:
        return cls([media_problem(file, message)])
