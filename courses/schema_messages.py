"""Pydantic's validation errors, rewritten for course authors.

"Input should be a valid string" and a location like ``('sections', 0, 'pages', 1, 'blocks', 2,
'quiz', 'questions', 0, 'single_choice', 'choices')`` are precise but written for programmers.
Authors get the field path as it looks in their file (the union tags pydantic inserts are
dropped), the line it is on, and a sentence saying what to change.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from courses.errors import Problem, field_path, shorten
from courses.model import Course, describe_character
from courses.yaml_lines import YamlDocument

ID_RULE = "use only letters, digits, '-' and '_', start with a letter or digit, at most 64 characters"
IDS_HINT = "(run `courseforge ids COURSE_DIR` to add the missing ids)"


def schema_problem(error: ErrorDetails, doc: YamlDocument, file: str) -> Problem:
    """One pydantic error as a Problem at the right line with a plain-words message."""
    path, owner, target = resolve_location(error["loc"])
    kind = error["type"]
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        path = path + ("type",)
    if kind in ("value_error", "assertion_error"):
        path = _rule_field(path, str(error["ctx"]["error"]), doc)
    return Problem(file, doc.line_of(path), field_path(path), _message(error, path, owner, target))


def resolve_location(loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], type[BaseModel] | None, Any]:
    """Walk the model types along a pydantic location.

    Returns the location as the author wrote it (without the discriminator tags pydantic adds
    for ``type:`` unions), the model owning the last field (for did-you-mean on unknown keys)
    and the type expected at the end of the path (for listing the allowed ``type`` values).
    """
    path: list[str | int] = []
    owner: type[BaseModel] | None = None
    current: Any = Course
    for part in loc:
        current = _unwrap(current)
        tags = _union_tags(current)
        if tags and part in tags:
            current = tags[part]
            continue
        path.append(part)
        if isinstance(current, type) and issubclass(current, BaseModel):
            owner = current
            field = current.model_fields.get(str(part))
            current = field.annotation if field is not None else None
        elif get_origin(current) is list:
            current = get_args(current)[0]
        else:
            current = None
    return tuple(path), owner, _unwrap(current)


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` down to the type that carries the structure."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _union_tags(tp: Any) -> dict[str, type[BaseModel]]:
    """For a ``type:``-discriminated union: tag value -> model class; else empty."""
    if get_origin(tp) not in (Union, types.UnionType):
        return {}
    tags: dict[str, type[BaseModel]] = {}
    for member in get_args(tp):
        if isinstance(member, type) and issubclass(member, BaseModel) and "type" in member.model_fields:
            annotation = member.model_fields["type"].annotation
            if get_origin(annotation) is Literal:
                tags[get_args(annotation)[0]] = member
    return tags


def _rule_field(path: tuple[str | int, ...], text: str, doc: YamlDocument) -> tuple[str | int, ...]:
    """A rule spanning several fields is reported on the element; when its sentence starts with
    one of the element's own keys (``completion 'quiz_passed' needs ...``), point at that key."""
    first_word = text.split(" ", 1)[0]
    node_data: Any = doc.data
    for part in path:
        try:
            node_data = node_data[part]
        except (KeyError, IndexError, TypeError):
            return path
    if isinstance(node_data, dict) and first_word in node_data:
        return path + (first_word,)
    return path


