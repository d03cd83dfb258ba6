"""Stable ids for the elements an author wrote without one (``courseforge ids``).

Ids must never be invented by hand: an author adds a page, runs ``courseforge ids`` and gets an id
in the project's style (a readable slug plus the random suffix of ``courses.scaffold.new_id``).
The file stays the author's own: ruamel.yaml's round-trip dumper would still re-indent uneven
blocks and re-space flow lists, so the round-trip parse is used only to find where each element
starts, and each new ``id:`` is spliced into the original text there. Every other byte stays as it
was, and the result is parsed again and must equal the old data plus the new ids (each on the line
reported), or nothing is written. Existing ids are never touched: learners' progress points at them.
"""
from __future__ import annotations

import codecs
import copy
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.error import YAMLError

from courses.errors import Problem, field_path
from courses.loader import COURSE_FILE
from courses.model import StableId
from courses.scaffold import course_id, new_id
from courses.schema_messages import describe
from courses.yaml_lines import parse_yaml

Loc = tuple[str | int, ...]

# The model's own rule, with the same stripping of surrounding spaces the model applies.
VALID_ID = TypeAdapter(StableId, config=ConfigDict(str_strip_whitespace=True))
# Prefixes as in the sample course: t-welcome, i-phishing-email, quiz-final, q-..., c-..., m-..., o-...
BLOCK_PREFIXES = {"text": "t", "image": "i", "video": "v", "narration": "n", "quiz": "quiz"}
OTHER_BLOCK_PREFIX = "b"
ANSWER_PREFIXES = {"choices": "c", "pairs": "m", "items": "o"}  # list in a question -> its prefix
# A block named by its file reads best as the file's name (t-spot-phish for pages/spot-phish.md).
BLOCK_FILE_FIELDS = {"text": "file", "image": "src", "video": "src", "narration": "src"}
BLOCK_TEXT_FIELDS = ("markdown", "alt", "title", "script", "transcript")
SLUG_WORDS = 3
SLUG_MAX = 24
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from", "how", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "what", "when", "which", "who", "why",
    "with", "you", "your",
})
# What may stand before a block mapping's first key on its line: indentation and '- ' dashes.
KEY_PREFIX = re.compile(r" *(?:- +)*")
# Line breaks as the YAML reader counts them, so line numbers agree with the parser's marks.
LINE_END = re.compile(r"(?:\r\n|[\r\n\x85\u2028\u2029])\Z")
LINES = re.compile(r".*?(?:\r\n|[\r\n\x85\u2028\u2029])|.+\Z", re.DOTALL)


@dataclass(frozen=True)
class Added:
    """One id written (or, on a dry run, to be written); ``line`` is 1-based in the new file."""

    file: str
    line: int
    field: str
    id: str

    def report(self, verb: str = "added") -> str:
        return f"{self.file}:{self.line}: {self.field}: {verb} {self.id}"

    def __str__(self) -> str:
        return self.report()


