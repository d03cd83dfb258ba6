"""A ``Course`` written back as course.yaml.

Authors keep courses in git and also edit them in the browser, so a save must change only what
the author changed: ``course_yaml(course, previous)`` writes the previous course.yaml with the
changed values changed and every other byte as it was (comments, blank lines, key order,
quoting, block styles, uneven indents). A changed value is rewritten in place in its own style
(a folded text keeps its line breaks up to the first changed word); a new element (a page, a
block, a question, a setting) is inserted after its predecessor, in the indentation, key order
and spacing of its siblings; a removed one disappears with its lines; a moved one is cut from
its place and pasted, with its comments and layout, where it now belongs.

This is done by splicing text, as ``courses.ids`` does, not by dumping a ruamel.yaml round-trip
tree: ruamel.yaml writes one indentation for the whole file (uneven indents come back even),
re-spaces flow lists and re-wraps long plain scalars, so an alt text changed in the browser
would still show up as a diff of unrelated lines. The positions come from the node tree of the
loader's own parser (``courses.yaml_lines``), and the old and new course are compared as model
documents, so a value the loader reads the same way (``points: 1`` for 1.0) is left as written.

Nothing is trusted: the new text must load, through the loader's parser and the model, to
exactly the new course, or the whole course is written in the editor's layout instead (two-space
indents with list items under their key, long text folded as block scalars, ids kept). That
also happens for files this writer does not edit in place: aliases and merge keys (one change
would show up in several places), anchors or comments between a list's dash and its item, an
element left with no keys, and a file that does not load.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from courses.loader import COURSE_FILE
from courses.model import Course
from courses.yaml_lines import parse_yaml

HEADER = "# Written by the courseforge editor. Keep the ids: learners' saved progress points at them.\n"
WIDTH = 100
FOLD_FROM = 80  # characters of one-line text written as a folded block (`>-`), as authors do
STEP = 2  # indentation of a file that shows none of its own (a nested mapping, a list under its key)
STR_TAG = "tag:yaml.org,2002:str"
PARSED_KEPT = 4  # parsed files kept: the file a save writes is the one the next save edits
# A folded block scalar reads a line break between two words as one space, so text is broken
# only at single spaces between non-spaces (a double space must stay on one line).
BREAKABLE = re.compile(r"(?<=\S) (?=\S)")

log = logging.getLogger(__name__)


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key (``pages:\\n  - id: ...``), as course folders are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar(STR_TAG, value, style="|")
    if len(value) > FOLD_FROM:
        return dumper.represent_scalar(STR_TAG, value, style=">")
    return dumper.represent_scalar(STR_TAG, value)


_Dumper.add_representer(str, _text)


def course_document(course: Course) -> dict[str, Any]:
    """The course as plain data: only what was set (defaults the author never wrote stay out)."""
    return course.model_dump(mode="json", exclude_unset=True)


def course_yaml(course: Course, previous: bytes | None = None) -> bytes:
    """course.yaml's bytes for ``course``; loading them gives the same course.

    With ``previous`` (the course.yaml being replaced), that file with only the changed values
    changed, when it can be edited faithfully; otherwise, and without it, the whole course in
    the editor's layout."""
    if previous is not None:
        edited = edited_yaml(previous, course)
        if edited is not None:
            return edited
    return dumped_yaml(course)


def dumped_yaml(course: Course) -> bytes:
    """The whole course in the editor's layout, for a course with no course.yaml to edit."""
    body = yaml.dump(
        course_document(course), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=WIDTH, indent=2
    )
    return (HEADER + body).encode("utf-8")


