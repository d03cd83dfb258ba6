"""Stable ids for the elements an author wrote without one (``courseforge ids``).

Ids must never be invented by hand: an author adds a page, runs ``courseforge ids`` and gets an id
in the project's style (a readable slug plus the random suffix of ``courses.scaffold.new_id``).
The file stays the author's own, so it is not dumped again: a YAML dumper, even ruamel.yaml's
round-trip one, re-indents uneven blocks and re-spaces flow lists. Instead each new ``id:`` is
spliced into the original text where its mapping starts, found in the node tree of the same
parser the loader uses (so positions and line numbers agree with ``courseforge validate``, even
around unusual line breaks). Every other byte stays as it was, and the new text is parsed again
and must equal the old data plus the new ids, each on the line reported, or nothing is written.
Existing ids are never touched: learners' saved progress points at them.
"""

from __future__ import annotations

import bisect
import codecs
import copy
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import ConfigDict, TypeAdapter, ValidationError

from courses.errors import Problem, byte_size, field_path
from courses.loader import COURSE_FILE, MAX_COURSE_YAML_BYTES
from courses.model import StableId
from courses.scaffold import course_id, new_id
from courses.schema_messages import describe, not_a_mapping
from courses.source import FileTooLarge, read_limited
from courses.yaml_lines import parse_yaml

Loc = tuple[str | int, ...]
LineMap = Callable[[tuple[int, int]], int]

# The model's own rule, with the same stripping of surrounding spaces the model applies.
VALID_ID = TypeAdapter(StableId, config=ConfigDict(str_strip_whitespace=True))
# Prefixes as in the sample course: t-welcome, i-phishing-email, quiz-final, q-..., c-..., m-..., o-...
BLOCK_PREFIXES = {"text": "t", "image": "i", "video": "v", "narration": "n", "quiz": "quiz"}
OTHER_BLOCK_PREFIX = "b"
# list in a question -> the prefix of its elements' ids and the field whose words follow it
ANSWER_PREFIXES = {
    "choices": ("c", "text"),
    "pairs": ("m", "source"),
    "items": ("o", "text"),
    "statements": ("l", "text"),
    "regions": ("r", "label"),
}
# A block named by its file reads best as the file's name (t-spot-phish for pages/spot-phish.md).
BLOCK_FILE_FIELDS = {"text": "file", "image": "src", "video": "src", "narration": "src"}
BLOCK_TEXT_FIELDS = ("markdown", "alt", "title", "script", "transcript")
SLUG_WORDS = 3
SLUG_MAX = 24
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "does",
        "for",
        "from",
        "how",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "what",
        "when",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
        "i",
    }
)
STR_TAG = "tag:yaml.org,2002:str"
ANCHOR = re.compile(r"(?:!\S* +)?&([^\s,\[\]{}]+)")
# What may stand before a block mapping's first key on its line: indentation and '- ' dashes.
KEY_PREFIX = re.compile(r" *(?:- +)*")
# Line breaks as the YAML reader counts them, so line numbers agree with the parser's marks.
LINE_END = re.compile(r"(?:\r\n|[\r\n\x85\u2028\u2029])\Z")
LINES = re.compile(r".*?(?:\r\n|[\r\n\x85\u2028\u2029])|.+\Z", re.DOTALL)
NEWLINE = re.compile(r"(?:\r\n|[\r\n])\Z")  # the file's own line end, for the lines added (not U+2028)


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
    can be given safely (aliases, unusual layout). The author has to fix those by hand. Every line
    number, in ``added`` and in ``problems``, is one of the file as written with the new ids.
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
    ``IdsError`` (with nothing written) when the file is missing, a symbolic link, too large, not
    valid YAML, not a mapping of course fields, or changed by something else meanwhile.
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
    if not isinstance(doc.data, dict) or not isinstance(doc.root, yaml.MappingNode):
        raise IdsError([not_a_mapping(doc, file)])
    lines = LINES.findall(text)
    elements = list(_elements(doc.data, doc.root))
    first_seen: dict[int, _Element] = {}
    for element in elements:
        first_seen.setdefault(id(element.node), element)
    repeats = [element for element in elements if first_seen[id(element.node)] is not element]
    shared = {id(element.node) for element in repeats}
    used: set[str] = set()
    invalid: list[_Element] = []
    for element in first_seen.values():
        if "id" in element.data:
            if _valid(element.data["id"]):
                used.add(element.data["id"].strip().casefold())
            else:
                invalid.append(element)

    planned: list[tuple[_Insertion, Loc, str]] = []
    unplaced: list[_Element] = []
    for element in first_seen.values():
        if "id" in element.data or id(element.node) in shared:
            continue
        where = _placement(element.node, lines)
        if where is None:
            unplaced.append(element)
        else:
            planned.append((where, element.loc, _fresh_id(element, used)))
    planned.sort(key=lambda plan: (plan[0].line, plan[0].col))  # file order

    new_text, added = _splice(lines, planned, file)
    _verify(doc.data, new_text, added, planned, file)
    line_after = _line_numbers_after(planned)
    left = [_invalid_problem(element, line_after, file) for element in invalid]
    left += [
        _alias_problem(element, first_seen[id(element.node)], lines, line_after, file)
        for element in repeats
        if "id" not in element.data
    ]
    left += [
        Problem(
            file,
            line_after(element.pos),
            field_path(element.loc + ("id",)),
            "is missing, and this layout leaves no safe place to add it; add an id here by hand",
        )
        for element in unplaced
    ]
    updated = (codecs.BOM_UTF8 if bom else b"") + new_text.encode("utf-8") if added else original
    return IdPlan(source, original, updated, added, sorted(left, key=lambda problem: problem.line or 0))