class IdsError(Exception):
    """course.yaml cannot be given ids safely; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class IdPlan:
    """Everything adding the missing ids would do to one course.yaml, worked out before writing.

    ``problems`` are the elements left as they are: ids present but invalid, and elements no id
    can be given safely (aliases, unusual layout). The author has to fix those by hand.
    """

    source: Path
    original: bytes
    updated: bytes
    added: list[Added]
    problems: list[Problem]


def fill_missing_ids(course_dir: Path | str) -> list[Added]:
    """Write a new id into every element of the course that has none, and say what was added.

    ``course_dir`` is a course folder or its course.yaml. Existing ids, valid or not, are never
    changed. An empty list means nothing was missing and the file was not touched. Raises
    ``IdsError`` (with nothing written) when the file is missing, a symbolic link, not valid YAML
    or not a mapping of course fields.
    """
    plan = plan_ids(course_dir)
    if plan.added:
        write_plan(plan)
    return plan.added


def plan_ids(course_dir: Path | str) -> IdPlan:
    """Work out the new text of course.yaml with an id in every element; write nothing."""
    source, original, text, bom = _read(Path(course_dir))
    file = source.name
    doc, problems = parse_yaml(text, file)
    if doc is None or problems:  # a repeated key or a syntax error: no safe place to write
        raise IdsError(problems)
    if not isinstance(doc.data, dict):
        raise IdsError([Problem(
            file, doc.root.start_mark.line + 1, "",
            f"the top level should be a mapping of course fields (id:, title:, sections:, ...), "
            f"but is {describe(doc.data)}",
        )])
    tree = _round_trip(text, file)
    lines = LINES.findall(text)
    elements = list(_elements(tree))
    used: set[str] = set()
    aliased: set[int] = set()
    problems = []
    first_seen: dict[int, _Element] = {}
    for element in elements:
        earlier = first_seen.setdefault(id(element.node), element)
        present = _at(doc.data, element.loc)  # values as the loader reads them
        if earlier is not element:  # a YAML alias: one mapping in two places cannot have two ids
            aliased.add(id(element.node))
            if "id" not in present:
                problems.append(Problem(
                    file, element.line, field_path(element.loc),
                    f"repeats {field_path(earlier.loc) or 'the course'} (line {earlier.line}) through a "
                    "YAML alias; each element needs an id of its own, so write it out in full",
                ))
        elif "id" in present:
            problem = _check_present(element, present["id"], file)
            if problem is None:
                used.add(present["id"].strip().casefold())
            else:
                problems.append(problem)

    planned: list[tuple[_Insertion, Loc, str]] = []
    for element in elements:
        if "id" in _at(doc.data, element.loc) or id(element.node) in aliased:
            continue
        where = _placement(element.node, lines)
        if where is None:
            problems.append(Problem(file, element.line, field_path(element.loc + ("id",)),
                                    "is missing, and this layout leaves no safe place to add it; "
                                    "add an id here by hand"))
            continue
        planned.append((where, element.loc, _fresh_id(element, used)))

    new_text, added = _splice(lines, planned, file)
    _verify(doc.data, new_text, added, planned, file)
    updated = (codecs.BOM_UTF8 if bom else b"") + new_text.encode("utf-8")
    return IdPlan(source, original, updated if added else original, added,
                  sorted(problems, key=lambda problem: problem.line or 0))


def write_plan(plan: IdPlan) -> None:
    """Replace course.yaml with the planned text in one step (a temporary file, then
    ``os.replace``), so an interrupted run leaves the old file or the new one, never a mix."""
    source, file = plan.source, plan.source.name
    if source.is_symlink():
        raise IdsError([_symlink_problem(source)])
    try:
        current = source.read_bytes()
        mode = stat.S_IMODE(source.stat().st_mode)
    except OSError as error:
        raise IdsError([Problem(file, None, "", f"could not be read: {error.strerror or error}")]) from error
    if current != plan.original:
        raise IdsError([Problem(file, None, "", "was changed by something else while ids were being "
                                                "worked out; run the command again")])
    temp: str | None = None
    try:
        handle, temp = tempfile.mkstemp(dir=source.parent, prefix=f".{source.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(plan.updated)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, source)
    except OSError as error:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        raise IdsError([Problem(file, None, "", f"could not be written: {error.strerror or error}")]) from error


def slug(text: str) -> str:
    """A few lowercase ASCII words of ``text``: enough to recognise the element by its id."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("'", "")).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    kept = [word for word in words if word not in STOP_WORDS] or words
    result = ""
    for word in kept[:SLUG_WORDS]:
        joined = f"{result}-{word}" if result else word
        if len(joined) > SLUG_MAX:
            break
        result = joined
    return result or (kept[0][:SLUG_MAX] if kept else "")


