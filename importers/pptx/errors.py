"""The one error of a PowerPoint import: every reason the deck was refused, as ``Problem`` s.

A refused deck never reaches LibreOffice and never leaves a half-written course folder, so the
author gets one clear message and the folder they had is untouched.
"""

from __future__ import annotations

from courses.errors import Problem


class DeckError(Exception):
    """The deck cannot be imported (or the course folder cannot be written); ``problems`` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("a DeckError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @classmethod
    def of(cls, file: str, message: str, where: str = "") -> DeckError:
        return cls([Problem(file, None, where, message)])