def write_plan(plan: IdPlan) -> None:
    """Replace course.yaml with the planned text in one step (a temporary file, then
    ``os.replace``), so an interrupted run leaves the old file or the new one, never a mix."""
    source, file = plan.source, plan.source.name
    if source.is_symlink():
        raise IdsError([_symlink_problem(source)])
    try:
        with source.open("rb") as stream:
            current = stream.read(len(plan.original) + 1)  # one byte more shows it grew
        mode = stat.S_IMODE(source.stat().st_mode)
    except OSError as error:
        raise IdsError([Problem(file, None, "", f"could not be read: {error.strerror or error}")]) from error
    if current != plan.original:
        raise IdsError(
            [
                Problem(
                    file,
                    None,
                    "",
                    "was changed by something else while ids were being worked out; run the command again",
                )
            ]
        )
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
    file = source.name if source.suffix in (".yaml", ".yml") else COURSE_FILE
    if source.is_symlink():
        raise IdsError([_symlink_problem(source)])
    if not path.exists():
        raise IdsError([Problem(file, None, "", f"{path} does not exist; give a course folder or its course.yaml")])
    if not source.exists():
        raise IdsError(
            [
                Problem(
                    file,
                    None,
                    "",
                    f"no {file} in {path}; every course folder needs one "
                    "(`courseforge new NAME` creates a course to start from)",
                )
            ]
        )
    if not source.is_file() or source.name != file:
        raise IdsError([Problem(file, None, "", f"{source} is not a course folder or a course.yaml file")])
    try:
        raw = read_limited(source, MAX_COURSE_YAML_BYTES)
    except FileTooLarge as error:
        raise IdsError(
            [
                Problem(
                    file,
                    None,
                    "",
                    f"is {error.size} bytes, more than the {byte_size(error.limit)} limit for a {COURSE_FILE}",
                )
            ]
        ) from error
    except OSError as error:
        raise IdsError([Problem(file, None, "", f"could not be read: {error.strerror or error}")]) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise IdsError(
            [
                Problem(
                    file, line, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file with UTF-8 encoding"
                )
            ]
        ) from error
    return source, raw, text, raw.startswith(codecs.BOM_UTF8)


def _symlink_problem(source: Path) -> Problem:
    return Problem(
        source.name,
        None,
        "",
        f"is a symbolic link (to {os.readlink(source)}); ids are written "
        "only into a regular file, so give the file the link points to",
    )