def edited_yaml(previous: bytes, course: Course) -> bytes | None:
    """``previous`` with only what differs from ``course`` changed, or None when that cannot be
    written faithfully (the caller then writes the whole course)."""
    try:
        text = previous.decode("utf-8")
    except UnicodeDecodeError:
        return None
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom) :]
    old = _parsed(text)
    if old is None:
        log.info("%s: written whole: the previous file does not load", COURSE_FILE)
        return None
    wanted = course_document(course)
    if _same(old.document, wanted):
        return previous
    try:
        new_text = _Splice(text, old.layout).document(old.document, wanted)
    except _Unfaithful as reason:
        log.info("%s: written whole: %s", COURSE_FILE, reason)
        return None
    written = _parsed(new_text)
    if written is None or not _same(written.document, wanted):
        log.info("%s: written whole: the edited file would not load as the course", COURSE_FILE)
        return None
    return (bom + new_text).encode("utf-8")


# --------------------------------------------------------------------------- the previous file
class _Unfaithful(Exception):
    """The change cannot be written into this file without touching what did not change."""


@dataclass(frozen=True)
class _Parsed:
    """A course.yaml as the loader reads it: its node tree and its course as a document."""

    text: str
    root: yaml.Node
    document: dict[str, Any]

    @functools.cached_property
    def layout(self) -> _Layout:
        """Measured once per file: the next save edits the file this one wrote."""
        return _Layout(self.text, self.root, self.document)


@functools.lru_cache(maxsize=PARSED_KEPT)
def _parsed(text: str) -> _Parsed | None:
    """The file parsed and validated, or None when it does not load as a course. Kept for the
    next save, whose previous file is the one this save checked."""
    doc, problems = parse_yaml(text, COURSE_FILE)
    if doc is None or problems or not isinstance(doc.data, dict):
        return None
    try:
        course = Course.model_validate(doc.data)
    except ValidationError:
        return None
    return _Parsed(text, doc.root, course_document(course))


