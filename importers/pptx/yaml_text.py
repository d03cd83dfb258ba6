"""course.yaml written as an author would write it: block style, comments where the import has
something to say, notes as literal blocks, and read back to prove it says exactly the data.

A YAML dumper cannot place comments, and the comments are the point: they tell the author,
next to the page concerned, what the deck held that the page does not (a chart, an animation, a
picture without alt text, given as a block to complete and uncomment).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}  # what YAML would not read as a string


@dataclass(frozen=True)
class Commented:
    """A list item with comment lines written above it; ``hidden`` comments the item out too."""

    comments: list[str]
    value: Any
    hidden: bool = False


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _literal_fits(text: str) -> bool:
    """Whether ``text`` reads back unchanged from a ``|-`` block (no leading space to mistake
    for indentation, no trailing or blank-line whitespace to be trimmed)."""
    lines = text.split("\n")
    return len(lines) > 1 and not text[:1].isspace() and all(line == line.rstrip() for line in lines) and all(lines)


def emit(value: Any, indent: int = 0) -> list[str]:
    """``value`` (dicts, lists, scalars, ``Commented`` items) as YAML lines at ``indent`` spaces."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and _literal_fits(item):
                lines.append(f"{pad}{key}: |-")
                lines += [f"{pad}  {line}" for line in item.split("\n")]
            elif isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines += emit(item, indent + 2)
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
        return lines
    for item in value:
        comments, hidden = [], False
        if isinstance(item, Commented):
            comments, hidden, item = item.comments, item.hidden, item.value
        lines += [f"{pad}# {line}".rstrip() for line in comments]
        body = emit(item, indent + 2) if isinstance(item, dict) else [f"{pad}  {scalar(item)}"]
        body[0] = f"{pad}- {body[0][indent + 2 :]}"
        lines += [f"{pad}# {line[indent:]}" if hidden else line for line in body]
    return lines


def plain_data(value: Any) -> Any:
    """``value`` as YAML will read it: ``Commented`` wrappers gone, commented-out items dropped."""
    if isinstance(value, dict):
        return {key: plain_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [
            plain_data(item.value if isinstance(item, Commented) else item)
            for item in value
            if not (isinstance(item, Commented) and item.hidden)
        ]
    return value


def document(header: list[str], value: dict) -> str:
    """The whole file: header comments, then ``value``; refused unless it reads back as the data."""
    text = "\n".join([f"# {line}".rstrip() for line in header] + emit(value)) + "\n"
    if yaml.safe_load(text) != plain_data(value):
        raise ValueError("course.yaml would not read back as the imported data")
    return text