# --------------------------------------------------------------------------- elements
@dataclass(frozen=True)
class _Element:
    data: dict  # the element as the loader reads it ('<<' merges applied)
    node: yaml.MappingNode  # where it is written; an alias repeats the same node
    loc: Loc
    prefix: str  # '' for the course itself
    words: str | None  # what the new id's slug is made from

    @property
    def pos(self) -> tuple[int, int]:
        """0-based line and column where the element starts in the original text."""
        return self.node.start_mark.line, self.node.start_mark.column


def _elements(course: dict, root: yaml.MappingNode) -> Iterator[_Element]:
    """Every element that carries an id, in file order, as the model nests them."""
    yield _Element(course, root, (), "", _text(course.get("title")))
    for section, s_node, s_loc in _items(course, root, "sections", ()):
        yield _Element(section, s_node, s_loc, "s", _text(section.get("title")))
        for page, p_node, p_loc in _items(section, s_node, "pages", s_loc):
            yield _Element(page, p_node, p_loc, "p", _text(page.get("title")))
            for block, b_node, b_loc in _items(page, p_node, "blocks", p_loc):
                kind = block.get("type")
                kind = kind if isinstance(kind, str) else ""
                yield _Element(
                    block, b_node, b_loc, BLOCK_PREFIXES.get(kind, OTHER_BLOCK_PREFIX), _block_words(block, kind)
                )
                if kind != "quiz":
                    continue
                for question, q_node, q_loc in _items(block, b_node, "questions", b_loc):
                    yield _Element(question, q_node, q_loc, "q", _text(question.get("prompt")))
                    for key, (prefix, name) in ANSWER_PREFIXES.items():
                        for answer, a_node, a_loc in _items(question, q_node, key, q_loc):
                            yield _Element(answer, a_node, a_loc, prefix, _text(answer.get(name)))


def _items(parent: dict, node: yaml.Node, key: str, loc: Loc) -> Iterator[tuple[dict, yaml.MappingNode, Loc]]:
    """The mappings in list ``parent[key]`` with their nodes; anything else is the schema's to report."""
    value, value_node = parent.get(key), _child(node, key)
    if isinstance(value, list) and isinstance(value_node, yaml.SequenceNode):
        for index, (item, item_node) in enumerate(zip(value, value_node.value)):
            if isinstance(item, dict) and isinstance(item_node, yaml.MappingNode):
                yield item, item_node, loc + (key, index)


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node. The tree is the one the loader built, where
    PyYAML has already spliced '<<' merges into each mapping, so a merged key is found too."""
    entry = _entry(node, key)
    return entry[1] if entry else None


def _entry(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in reversed(node.value):  # the last of equal keys is the one that counts
            if key_node.tag == STR_TAG and key_node.value == key:
                return key_node, value_node
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _block_words(block: dict, kind: str) -> str | None:
    path = _text(block.get(BLOCK_FILE_FIELDS.get(kind, "")))
    if path is not None:
        return PurePosixPath(path.strip()).stem
    return next((text for name in BLOCK_TEXT_FIELDS if (text := _text(block.get(name)))), None)


def _valid(value: Any) -> bool:
    try:
        VALID_ID.validate_python(value)
    except ValidationError:
        return False
    return True


def _invalid_problem(element: _Element, line_after: LineMap, file: str) -> Problem:
    value = element.data["id"]
    entry = _entry(element.node, "id")  # a merged id is reported where it is written
    pos = (entry[0].start_mark.line, entry[0].start_mark.column) if entry else element.pos
    what = "is empty" if value is None else f"{describe(value)} is not a valid id"
    return Problem(
        file,
        line_after(pos),
        field_path(element.loc + ("id",)),
        f"{what} (letters, digits, '-' and '_', starting with a letter or digit, at most "
        "64 characters); existing ids are never changed automatically, so fix it by hand",
    )


def _alias_problem(repeat: _Element, first: _Element, lines: list[str], line_after: LineMap, file: str) -> Problem:
    """A YAML alias repeats one mapping, which cannot hold two ids. The parser hands back the
    anchored node for an alias, so the problem points at the element written out."""
    line, col = first.pos
    anchor = ANCHOR.match(lines[line], col)
    alias = f"the alias *{anchor.group(1)}" if anchor else "an alias"
    return Problem(
        file,
        line_after(first.pos),
        field_path(repeat.loc),
        f"repeats {field_path(first.loc) or 'the course'}, written here, through {alias}; "
        "each element needs an id of its own, so write it out in full",
    )


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


def _placement(node: yaml.MappingNode, lines: list[str]) -> _Insertion | None:
    """Where the id goes so that it is the mapping's first key; None when no place is safe."""
    line, col = node.start_mark.line, node.start_mark.column
    if node.flow_style:
        return _Insertion(line, col, True) if lines[line][col : col + 1] == "{" else None
    if lines[line][col : col + 1] in ("&", "!"):  # an anchor or tag first: the keys come after it
        # its first own key: the first written after it (a key merged in with '<<' is written
        # before the mapping, or inside it after that first key)
        keys = [(key.start_mark.line, key.start_mark.column) for key, _value in node.value]
        own = [pos for pos in keys if pos > (line, col)]
        if not own:
            return None
        line, col = min(own)
    return _Insertion(line, col, False) if KEY_PREFIX.fullmatch(lines[line][:col]) else None