def _same(a: Any, b: Any) -> bool:
    """Equal as documents, types included (``True`` is not ``1``, ``1`` is not ``1.0``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Just after the line break of the line ``index`` is on (``index`` itself at a line start)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


class _Layout:
    """How the previous file is written, measured once: indentation, key order and blank lines
    between list items for each kind of element, and where every element with an id is."""

    def __init__(self, text: str, root: yaml.Node, document: dict[str, Any]) -> None:
        self.text = text
        self.root = root
        # per kind of element, and for the whole file under "": "step", a mapping's keys from
        # its parent key; "list", a list's dashes from its key; "dash", an item's first key from its dash
        self.indents: dict[str, dict[str, int]] = {"step": {}, "list": {}, "dash": {}}
        self.key_orders: dict[str, list[str]] = {}
        self.gaps: dict[str, Counter[str]] = {}
        self.items: dict[tuple[str, str], tuple[yaml.Node, Any]] = {}
        self.leads: dict[int, str] = {}  # id(item) -> the blank lines and comments between it and the item before
        self._seen: set[int] = set()
        self._walk(root, document, "", None)

    def indent(self, what: str, kind: str = "") -> int:
        """How far this kind of element is indented in the file (else the file's first such
        indentation, else ``STEP``), so a new element looks like its siblings."""
        table = self.indents[what]
        return table.get(kind, table.get("", STEP))

    def _note(self, what: str, kind: str, columns: int) -> None:
        self.indents[what].setdefault(kind, columns)
        self.indents[what].setdefault("", columns)

    def gap(self, kind: str) -> int:
        """Blank lines between two items of this kind of list, as the file mostly has them."""
        counts = self.gaps.get(kind)
        return counts.most_common(1)[0][0].count("\n") if counts else 0

    def ordered(self, kind: str, keys: list[str], like: list[str] | None = None) -> list[str]:
        """``keys`` (in the model's order) in the order of a sibling's keys ``like``, else in the
        order this kind of element has them in the file; keys of neither after their model predecessor."""
        order = [key for key in (self.key_orders.get(kind, []) if like is None else like) if key in keys]
        for index, key in enumerate(keys):
            if key not in order:
                order.insert(order.index(keys[index - 1]) + 1 if index else 0, key)
        return order

    def end(self, node: yaml.Node) -> int:
        """Just after the node's last character of content (trailing blank lines not included)."""
        if isinstance(node, yaml.ScalarNode):
            return self.block_end(node) if node.style in ("|", ">") else node.end_mark.index
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) or node.flow_style or not node.value:
            return int(node.end_mark.index)
        if isinstance(node, yaml.MappingNode):
            key, value = node.value[-1]
            return max(self.end(key), self.end(value))
        return self.end(node.value[-1])

    def block_end(self, node: yaml.ScalarNode) -> int:
        text, start, end = self.text, node.start_mark.index, node.end_mark.index
        header_end = _line_end(text, start)
        if "+" in text[start:header_end].split("#")[0]:  # kept trailing lines are content
            return int(end)
        while end > header_end and text[end - 1] == "\n":
            line = _line_start(text, end - 1)
            if text[line:end].strip():
                break
            end = line
        return int(end)

    def dash(self, item: yaml.Node) -> int:
        """Where the '-' of a block list item is; it must start its line."""
        text, index = self.text, item.start_mark.index - 1
        while index >= 0 and text[index] in " \r\n":
            index -= 1
        if index < 0 or text[index] != "-" or text[_line_start(text, index) : index].strip():
            raise _Unfaithful(f"line {item.start_mark.line + 1}: a list item this writer does not edit in place")
        return index

    def _walk(self, node: yaml.Node, value: Any, kind: str, parent: tuple[str, int] | None) -> None:
        if id(node) in self._seen:
            raise _Unfaithful(f"line {node.start_mark.line + 1}: an alias or merge key repeats part of the file")
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            self._walk_mapping(node, value, kind, parent)
        elif isinstance(node, yaml.SequenceNode):
            self._walk_sequence(node, value, kind, parent)

    def _walk_mapping(self, node: yaml.MappingNode, value: Any, kind: str, parent: tuple[str, int] | None) -> None:
        keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode) and key.tag == STR_TAG]
        if not isinstance(value, dict) or len(keys) != len(node.value) or set(keys) != set(value):
            raise _Unfaithful(f"line {node.start_mark.line + 1}: the mapping does not read as the course says")
        self._learn_order(kind, keys)
        column = node.value[0][0].start_mark.column if node.value else 0
        if not node.flow_style and parent and parent[0] == "key" and column > parent[1]:
            self._note("step", kind, column - parent[1])
        for key, child in node.value:
            self._walk(child, value[key.value], f"{kind}.{key.value}" if kind else key.value, ("key", column))

    def _walk_sequence(self, node: yaml.SequenceNode, value: Any, kind: str, parent: tuple[str, int] | None) -> None:
        if not isinstance(value, list) or len(value) != len(node.value):
            raise _Unfaithful(f"line {node.start_mark.line + 1}: the list does not read as the course says")
        item_kind = f"{kind}[]"
        for index, (item, data) in enumerate(zip(node.value, value)):
            column = item.start_mark.column
            if not node.flow_style:
                dash = self.dash(item)
                column = dash - _line_start(self.text, dash)
                if parent and parent[0] == "key":
                    self._note("list", kind, max(column - parent[1], 0))
                on_dash_line = "\n" not in self.text[dash : item.start_mark.index]
                if isinstance(item, yaml.MappingNode) and on_dash_line:
                    self._note("dash", item_kind, item.start_mark.column - column)
                if index:
                    previous_end = _line_end(self.text, self.end(node.value[index - 1]))
                    gap = self.text[previous_end : _line_start(self.text, dash)]
                    self.leads[id(item)] = gap
                    if not gap.strip():
                        self.gaps.setdefault(item_kind, Counter())["\n" * gap.count("\n")] += 1
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                self.items[(item_kind, data["id"])] = (item, data)
            self._walk(item, data, item_kind, ("item", column))

    def _learn_order(self, kind: str, keys: list[str]) -> None:
        order = self.key_orders.setdefault(kind, [])
        for index, key in enumerate(keys):
            if key not in order:
                order.insert(order.index(keys[index - 1]) + 1 if index else 0, key)


# --------------------------------------------------------------------------- the edit
@dataclass(frozen=True)
class _Cut:
    """``text`` in place of the original ``start:end`` (an insertion when they are equal)."""

    start: int
    end: int
    text: str


