"""`courseforge schema`: the JSON Schema of course.yaml, for editor autocompletion and checks.

Point an editor at it (for example a ``# yaml-language-server: $schema=course.schema.json``
comment) and authors get field names, allowed values and descriptions as they type.
"""

from __future__ import annotations

import json

import click

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def course_schema() -> dict:
    """The schema pydantic derives from the model, marked with its dialect and a title."""
    from courses.model import Course

    schema = Course.model_json_schema()
    schema.pop("title", None)
    return {"$schema": SCHEMA_DIALECT, "title": "courseforge course.yaml", **schema}


@click.command("schema")
def command() -> None:
    """Print the JSON Schema of course.yaml."""
    click.echo(json.dumps(course_schema(), indent=2, ensure_ascii=False))