# --------------------------------------------------------------------------- reading
def _read(path: Path) -> tuple[Path, bytes, str, bool]:
    source = path / COURSE_FILE if path.is_dir() else path
    file = source.name
    if source.is_symlink():
        raise IdsError([_symlink_problem(source)])
    if not source.exists():
        raise IdsError([Problem(file, None, "", f"{source} does not exist; give a course folder or its course.yaml")])
    if not source.is_file():
        raise IdsError([Problem(file, None, "", f"{source} is not a regular file")])
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise IdsError([Problem(file, None, "", f"could not be read: {error.strerror or error}")]) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise IdsError([Problem(file, line, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x}); "
                                                "save the file with UTF-8 encoding")]) from error
    return source, raw, text, raw.startswith(codecs.BOM_UTF8)


def _symlink_problem(source: Path) -> Problem:
    return Problem(source.name, None, "", f"is a symbolic link (to {os.readlink(source)}); ids are written "
                                          "only into a regular file, so give the file the link points to")


def _round_trip(text: str, file: str) -> Any:
    """The round-trip tree, whose mappings know the line and column they start at."""
    yaml = YAML(typ="rt")
    yaml.version = (1, 1)  # read values as the loader's PyYAML does (yes/no are booleans)
    try:
        return yaml.load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise IdsError([Problem(file, line, "", f"could not be read for editing: {error}")]) from error


# --------------------------------------------------------------------------- elements
@dataclass(frozen=True)
class _Element:
    node: Any  # a ruamel CommentedMap
    loc: Loc
    line: int  # 1-based line where the element starts (for an alias: where the alias is)
    prefix: str  # '' for the course itself
    words: str | None  # what the new id's slug is made from


def _elements(course: Any) -> Iterator[_Element]:
    """Every element that carries an id, in file order, as the model nests them."""
    yield _Element(course, (), course.lc.line + 1, "", _text(course.get("title")))
    for section, s_loc, s_line in _items(course, "sections", ()):
        yield _Element(section, s_loc, s_line, "s", _text(section.get("title")))
        for page, p_loc, p_line in _items(section, "pages", s_loc):
            yield _Element(page, p_loc, p_line, "p", _text(page.get("title")))
            for block, b_loc, b_line in _items(page, "blocks", p_loc):
                kind = block.get("type")
                kind = kind if isinstance(kind, str) else ""
                yield _Element(block, b_loc, b_line, BLOCK_PREFIXES.get(kind, OTHER_BLOCK_PREFIX),
                               _block_words(block, kind))
                if kind != "quiz":
                    continue
                for question, q_loc, q_line in _items(block, "questions", b_loc):
                    yield _Element(question, q_loc, q_line, "q", _text(question.get("prompt")))
                    for key, prefix in ANSWER_PREFIXES.items():
                        name = "source" if key == "pairs" else "text"
                        for answer, a_loc, a_line in _items(question, key, q_loc):
                            yield _Element(answer, a_loc, a_line, prefix, _text(answer.get(name)))


def _items(parent: Any, key: str, loc: Loc) -> Iterator[tuple[Any, Loc, int]]:
    """The mappings in list ``parent[key]``; anything of another shape is the schema's to report."""
    value = parent.get(key)
    if isinstance(value, CommentedSeq):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield item, loc + (key, index), value.lc.item(index)[0] + 1


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _block_words(block: Any, kind: str) -> str | None:
    path = _text(block.get(BLOCK_FILE_FIELDS.get(kind, "")))
    if path is not None:
        return PurePosixPath(path.strip()).stem
    return next((text for name in BLOCK_TEXT_FIELDS if (text := _text(block.get(name)))), None)


def _check_present(element: _Element, value: Any, file: str) -> Problem | None:
    try:
        VALID_ID.validate_python(value)
    except ValidationError:
        try:
            line = element.node.lc.key("id")[0] + 1
        except KeyError:  # the id came from a '<<' merge
            line = element.line
        what = "is empty" if value is None else f"{describe(value)} is not a valid id"
        return Problem(file, line, field_path(element.loc + ("id",)),
                       f"{what} (letters, digits, '-' and '_', starting with a letter or digit, at most "
                       "64 characters); existing ids are never changed automatically, so fix it by hand")
    return None