def _splice(lines: list[str], planned: list[tuple[_Insertion, Loc, str]], file: str) -> tuple[str, list[Added]]:
    """The text with every planned id (in file order) written in, and the line each ends up on."""
    newline = next((match.group() for line in lines if (match := NEWLINE.search(line))), "\n")
    out = list(lines)
    for where, _loc, value in reversed(planned):  # from the end, so earlier positions stay put
        text = out[where.line]
        match = LINE_END.search(text)
        ending = match.group() if match else ""
        body = text[: len(text) - len(ending)]
        if where.flow:
            rest = body[where.col + 1 :]
            separator = "" if rest.lstrip().startswith("}") else ("," if not rest.strip() else ", ")
            out[where.line] = body[: where.col + 1] + f"id: {value}{separator}" + rest + ending
        elif not body[: where.col].strip():  # the key starts its line: a new line above it
            out.insert(where.line, body[: where.col] + f"id: {value}" + newline)
        else:  # '- key: ...': the id takes the dash, the rest moves to the next line
            out[where.line : where.line + 1] = [
                body[: where.col] + f"id: {value}" + newline,
                " " * where.col + body[where.col :] + ending,
            ]
    added = []
    shift = 0  # ids on lines of their own so far
    for where, loc, value in planned:
        added.append(Added(file, where.line + shift + 1, field_path(loc + ("id",)), value))
        shift += 0 if where.flow else 1
    return "".join(out), added


def _verify(
    data: Any, new_text: str, added: list[Added], planned: list[tuple[_Insertion, Loc, str]], file: str
) -> None:
    """Refuse unless the new text reads as the old data plus exactly the new ids, on their lines."""
    expected = copy.deepcopy(data)
    for _where, loc, value in planned:
        _at(expected, loc)["id"] = value
    doc, problems = parse_yaml(new_text, file)
    if (
        doc is None
        or problems
        or doc.data != expected
        or any(doc.line_of(loc + ("id",)) != item.line for (_w, loc, _v), item in zip(planned, added))
    ):
        raise IdsError(
            [
                Problem(
                    file,
                    None,
                    "",
                    "ids could not be added without changing something else in the file; add them by hand",
                )
            ]
        )


def _line_numbers_after(planned: list[tuple[_Insertion, Loc, str]]) -> LineMap:
    """Maps a position in the original text to its 1-based line once the ids are written: each
    id on a line of its own moves everything from its position on one line down."""
    moves = sorted((where.line, where.col) for where, _loc, _value in planned if not where.flow)
    return lambda pos: pos[0] + 1 + bisect.bisect_right(moves, pos)


def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data