_Like = tuple[int, yaml.Node] | None  # a sibling's value node and the column of its key


class _Splice:
    """The cuts that turn the previous file into the new course, and the text they give."""

    def __init__(self, text: str, layout: _Layout) -> None:
        self.text = text
        self.layout = layout
        self.step = layout.indent("step")  # block scalars' text from their key
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def document(self, old: dict[str, Any], new: dict[str, Any]) -> str:
        return self._applied(self._value(self.layout.root, old, new, "", 0), 0, len(self.text))

    def _applied(self, cuts: list[_Cut], start: int, end: int) -> str:
        out, position = [], start
        for cut in sorted(cuts, key=lambda cut: (cut.start, cut.end)):  # insertions at one place keep their order
            if cut.start < position or cut.end > end:
                raise _Unfaithful("two changes overlap")
            out += [self.text[position : cut.start], cut.text]
            position = cut.end
        out.append(self.text[position:end])
        return "".join(out)

    def _lines(self, at: int, lines: list[str]) -> _Cut:
        """Whole lines inserted at ``at`` (a line start), in the file's line breaks."""
        before = self.newline if at == len(self.text) and self.text and not self.text.endswith("\n") else ""
        return _Cut(at, at, before + "".join(line + self.newline for line in lines))

    # ---------------------------------------------------------------- values
    def _value(self, node: yaml.Node, old: Any, new: Any, kind: str, column: int) -> list[_Cut]:
        """The cuts changing ``node`` (which reads as ``old``) to ``new``; ``column`` is where the
        key or list item holding it starts."""
        if _same(old, new):
            return []
        if isinstance(node, yaml.MappingNode) and isinstance(new, dict):
            return [self._flow(node, old, new)] if node.flow_style else self._mapping(node, old, new, kind)
        if isinstance(node, yaml.SequenceNode) and isinstance(new, list):
            return [self._flow(node, old, new)] if node.flow_style else self._sequence(node, old, new, kind)
        if isinstance(node, yaml.ScalarNode) and not isinstance(new, (dict, list)):
            return [self._scalar(node, new, column)]
        raise _Unfaithful(f"line {node.start_mark.line + 1}: a value changes kind")

    def _mapping(self, node: yaml.MappingNode, old: dict[str, Any], new: dict[str, Any], kind: str) -> list[_Cut]:
        text, layout = self.text, self.layout
        entries = node.value
        if not any(key.value in new for key, _ in entries):
            raise _Unfaithful(f"line {node.start_mark.line + 1}: every key of a mapping changes")
        column = entries[0][0].start_mark.column
        cuts: list[_Cut] = []
        index = 0
        while index < len(entries):
            key, value = entries[index]
            name = key.value
            if name in new:
                cuts += self._value(value, old[name], new[name], f"{kind}.{name}" if kind else name, column)
                index += 1
                continue
            line = _line_start(text, key.start_mark.index)
            if text[line : key.start_mark.index].strip():  # '- key: ...': the dash stays for the next kept key
                kept = next(i for i in range(index, len(entries)) if entries[i][0].value in new)
                cuts.append(_Cut(key.start_mark.index, entries[kept][0].start_mark.index, ""))
                index = kept
            else:
                cuts.append(_Cut(line, _line_end(text, layout.end(value)), ""))
                index += 1
        by_name = {key.value: (key, value) for key, value in entries}
        kept_names = [key.value for key, _ in entries if key.value in new]
        after: str | None = None
        for name in layout.ordered(kind, list(new)):
            if name in old:
                after = name
                continue
            lines = self._entry(name, new[name], column, f"{kind}.{name}" if kind else name)
            if after is not None:
                cuts.append(self._lines(_line_end(text, layout.end(by_name[after][1])), lines))
                continue
            first = by_name[kept_names[0]][0].start_mark.index
            line = _line_start(text, first)
            if text[line:first].strip():  # before the first key, after its '- '
                cuts.append(_Cut(first, first, self._before_first(lines, column)))
            else:
                cuts.append(self._lines(line, lines))
        return cuts

    def _before_first(self, lines: list[str], column: int) -> str:
        """An entry written before a mapping's first key, which follows its list item's dash."""
        return lines[0].lstrip() + "".join(self.newline + line for line in lines[1:]) + self.newline + " " * column

    def _sequence(self, node: yaml.SequenceNode, old: list[Any], new: list[Any], kind: str) -> list[_Cut]:
        item_kind = f"{kind}[]"
        items = node.value
        if not new:
            raise _Unfaithful(f"line {node.start_mark.line + 1}: a list becomes empty")
        old_ids, new_ids = _ids(old), _ids(new)
        sources: list[tuple[str, Any]] = []
        if old_ids is not None and new_ids is not None:
            for item_id in new_ids:
                if item_id in old_ids:
                    sources.append(("kept", old_ids.index(item_id)))
                elif (item_kind, item_id) in self.layout.items:
                    sources.append(("moved", self.layout.items[(item_kind, item_id)]))
                else:
                    sources.append(("new", None))
        elif len(old) == len(new):
            sources = [("kept", index) for index in range(len(new))]
        else:
            unused = list(range(len(old)))
            for value in new:
                match = next((index for index in unused if _same(old[index], value)), None)
                if match is None:
                    sources.append(("new", None))
                else:
                    unused.remove(match)
                    sources.append(("kept", match))
        if sources == [("kept", index) for index in range(len(old))]:
            cuts: list[_Cut] = []
            for item, before, after in zip(items, old, new):
                cuts += self._value(item, before, after, item_kind, self._column(self.layout.dash(item)))
            return cuts
        return [self._rebuilt(node, old, new, sources, item_kind)]

    def _column(self, index: int) -> int:
        return index - _line_start(self.text, index)

    def _region(self, item: yaml.Node) -> tuple[int, int]:
        """A list item's lines: from its dash's line to the end of its content's last line."""
        return _line_start(self.text, self.layout.dash(item)), _line_end(self.text, self.layout.end(item))

    def _item_text(self, item: yaml.Node, before: Any, after: Any, kind: str) -> str:
        start, end = self._region(item)
        body = self._applied(self._value(item, before, after, kind, self._column(self.layout.dash(item))), start, end)
        return body if body.endswith("\n") else body + self.newline

    def _rebuilt(
        self, node: yaml.SequenceNode, old: list[Any], new: list[Any], sources: list[tuple[str, Any]], kind: str
    ) -> _Cut:
        """The list's lines written again in the new order: kept and moved items as they were
        written (with their own changes), new ones in their siblings' style, each after the
        blank lines and comments that were before it (or the usual gap between siblings)."""
        text, layout = self.text, self.layout
        items = node.value
        dash = self._column(layout.dash(items[0]))
        first = items[0]
        offset = first.start_mark.column - dash if first.start_mark.column > dash else layout.indent("dash", kind)
        typical = self.newline * layout.gap(kind)
        parts: list[str] = []
        for position, ((how, source), value) in enumerate(zip(sources, new)):
            if how == "kept":
                body = self._item_text(items[source], old[source], value, kind)
                lead = layout.leads.get(id(items[source]), typical)
            elif how == "moved":
                moved, data = source
                shift = dash - self._column(layout.dash(moved))
                body = _reindented(self._item_text(moved, data, value, kind), shift)
                lead = _reindented(layout.leads.get(id(moved), typical), shift)
            else:
                kept = [index for how_, index in sources[:position] if how_ == "kept"]
                like = items[kept[-1] if kept else 0]
                body = "".join(line + self.newline for line in self._item(value, dash, offset, kind, like))
                lead = typical
            parts += [lead, body] if position else [body]
        rebuilt = "".join(parts)
        start, end = self._region(items[0])[0], self._region(items[-1])[1]
        if not text[start:end].endswith("\n"):
            rebuilt = rebuilt.removesuffix(self.newline)
        return _Cut(start, end, rebuilt)

    def _flow(self, node: yaml.Node, old: Any, new: Any) -> _Cut:
        """A flow list or mapping written again on one line: its unchanged parts as they were, in
        their order, a changed scalar in its own quotes."""
        text, layout = self.text, self.layout
        parts: list[str] = []
        if isinstance(node, yaml.SequenceNode):
            positional = len(old) == len(new)
            unused = list(range(len(old)))
            for index, value in enumerate(new):
                match = index if positional else next((i for i in unused if _same(old[i], value)), None)
                if match is None:
                    parts.append(_flow_value(value, None))
                    continue
                unused.remove(match)
                item = node.value[match]
                if _same(old[match], value):
                    parts.append(text[item.start_mark.index : layout.end(item)])
                else:
                    parts.append(_flow_value(value, item))
            written = "[" + ", ".join(parts) + "]"
        else:
            for key, child in node.value:
                if key.value not in new:
                    continue
                value = new[key.value]
                if _same(old[key.value], value):
                    parts.append(text[key.start_mark.index : layout.end(child)])
                else:
                    parts.append(text[key.start_mark.index : child.start_mark.index] + _flow_value(value, child))
            for name, value in new.items():
                if name not in old:
                    parts.append(f"{_inline(name, None, flow=True)}: {_flow_value(value, None)}")
            written = "{" + ", ".join(parts) + "}"
        return _Cut(node.start_mark.index, node.end_mark.index, written)

    # ---------------------------------------------------------------- scalars
    def _scalar(self, node: yaml.ScalarNode, new: Any, column: int) -> _Cut:
        """A changed scalar rewritten where it is, in its own style when that can hold it."""
        text, start, end = self.text, node.start_mark.index, node.end_mark.index
        if node.style in ("|", ">") and isinstance(new, str):
            return self._block_scalar(node, new, column)
        space = " " if start == end and text[start - 1 : start] == ":" else ""
        rest_of_line = text[end : _line_end(text, end)].strip()
        if isinstance(new, str) and "\n" in new and not rest_of_line:
            first, lines = _literal(new, column + self.step)
            if _reads_back(first, lines, column, new):
                return _Cut(start, end, space + first + "".join(self.newline + line for line in lines))
        style = node.style if isinstance(new, str) and node.style in ("'", '"') else None
        return _Cut(start, end, space + _inline(new, style, flow=False))

    def _block_scalar(self, node: yaml.ScalarNode, new: str, column: int) -> _Cut:
        text, start = self.text, node.start_mark.index
        header_end = _line_end(text, start)
        end = self.layout.block_end(node)
        content = text[header_end:end]
        written = [line for line in content.splitlines() if line.strip()]
        indent = min((len(line) - len(line.lstrip(" ")) for line in written), default=column + self.step)
        header = text[start:header_end].rstrip("\r\n")
        if node.style == ">" and "\n" not in new:
            old_lines = [line[indent:] for line in content.splitlines()]
            # the author's own width, if the text was wrapped at all (short lines: the project's)
            width = max([FOLD_FROM, *(len(line) for line in content.splitlines())]) if len(written) > 1 else WIDTH
            lines = [" " * indent + line for line in _refolded(old_lines, new, max(width - indent, 20))]
        else:
            if node.style == ">":
                header = "|-"
            lines = _literal(new, indent)[1]
        if not _reads_back(header, lines, column, new):
            return _Cut(start, end, _inline(new, '"', flow=False) + self.newline)
        body = "".join(line + self.newline for line in lines)
        if header == text[start:header_end].rstrip("\r\n"):
            return _Cut(header_end, end, body)
        return _Cut(start, end, header + self.newline + body)

    # ---------------------------------------------------------------- new elements
    # A new element is written like ``like``, a sibling of the same kind where there is one
    # (its key order, indents and list layout), else as the file mostly writes that kind.
    def _entry(self, name: str, value: Any, column: int, kind: str, like: _Like = None) -> list[str]:
        """``name: value`` as lines starting at ``column``; ``like`` is a sibling's value for
        ``name`` and the column of its key."""
        layout, pad = self.layout, " " * column
        key = _inline(name, None, flow=False)
        node = like[1] if like else None
        if isinstance(value, dict) and value:
            template = node if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value else None
            step = layout.indent("step", kind)
            if like and template and template.value[0][0].start_mark.column > like[0]:
                step = template.value[0][0].start_mark.column - like[0]
            return [f"{pad}{key}:"] + self._mapping_lines(value, column + step, kind, template)
        if isinstance(value, list) and value:
            indent, offset, first = layout.indent("list", kind), layout.indent("dash", f"{kind}[]"), None
            if like and isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
                first = node.value[0]
                dash = self._column(layout.dash(first))
                indent = max(dash - like[0], 0)
                offset = first.start_mark.column - dash if first.start_mark.column > dash else offset
            return [f"{pad}{key}:"] + self._list_lines(value, column + indent, offset, f"{kind}[]", first)
        if isinstance(value, (dict, list)):
            return [f"{pad}{key}: {'{}' if isinstance(value, dict) else '[]'}"]
        first_line, lines = _new_scalar(value, column + self.step, column)
        return [f"{pad}{key}: {first_line}"] + lines

    def _mapping_lines(
        self, value: dict[str, Any], column: int, kind: str, like: yaml.MappingNode | None = None
    ) -> list[str]:
        siblings = {key.value: (key.start_mark.column, child) for key, child in like.value} if like else {}
        lines: list[str] = []
        for name in self.layout.ordered(kind, list(value), list(siblings) if like else None):
            lines += self._entry(name, value[name], column, f"{kind}.{name}", siblings.get(name))
        return lines

    def _list_lines(self, values: list[Any], dash: int, offset: int, kind: str, like: yaml.Node | None) -> list[str]:
        lines: list[str] = []
        for index, value in enumerate(values):
            if index:
                lines += [""] * self.layout.gap(kind)
            lines += self._item(value, dash, offset, kind, like)
        return lines

    def _item(self, value: Any, dash: int, offset: int, kind: str, like: yaml.Node | None) -> list[str]:
        """A new list item as lines, its dash at column ``dash`` and its content ``offset`` after."""
        offset = max(offset, 2)
        if isinstance(value, dict) and value:
            template = like if isinstance(like, yaml.MappingNode) and not like.flow_style and like.value else None
            lines = self._mapping_lines(value, dash + offset, kind, template)
            return [" " * dash + "-" + " " * (offset - 1) + lines[0].lstrip()] + lines[1:]
        if isinstance(value, (dict, list)):
            raise _Unfaithful("a new list item that is a list or an empty mapping")
        first, lines = _new_scalar(value, dash + offset, dash)
        return [" " * dash + "-" + " " * (offset - 1) + first] + lines