def _fresh_id(element: _Element, used: set[str]) -> str:
    """A new id unlike every other in the course, letter case ignored (as the loader compares)."""
    while True:
        if not element.prefix:
            candidate = course_id(element.words or "")
        else:
            words = slug(element.words) if element.words else ""
            candidate = new_id(f"{element.prefix}-{words}" if words else element.prefix)
        if candidate.casefold() not in used:
            used.add(candidate.casefold())
            return candidate


# --------------------------------------------------------------------------- writing into the text
@dataclass(frozen=True)
class _Insertion:
    line: int  # 0-based, in the original text
    col: int
    flow: bool  # True: right after a '{'; False: before the first key of a block mapping


def _placement(node: Any, lines: list[str]) -> _Insertion | None:
    """Where the id goes so that it is the mapping's first key; None when no place is safe."""
    line, col = node.lc.line, node.lc.col
    if line >= len(lines):
        return None
    if node.fa.flow_style():
        return _Insertion(line, col, True) if lines[line][col:col + 1] == "{" else None
    if lines[line][col:col + 1] in ("&", "!"):  # an anchor or tag first: the keys come after it
        starts = []
        for key in node:
            try:
                starts.append(tuple(node.lc.key(key)))
            except KeyError:  # a key merged in with '<<' is written elsewhere
                continue
        if not starts:
            return None
        line, col = min(starts)
    return _Insertion(line, col, False) if KEY_PREFIX.fullmatch(lines[line][:col]) else None


def _splice(lines: list[str], planned: list[tuple[_Insertion, Loc, str]], file: str) -> tuple[str, list[Added]]:
    """The text with every planned id written in, and the line each one ends up on (in file
    order; ``planned`` is sorted into the same order)."""
    newline = next((match.group() for line in lines if (match := LINE_END.search(line))), "\n")
    out = list(lines)
    for where, _loc, value in sorted(planned, key=lambda p: (p[0].line, p[0].col), reverse=True):
        text = out[where.line]
        match = LINE_END.search(text)
        ending = match.group() if match else ""
        body = text[: len(text) - len(ending)]
        if where.flow:
            rest = body[where.col + 1:]
            separator = "" if rest.lstrip().startswith("}") else ("," if not rest.strip() else ", ")
            out[where.line] = body[: where.col + 1] + f"id: {value}{separator}" + rest + ending
        elif not body[: where.col].strip():  # the key starts its line: a new line above it
            out.insert(where.line, body[: where.col] + f"id: {value}" + newline)
        else:  # '- key: ...': the id takes the dash, the rest moves to the next line
            out[where.line: where.line + 1] = [body[: where.col] + f"id: {value}" + (ending or newline),
                                               " " * where.col + body[where.col:] + ending]
    added = []
    shift = 0
    planned.sort(key=lambda p: (p[0].line, p[0].col))  # file order, which _verify relies on
    for where, loc, value in planned:
        added.append(Added(file, where.line + shift + 1, field_path(loc + ("id",)), value))
        shift += 0 if where.flow else 1
    return "".join(out), added


def _verify(data: Any, new_text: str, added: list[Added], planned: list[tuple[_Insertion, Loc, str]],
            file: str) -> None:
    """Refuse unless the new text reads as the old data plus exactly the new ids, on their lines."""
    expected = copy.deepcopy(data)
    for _where, loc, value in planned:
        _at(expected, loc)["id"] = value
    doc, problems = parse_yaml(new_text, file)
    if (doc is None or problems or doc.data != expected
            or any(doc.line_of(loc + ("id",)) != item.line for (_w, loc, _v), item in zip(planned, added))):
        raise IdsError([Problem(file, None, "", "ids could not be added without changing something else "
                                                "in the file; add them by hand")])



def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data