def describe(value: Any) -> str:
    """A YAML value the way an author would name it."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a yes/no value)"
    if isinstance(value, int):
        shown = _number(value)
        return shown if shown.startswith("a number") else f"the number {shown}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value}"
    if isinstance(value, str):
        return f"the text {shorten(value)!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of fields"
    return f"a {type(value).__name__}"


def _number(value: Any) -> str:
    if isinstance(value, int) and not -(10**40) < value < 10**40:  # str() of a huge int is slow, then refused
        return f"a number of {value.bit_length() * 3 // 10 + 1} digits"
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


TOP_FIELDS = "id:, title:, sections:, ..."


def not_a_mapping(doc: YamlDocument, file: str) -> Problem:
    """The problem of a course.yaml whose top level is not a mapping of course fields."""
    return Problem(
        file,
        doc.root.start_mark.line + 1,
        "",
        f"the top level should be a mapping of course fields ({TOP_FIELDS}), but is {describe(doc.data)}",
    )


def _should_be(what: str, value: Any, hint: str = "") -> str:
    if value is None:
        return f"is empty; it should be {what} (or remove the line)"
    return f"should be {what}, but is {describe(value)}{hint}"


def _message(error: ErrorDetails, path: tuple[str | int, ...], owner: type[BaseModel] | None, target: Any) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    name = path[-1] if path else ""
    if kind == "missing":
        return f"required field is missing {IDS_HINT}" if name == "id" else "required field is missing"
    if kind == "extra_forbidden":
        fields = sorted(owner.model_fields) if owner is not None else []
        suggestion = _did_you_mean(str(name), fields)
        if suggestion or not fields:
            return f"unknown field '{shorten(str(name))}'{suggestion}"
        return f"unknown field '{shorten(str(name))}'; the fields allowed here are: {', '.join(fields)}"
    if kind == "invalid_key":
        if value is None:
            return "a field name is missing before ':'"
        return f"field names must be text, not {describe(value)}"
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        kinds = list(_union_tags(target))
        allowed = ", ".join(kinds)
        if kind == "union_tag_not_found":
            return f"required field is missing; it names the kind, one of: {allowed}"
        tag = str(ctx.get("tag", ""))
        return f"'{shorten(tag)}' is not a known type; use one of: {allowed}{_did_you_mean(tag, kinds)}"
    if kind in ("enum", "literal_error"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        got = f"'{shorten(value)}'" if isinstance(value, str) else describe(value)
        suggestion = _did_you_mean(value, options) if isinstance(value, str) else ""
        return f"{got} is not one of the allowed values: {', '.join(options)}{suggestion}"
    if kind == "string_unicode" and isinstance(value, str):
        index = next((i for i, c in enumerate(value) if 0xD800 <= ord(c) <= 0xDFFF), 0)
        return f"contains {describe_character(value[index])} at character {index + 1}; remove it"
    if kind == "string_type":
        quote = "; put it in quotes" if isinstance(value, (int, float, bool, dt.date)) else ""
        return _should_be("text", value, quote)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _should_be("a whole number", value)
    if kind in ("float_type", "float_parsing", "finite_number"):
        return _should_be("a number", value)
    if kind in ("bool_type", "bool_parsing"):
        return _should_be("true or false", value)
    if kind == "list_type":
        return _should_be("a list (one '- ' item per line)", value)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _should_be("a mapping of fields (one 'name: value' per line)", value)
    if kind == "string_too_short" or (kind == "too_short" and isinstance(value, str)):
        minimum = ctx.get("min_length", 1)
        return "must not be empty" if minimum == 1 else f"is too short: at least {minimum} characters"
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        return f"is too long: at most {ctx.get('max_length')} characters (this one has {len(str(value))})"
    if kind == "too_short":
        minimum = ctx.get("min_length")
        return f"needs at least {minimum} item{'s' if minimum != 1 else ''}, has {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} items, has {ctx.get('actual_length')}"
    if kind == "string_pattern_mismatch":
        shown = shorten(str(value))
        if name == "id":
            return f"'{shown}' is not a valid id: {ID_RULE}"
        if name == "language":
            return f"'{shown}' is not a language tag like 'en', 'fr' or 'pt-BR'"
        return f"'{shown}' does not have the expected form ({ctx.get('pattern')})"
    bounds = {
        "greater_than": ("gt", "more than"),
        "greater_than_equal": ("ge", "at least"),
        "less_than": ("lt", "less than"),
        "less_than_equal": ("le", "at most"),
    }
    if kind in bounds:
        key, words = bounds[kind]
        return f"must be {words} {_number(ctx.get(key))}, but is {_number(value)}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    text = error["msg"]
    text = re.sub(r"^Input should be", "should be", text)
    return text[:1].lower() + text[1:]
