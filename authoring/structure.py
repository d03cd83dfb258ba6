"""Sections, pages and blocks added, deleted, restored and moved, each as one ``Edit`` so that
``authoring.revisions.save`` merges a change of the course's structure with whatever others
saved since the author's base revision.

What each edit's element is decides what conflicts:

- adding never conflicts (the new element has a new id); a place that is gone is a 422;
- deleting conflicts when someone else changed the element (its data or its files) since the
  base, so a delete never silently discards an edit its author has not seen;
- restoring brings an element back exactly as it was at an older revision, files and ids
  included, at the place it had there;
- moving conflicts only when someone else moved the same element: its place is compared among
  the siblings that kept their order, so two authors moving different blocks of one page both
  keep their move.

Elements are found by id, never by position, as in ``authoring.edits``.
"""

from __future__ import annotations

import copy
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from authoring.edits import block_markdown, replace_block
from authoring.problems import ApiProblem
from authoring.revisions import Edit, Snapshot, State
from courses.errors import Problem, field_path, shorten
from courses.ids import (
    ANSWER_PREFIXES,
    BLOCK_FILE_FIELDS,
    BLOCK_PREFIXES,
    BLOCK_TEXT_FIELDS,
    OTHER_BLOCK_PREFIX,
    slug,
)
from courses.model import Block
from courses.scaffold import new_id
from courses.schema_messages import resolve_location
from courses.source_checks import FILE_KINDS, named_files

Kind = Literal["section", "page", "block"]
Loc = tuple[str | int, ...]
PARENT_KIND: dict[str, str] = {"page": "section", "block": "page"}
# lists of elements with ids
ID_LISTS = ("sections", "pages", "blocks", "questions", *ANSWER_PREFIXES)
NEW_PAGE_TITLE = "New page"
TEXT_FOLDER = "text"  # where a new text block's Markdown file goes, as in a course folder
FILES_LISTED = 10  # files named in a "pick one of" message
BLOCK = TypeAdapter(Block)
_BLOCK_IN_COURSE: Loc = ("sections", 0, "pages", 0, "blocks", 0)  # where resolve_location finds a block


# --------------------------------------------------------------------------- finding elements
@dataclass(frozen=True)
class Found:
    """An element where it is in a document: ``siblings`` is the list holding it (the document's
    own list, so an edit can change it), ``parent_id`` the section of a page or the page of a
    block (None for a section)."""

    element: dict[str, Any]
    siblings: list[dict[str, Any]]
    index: int
    parent_id: str | None
    loc: Loc

    @property
    def after(self) -> str | None:
        """The previous sibling's id (None when first): with the parent, the element's place."""
        return None if self.index == 0 else str(self.siblings[self.index - 1].get("id"))

    def place(self) -> dict[str, str | None]:
        return {"parent": self.parent_id, "after": self.after}


def _lists(document: dict[str, Any], kind: str) -> Iterator[tuple[str | None, list[dict[str, Any]], Loc]]:
    """Every list holding elements of ``kind``, with the id of the element holding it."""
    sections: list[dict[str, Any]] = document.get("sections", [])
    if kind == "section":
        yield None, sections, ("sections",)
        return
    for s_index, section in enumerate(sections):
        if kind == "page":
            yield section.get("id"), section.get("pages", []), ("sections", s_index, "pages")
            continue
        for p_index, page in enumerate(section.get("pages", [])):
            yield page.get("id"), page.get("blocks", []), ("sections", s_index, "pages", p_index, "blocks")


def locate(document: dict[str, Any], kind: str, element_id: str) -> Found | None:
    for parent_id, siblings, loc in _lists(document, kind):
        for index, element in enumerate(siblings):
            if element.get("id") == element_id:
                return Found(element, siblings, index, parent_id, loc + (index,))
    return None