def _ids(items: list[Any]) -> list[str] | None:
    """The items' ids when every item is an element with an id and no two share one."""
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    if all(isinstance(item_id, str) for item_id in ids) and len(set(ids)) == len(ids):
        return [str(item_id) for item_id in ids]
    return None


def _reindented(body: str, by: int) -> str:
    """A moved item's lines shifted ``by`` columns, so its dash lines up with its new siblings."""
    if by == 0:
        return body
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if by > 0:
            lines[index] = " " * by + line
        elif line[:-by].strip():
            raise _Unfaithful("a moved element cannot be indented to its new place")
        else:
            lines[index] = line[-by:]
    return "\n".join(lines)


def _inline(value: Any, style: str | None, flow: bool) -> str:
    """A scalar on one line: plain when YAML reads it back as the same value, else quoted
    (``style`` asks for quotes; the emitter adds them when plain would change the value)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return yaml.safe_dump(value).split("\n")[0]
    if "\n" in str(value):
        style = '"'
    scalar = yaml.ScalarNode(STR_TAG, str(value), style=style)
    if flow:
        wrapper: yaml.Node = yaml.SequenceNode("tag:yaml.org,2002:seq", [scalar], flow_style=True)
        return yaml.serialize(wrapper, Dumper=yaml.SafeDumper, width=1 << 30, allow_unicode=True).strip()[1:-1]
    key = yaml.ScalarNode(STR_TAG, "k")
    wrapper = yaml.MappingNode("tag:yaml.org,2002:map", [(key, scalar)], flow_style=False)
    return yaml.serialize(wrapper, Dumper=yaml.SafeDumper, width=1 << 30, allow_unicode=True).rstrip("\n")[3:]


def _flow_value(value: Any, was: yaml.Node | None) -> str:
    """A value inside a flow list or mapping; a changed text keeps the quotes it ``was`` written in."""
    if isinstance(value, (dict, list)):
        flow = yaml.safe_dump(value, default_flow_style=True, width=1 << 30, allow_unicode=True, sort_keys=False)
        return flow.strip()
    style = was.style if isinstance(value, str) and isinstance(was, yaml.ScalarNode) else None
    return _inline(value, style if style in ("'", '"') else None, flow=True)


def _literal(value: str, indent: int) -> tuple[str, list[str]]:
    """``|-`` and its lines at ``indent`` (the model strips text, so there is no final line break)."""
    return "|-", [" " * indent + line if line else "" for line in value.split("\n")]


def _new_scalar(value: Any, indent: int, column: int) -> tuple[str, list[str]]:
    """A new value after its key: text with line breaks as a literal block, long text folded,
    the rest on the key's line."""
    if isinstance(value, str) and ("\n" in value or len(value) > FOLD_FROM):
        if "\n" in value:
            first, lines = _literal(value, indent)
        else:
            first, lines = ">-", [" " * indent + line for line in _wrap(value, max(WIDTH - indent, 20))]
        if _reads_back(first, lines, column, value):
            return first, lines
        return _inline(value, '"', flow=False), []
    return _inline(value, None, flow=False), []


