"""A ``Course`` written back as course.yaml, in the project's style: the fields an author set,
in the model's order, two-space indents with list items under their key, long text folded as
block scalars, ids kept. Used once a course is edited in the browser; until then the export
keeps the imported course.yaml's own bytes.
"""

from __future__ import annotations

from typing import Any

import yaml

from courses.model import Course

HEADER = "# Written by the courseforge editor. Keep the ids: learners' saved progress points at them.\n"
WIDTH = 100
FOLD_FROM = 80  # characters of one-line text written as a folded block (`>-`), as authors do


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key (``pages:\\n  - id: ...``), as course folders are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > FOLD_FROM:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


def course_document(course: Course) -> dict[str, Any]:
    """The course as plain data: only what was set (defaults the author never wrote stay out)."""
    return course.model_dump(mode="json", exclude_unset=True)


def course_yaml(course: Course) -> bytes:
    """course.yaml's bytes for ``course``; loading them gives the same course."""
    body = yaml.dump(
        course_document(course), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=WIDTH, indent=2
    )
    return (HEADER + body).encode("utf-8")