def children(document: dict[str, Any], kind: str, parent_id: str | None) -> list[dict[str, Any]] | None:
    """The list an element of ``kind`` goes in: the sections, a section's pages, a page's blocks."""
    return next((siblings for pid, siblings, _loc in _lists(document, kind) if pid == parent_id), None)


def require(document: dict[str, Any], kind: str, element_id: str) -> Found:
    found = locate(document, kind, element_id)
    if found is None:
        raise ApiProblem(
            404, f"{kind} {shorten(element_id)} not found in the latest revision (it may have been deleted)", kind
        )
    return found


def ids_within(element: dict[str, Any], loc: Loc = ()) -> Iterator[tuple[str, Loc]]:
    """Every id in ``element`` (itself, its pages, blocks, questions, choices...), with where it is."""
    value = element.get("id")
    if isinstance(value, str):
        yield value, loc + ("id",)
    for key in ID_LISTS:
        items = element.get(key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    yield from ids_within(item, loc + (key, index))


def course_ids(document: dict[str, Any], leaving_out: dict[str, Any] | None = None) -> set[str]:
    """The ids used in the course, letter case ignored as the loader compares them; without
    those of ``leaving_out`` (a block being replaced)."""
    used: set[str] = set()
    for section in document.get("sections", []):
        used.update(_ids_except(section, leaving_out))
    return used


def _ids_except(element: dict[str, Any], leaving_out: dict[str, Any] | None) -> Iterator[str]:
    if element is leaving_out:
        return
    value = element.get("id")
    if isinstance(value, str):
        yield value.strip().casefold()
    for key in ID_LISTS:
        for item in element.get(key) or ():
            if isinstance(item, dict):
                yield from _ids_except(item, leaving_out)


def fresh_id(prefix: str, words: str | None, used: set[str]) -> str:
    """A new id in the project's style (``p-phishing-signs-k3x7qa``), unlike every id in ``used``,
    which it joins."""
    stem = slug(words) if words else ""
    while True:
        candidate = new_id(f"{prefix}-{stem}" if stem else prefix)
        if candidate.casefold() not in used:
            used.add(candidate.casefold())
            return candidate


# --------------------------------------------------------------------------- files
def _blocks(element: dict[str, Any], kind: str) -> Iterator[dict[str, Any]]:
    if kind == "block":
        yield element
        return
    for page in [element] if kind == "page" else element.get("pages", []):
        yield from page.get("blocks", [])


def files_of(element: dict[str, Any], kind: str) -> set[str]:
    """The course files an element's blocks name (Markdown, images, video, captions...)."""
    found: set[str] = set()
    for block in _blocks(element, kind):
        found.update(path for _field, path, _kind in named_files(block))
    return found


def files_in_use(document: dict[str, Any]) -> set[str]:
    return {path for section in document.get("sections", []) for path in files_of(section, "section")}


def element_value(document: dict[str, Any], files: dict[str, str], kind: str, element_id: str) -> Any:
    """What a delete or a restore compares: the element and the blobs of the files it names,
    so a change to a text block's Markdown file counts as a change of the block."""
    found = locate(document, kind, element_id)
    if found is None:
        return None
    return {kind: found.element, "files": {path: files.get(path) for path in sorted(files_of(found.element, kind))}}


# --------------------------------------------------------------------------- one block on its own
def check_block(data: dict[str, Any]) -> None:
    """The block alone against the model, so each problem names a field of the block
    (``questions[0].choices``) with the model's own message, as the author types."""
    try:
        BLOCK.validate_python(data)
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            path = resolve_location(_BLOCK_IN_COURSE + tuple(detail["loc"]))[0][len(_BLOCK_IN_COURSE) :]
            if detail["type"] in ("union_tag_not_found", "union_tag_invalid"):
                path += ("type",)
            problems.append(Problem("block", None, field_path(path), detail["msg"].removeprefix("Value error, ")))
        first = problems[0]
        raise ApiProblem(
            422, f"{first.field}: {first.message}" if first.field else first.message, first.field, problems
        ) from None


def check_block_in_course(state: State, block: dict[str, Any], replacing: dict[str, Any] | None = None) -> None:
    """A block's ids are new to the course (besides those of the block it replaces) and each
    file it names is one of the course's files, of the kind its field takes."""
    used = course_ids(state.document, leaving_out=replacing)
    seen: set[str] = set()
    for value, loc in ids_within(block):
        key = value.strip().casefold()
        if key in used or key in seen:
            name = "block.id" if loc == ("id",) else field_path(loc)
            raise ApiProblem(
                422,
                f"{name}: id '{shorten(value)}' is already used in the course; every id must be different "
                "(letter case ignored)",
                name,
            )
        seen.add(key)
    problems = list(_file_problems(block, state.files))
    if problems:
        raise ApiProblem(422, f"{problems[0].field}: {problems[0].message}", problems[0].field, problems)


def _file_problems(block: dict[str, Any], files: dict[str, str]) -> Iterator[Problem]:
    for loc, path, file_kind in named_files(block):
        what, extensions = FILE_KINDS[file_kind]
        if path in files and PurePosixPath(path).suffix.lower() in extensions:
            continue
        choices = sorted(p for p in files if PurePosixPath(p).suffix.lower() in extensions)
        listed = ", ".join(choices[:FILES_LISTED]) + (
            f" and {len(choices) - FILES_LISTED} more" if len(choices) > FILES_LISTED else ""
        )
        pick = f"pick one of {listed}" if choices else f"the course has no {what.split()[-1]} file yet; add one first"
        shown = shorten(path, 200)
        problem = f"no file {shown} in the course" if path not in files else f"{shown} is not {what} file"
        yield Problem("block", None, field_path(list(loc)), f"{problem}; {pick}")


def with_ids(block: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``block`` with an id made for it, and for each of its questions, choices, pairs
    and items, that has none (None counts as none); the ids given are kept as they are."""
    block = copy.deepcopy(block)
    used = course_ids(document) | {value.strip().casefold() for value, _loc in ids_within(block)}
    kind = block.get("type") if isinstance(block.get("type"), str) else ""
    if block.get("id") is None:
        block["id"] = fresh_id(BLOCK_PREFIXES.get(str(kind), OTHER_BLOCK_PREFIX), _block_words(block, str(kind)), used)
    if kind != "quiz" or not isinstance(block.get("questions"), list):
        return block
    for question in block["questions"]:
        if not isinstance(question, dict):
            continue
        if question.get("id") is None:
            question["id"] = fresh_id("q", _text(question.get("prompt")), used)
        for key, (prefix, name) in ANSWER_PREFIXES.items():
            answers = question.get(key)
            for answer in answers if isinstance(answers, list) else []:
                if isinstance(answer, dict) and answer.get("id") is None:
                    answer["id"] = fresh_id(prefix, _text(answer.get(name)), used)
    return block


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _block_words(block: dict[str, Any], kind: str) -> str | None:
    path = _text(block.get(BLOCK_FILE_FIELDS.get(kind, "")))
    if path is not None:
        return PurePosixPath(path.strip()).stem
    return next((text for name in BLOCK_TEXT_FIELDS if (text := _text(block.get(name)))), None)


def block_summary(state: State, block: dict[str, Any]) -> str:
    """``text block: Welcome to the course``: how a deleted block is named to the author."""
    kind = str(block.get("type"))
    words = block_markdown(state, str(block.get("id"))) if kind == "text" else None
    named = (text for name in ("title", "alt", "transcript", "script", "src") if (text := _text(block.get(name))))
    words = words or next(named, "")
    first = next((line.strip("# ").strip() for line in words.splitlines() if line.strip("# ").strip()), "")
    return f"{kind} block: {shorten(first, 60)}" if first else f"{kind} block"


def replace_checked_block(block_id: str, new: dict[str, Any]) -> Edit:
    """``authoring.edits.replace_block``, with the block's ids and files checked against the
    revision it is saved onto."""
    plain = replace_block(block_id, new)

    def apply(state: State) -> None:
        found = locate(state.document, "block", block_id)
        check_block_in_course(state, new, replacing=None if found is None else found.element)
        plain.apply(state)

    return replace(plain, apply=apply)


# --------------------------------------------------------------------------- adding
def in_own_file(state: State, block: dict[str, Any]) -> dict[str, Any]:
    """A new text block with its Markdown moved into the file ``text/<block id>.md`` (added to the
    state), as a course folder keeps it, so typing in it writes only that file and never
    course.yaml. Any other block, and a text block whose file name (letter case ignored) the
    course uses already, is given back as it is."""
    markdown = block.get("markdown")
    if block.get("type") != "text" or block.get("file") is not None or not isinstance(markdown, str):
        return block
    path = f"{TEXT_FOLDER}/{block.get('id')}.md"
    if any(used.casefold() == path.casefold() for used in state.files):
        return block
    state.files[path] = state.blobs.put_blob(markdown.encode("utf-8"))
    return {key: value for key, value in block.items() if key != "markdown"} | {"file": path}


def new_text_block(state: State, used: set[str]) -> dict[str, Any]:
    return in_own_file(state, {"type": "text", "id": fresh_id(BLOCK_PREFIXES["text"], None, used), "markdown": ""})


def new_page(title: str, state: State, used: set[str]) -> dict[str, Any]:
    return {"id": fresh_id("p", title, used), "title": title, "blocks": [new_text_block(state, used)]}


def new_section(title: str, state: State, used: set[str]) -> dict[str, Any]:
    return {"id": fresh_id("s", title, used), "title": title, "pages": [new_page(NEW_PAGE_TITLE, state, used)]}


class Addition:
    """Adding one element after ``after`` (None: first) in its parent. ``edit`` goes to
    ``save``; ``element`` is what it inserted (a save applies its edits again when another save
    got in first, so this is read after the save)."""

    def __init__(
        self, kind: Kind, parent_id: str | None, after: str | None, make: Callable[[State], dict[str, Any]]
    ) -> None:
        self.kind, self.parent_id, self.after, self.make = kind, parent_id, after, make
        self.element: dict[str, Any] = {}
        self.edit = Edit(f"new {kind}", lambda state: None, self._apply, None, kind)

    def _apply(self, state: State) -> None:
        siblings = children(state.document, self.kind, self.parent_id)
        if siblings is None:
            parent = PARENT_KIND[self.kind]
            raise ApiProblem(
                404, f"{parent} {self.parent_id} not found in the latest revision (it may have been deleted)", parent
            )
        index = insertion_index(state.document, self.kind, siblings, self.parent_id, self.after)
        self.element = self.make(state)
        siblings.insert(index, self.element)


def insertion_index(
    document: dict[str, Any], kind: str, siblings: list[dict[str, Any]], parent_id: str | None, after: str | None
) -> int:
    """Where an element goes after sibling ``after`` (0 when None), or a 422 naming ``after``."""
    if after is None:
        return 0
    index = next((i + 1 for i, sibling in enumerate(siblings) if sibling.get("id") == after), None)
    if index is not None:
        return index
    elsewhere = locate(document, kind, after)
    if kind != "section" and elsewhere is not None:
        parent = PARENT_KIND[kind]
        where = f"is in {parent} {elsewhere.parent_id}, not in {parent} {parent_id}"
    else:
        where = "is not in the latest revision" + ("" if kind == "section" else f" of {PARENT_KIND[kind]} {parent_id}")
    raise ApiProblem(422, f"after: {kind} {shorten(after)} {where}; send null to put it first", "after")


def add_section(title: str, after: str | None) -> Addition:
    return Addition("section", None, after, lambda state: new_section(title, state, course_ids(state.document)))


def add_page(section_id: str, title: str, after: str | None) -> Addition:
    return Addition("page", section_id, after, lambda state: new_page(title, state, course_ids(state.document)))


def add_block(page_id: str, block: dict[str, Any], after: str | None) -> Addition:
    """``block`` has its ids already (``with_ids``) and was checked alone (``check_block``); a
    text block with inline Markdown goes in its own file (``in_own_file``)."""

    def make(state: State) -> dict[str, Any]:
        check_block_in_course(state, block)
        return in_own_file(state, copy.deepcopy(block))

    return Addition("block", page_id, after, make)


# --------------------------------------------------------------------------- deleting
def only_one(kind: str, found: Found, fix: str) -> ApiProblem:
    """The model's rule that a course, a section and a page are never empty, said for the element
    that would leave its parent empty."""
    rule = {
        "section": ("a course needs at least one section", "the course's only section"),
        "page": ("a section needs at least one page", f"the only page of section {found.parent_id}"),
        "block": ("a page needs at least one block", f"the only block of page {found.parent_id}"),
    }[kind]
    where = field_path(found.loc[:-1])
    return ApiProblem(422, f"{where}: {rule[0]}, and {kind} {found.element.get('id')} is {rule[1]}; {fix}", where)


DELETE_INSTEAD = {
    "section": "add another section first",
    "page": "delete the section instead",
    "block": "delete the page instead",
}


class Removal:
    """Deleting one element and the files only it uses. ``edit`` goes to ``save``; ``title``
    names what it deleted (a title, or a block's summary)."""

    def __init__(self, kind: Kind, element_id: str) -> None:
        self.kind, self.element_id = kind, element_id
        self.title = ""
        self.edit = Edit(
            f"{kind} {element_id}",
            lambda state: element_value(state.document, state.files, kind, element_id),
            self._apply,
            None,
            kind,
        )

    def _apply(self, state: State) -> None:
        found = require(state.document, self.kind, self.element_id)
        if len(found.siblings) == 1:
            raise only_one(self.kind, found, DELETE_INSTEAD[self.kind])
        element = found.element
        self.title = block_summary(state, element) if self.kind == "block" else str(element.get("title", ""))
        del found.siblings[found.index]
        for path in files_of(element, self.kind) - files_in_use(state.document):
            state.files.pop(path, None)


# --------------------------------------------------------------------------- restoring
def restore_element(kind: Kind, element_id: str, old: Snapshot) -> Edit:
    """Element ``element_id`` back exactly as it was at revision ``old`` (same ids, its files with
    the same bytes), in the same parent after the same previous sibling when that is still
    there, else first in the parent."""
    was = locate(old.document, kind, element_id)
    if was is None:
        raise ApiProblem(422, f"id: there is no {kind} {shorten(element_id)} in revision {old.number}", "id")
    wanted = element_value(old.document, old.files, kind, element_id)
    files = {path: old.files[path] for path in files_of(was.element, kind) if path in old.files}
    edit_name = f"{kind} {element_id}"

    def apply(state: State) -> None:
        now = element_value(state.document, state.files, kind, element_id)
        if now is not None:
            raise ApiProblem(
                409,
                f"{kind} {element_id} is in the latest revision already; edit it there, or delete it first",
                "id",
                conflicts=[{"element": edit_name, "field": kind, "yours": wanted, "theirs": now}],
            )
        used = course_ids(state.document)
        clash = next((value for value, _loc in ids_within(was.element) if value.casefold() in used), None)
        if clash is not None:
            raise ApiProblem(
                409,
                f"id: {shorten(clash)}, in the {kind} to restore, is used by another element of the latest revision",
                "id",
            )
        siblings = children(state.document, kind, was.parent_id)
        if siblings is None:
            parent = PARENT_KIND[kind]
            raise ApiProblem(
                422,
                f"parent: {parent} {was.parent_id}, which held {kind} {element_id} at revision {old.number}, is not in "
                f"the latest revision; restore the {parent} instead",
                "parent",
            )
        for path, sha in files.items():
            if state.files.get(path, sha) != sha:
                raise ApiProblem(
                    409,
                    f"files: the latest revision has another file at {path}; rename it, then restore again",
                    "files",
                )
        index = next((i + 1 for i, e in enumerate(siblings) if e.get("id") == was.after), 0) if was.after else 0
        siblings.insert(index, copy.deepcopy(was.element))
        state.files.update(files)

    return Edit(
        edit_name, lambda state: element_value(state.document, state.files, kind, element_id), apply, wanted, kind
    )


# --------------------------------------------------------------------------- moving
def move_element(
    kind: Kind, element_id: str, parent_id: str | None, after: str | None, base: dict[str, Any] | None
) -> Edit:
    """Element ``element_id`` to parent ``parent_id`` (None for a section) after sibling ``after``
    (None: first). ``base`` is the document of the author's base revision (None when there is
    none; the save then refuses the base): the element's place counts as changed by someone else
    only when they moved it, not when they moved, added or deleted a sibling around it."""
    if kind == "section" and parent_id is not None:
        raise ApiProblem(422, "parent: a section is in the course itself; send parent: null", "parent")
    if kind != "section" and parent_id is None:
        parent = PARENT_KIND[kind]
        raise ApiProblem(422, f"parent: a {kind} goes in a {parent}; send the {parent}'s id", "parent")
    if after == element_id:
        raise ApiProblem(422, f"after: a {kind} cannot go after itself", "after")
    in_base = None if base is None else locate(base, kind, element_id)

    def current(state: State) -> Any:
        now = locate(state.document, kind, element_id)
        if now is None:
            return None
        if in_base is None or now.parent_id != in_base.parent_id or not kept_order(in_base, now, element_id):
            return now.place()
        return in_base.place()

    def apply(state: State) -> None:
        found = require(state.document, kind, element_id)
        target = children(state.document, kind, parent_id)
        if target is None:
            parent = PARENT_KIND[kind]
            raise ApiProblem(422, f"parent: {parent} {shorten(str(parent_id))} is not in the latest revision", "parent")
        if target is not found.siblings and len(found.siblings) == 1:
            raise only_one(kind, found, f"add another {kind} to {PARENT_KIND[kind]} {found.parent_id} first")
        del found.siblings[found.index]
        target.insert(insertion_index(state.document, kind, target, parent_id, after), found.element)

    return Edit(f"{kind} {element_id}", current, apply, {"parent": parent_id, "after": after}, "place")


def kept_order(before: Found, now: Found, element_id: str) -> bool:
    """Whether the element is in a longest run of the siblings it shares between ``before`` and
    ``now`` that kept their order: if so it was not moved, its neighbours were (when a page of
    three went from a, b, c to c, a, b, c moved, and a and b did not)."""
    now_ids = [str(e.get("id")) for e in now.siblings]
    common = set(now_ids) & {str(e.get("id")) for e in before.siblings}
    rank = {key: n for n, key in enumerate(str(e.get("id")) for e in before.siblings if str(e.get("id")) in common)}
    shared = [key for key in now_ids if key in common]
    order = [rank[key] for key in shared]
    ending = _longest_rising(order)
    starting = _longest_rising([-value for value in reversed(order)])[::-1]
    position = shared.index(element_id)
    return ending[position] + starting[position] - 1 == max(ending)


def _longest_rising(values: list[int]) -> list[int]:
    """For each value, the length of the longest rising run of ``values`` ending with it (n log n)."""
    tails: list[int] = []
    lengths: list[int] = []
    for value in values:
        index = bisect_left(tails, value)
        if index == len(tails):
            tails.append(value)
        else:
            tails[index] = value
        lengths.append(index + 1)
    return lengths