def _reads_back(header: str, lines: list[str], column: int, value: str) -> bool:
    """Whether a block scalar written after a key at ``column`` reads as ``value`` (the model
    strips surrounding spaces, so a final line break does not count)."""
    snippet = " " * column + "k: " + header + "".join("\n" + line for line in lines) + "\n"
    try:
        read = yaml.safe_load(snippet)
    except yaml.YAMLError:
        return False
    return isinstance(read, dict) and isinstance(read.get("k"), str) and read["k"].strip() == value.strip()


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in BREAKABLE.split(text):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


def _breakable(text: str, index: int) -> bool:
    return 0 < index < len(text) - 1 and text[index] == " " and text[index - 1] != " " and text[index + 1] != " "


def _refolded(old: list[str], new: str, width: int) -> list[str]:
    """Folded text's lines for ``new``: the old lines it still starts and ends with kept as they
    were, only the changed middle wrapped again, so one changed word changes one line."""
    if any(not line or line.startswith(" ") for line in old):  # paragraphs or indented lines: wrap all again
        return _wrap(new, width)
    head: list[str] = []
    position = 0
    for line in old:
        end = position + len(line)
        if new.startswith(line, position) and (end == len(new) or _breakable(new, end)):
            head.append(line)
            position = end + 1
            if end == len(new):
                return head
        else:
            break
    tail: list[str] = []
    stop = len(new)
    for line in reversed(old[len(head) :]):
        begin = stop - len(line)
        if begin >= position and new[begin:stop] == line and (begin == position or _breakable(new, begin - 1)):
            tail.insert(0, line)
            stop = begin - 1 if begin > position else begin
            if begin == position:
                break
        else:
            break
    middle = new[position:stop] if stop > position else ""
    replaced = len(old) - len(head) - len(tail)
    lines = _wrap(middle, width) if middle else []
    if len(lines) > max(replaced, 1):  # a line a little too long beats reflowing the rest of the text
        wider = (_wrap(middle, w) for w in range(width + 1, width + width // 4 + 1))
        lines = next((fits for fits in wider if len(fits) <= max(replaced, 1)), lines)
    return head + lines + tail
