"""``/api/courses/<id>/blocks|sections|pages``: the edits an author makes while writing, each
carrying the revision it was based on and merged element by element (``authoring.revisions``):
text, blocks and titles changed; sections, pages and blocks added, deleted, restored and moved
(``authoring.structure``)."""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict, Field

from authoring.access import course_for
from authoring.api_docs import Number, QueryParameter, documented, query_number
from authoring.context import blobs, db, signed_in
from authoring.edits import block_markdown, find_block, set_markdown, set_title
from authoring.problems import ApiProblem, parse_body
from authoring.revisions import Edit, Saved, State, head_snapshot, revision_snapshot, save
from authoring.structure import (
    Addition,
    Kind,
    Removal,
    add_block,
    add_page,
    add_section,
    check_block,
    locate,
    move_element,
    replace_checked_block,
    restore_element,
    with_ids,
)
from courses.model import MultilineText, StableId, Text
from player.markdown import render_markdown

blueprint = Blueprint("content_api", __name__, url_prefix="/api/courses/<int:course_id>")
BASE_REVISION = QueryParameter("base_revision", "The revision the author was looking at (required)", "integer")


class _Based(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_revision: Number = Field(description="The revision the author was looking at when editing.")


class _Trimmed(_Based):
    """Titles and ids lose surrounding spaces, as the course model strips them, so a title of
    spaces is refused here, naming ``title``."""

    model_config = ConfigDict(str_strip_whitespace=True)


class MarkdownChange(_Based):
    markdown: MultilineText


class BlockChange(_Based):
    block: dict[str, Any]


class TitleChange(_Trimmed):
    title: Text = Field(min_length=1)


class NewSection(_Trimmed):
    title: Text = Field(min_length=1)
    after: StableId | None = Field(None, description="The section it goes after; null: first.")


class NewPage(NewSection):
    after: StableId | None = Field(None, description="The page of this section it goes after; null: first.")


class NewBlock(_Trimmed):
    block: dict[str, Any] = Field(description="The block; the ids it lacks (its own, its questions'...) are made.")
    after: StableId | None = Field(None, description="The block of this page it goes after; null: first.")


class ElementRestore(_Trimmed):
    kind: Literal["section", "page", "block"]
    id: StableId
    from_revision: Number = Field(description="The revision holding the element as it should come back.")


class ElementMove(_Trimmed):
    kind: Literal["section", "page", "block"]
    id: StableId
    parent: StableId | None = Field(None, description="The section of a page, the page of a block; null for a section.")
    after: StableId | None = Field(None, description="The sibling it goes after; null: first.")


def _save(course_id: int, base: int, edit: Edit, summary: str) -> tuple[dict[str, Any], Saved]:
    """Save one edit made on revision ``base``; the answer every write starts from."""
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    try:
        saved = save(db(), record, base, [edit], user, summary, blobs())
    except ApiProblem as problem:
        if problem.status == 409:  # a conflict found while applying the edit knows no revision number
            problem.extra.setdefault("head_revision", record.head)
        raise
    return {"revision": saved.snapshot.number, "merged": saved.merged, "saved": saved.created}, saved


def _writable(course_id: int) -> None:
    """Who may change the course is checked before anything in the request is."""
    course_for(db(), signed_in(), course_id, write=True)


@blueprint.get("/blocks/<block_id>")
@documented("A block at the latest revision, with its Markdown and HTML")
def get_block(course_id: int, block_id: str) -> Any:
    record = course_for(db(), signed_in(), course_id)
    head = head_snapshot(db(), record)
    block = find_block(head.document, block_id)
    if block is None:
        raise ApiProblem(404, f"block {block_id} not found in course {course_id}", "block")
    markdown = block_markdown(State(head.document, head.files, blobs()), block_id)
    return {
        "revision": head.number,
        "block": block,
        "markdown": markdown,
        "html": None if markdown is None else render_markdown(markdown),
    }


@blueprint.put("/blocks/<block_id>/markdown")
@documented("Save a text block's Markdown", access="write", body=MarkdownChange)
def put_markdown(course_id: int, block_id: str) -> Any:
    body = parse_body(MarkdownChange, request.get_json(silent=True))
    answer, _saved = _save(course_id, body.base_revision, set_markdown(block_id, body.markdown), f"text {block_id}")
    return answer


@blueprint.put("/blocks/<block_id>")
@documented(
    "Replace a block (it keeps its id; new questions, choices, pairs and items sent without ids get "
    "them, and the answer holds the block as stored); each problem names a field of the block, e.g. "
    "questions[0].choices",
    access="write",
    body=BlockChange,
)
def put_block(course_id: int, block_id: str) -> Any:
    _writable(course_id)
    body = parse_body(BlockChange, request.get_json(silent=True))
    if body.block.get("id") != block_id:
        shown = repr(body.block.get("id"))[:80]
        raise ApiProblem(422, f"block.id: is {shown}; a block keeps its id ({block_id})", "block.id")
    # Questions, choices, pairs and items an author just added come without ids: they get them
    # here, and the answer carries the block as stored so the editor keeps them from now on.
    record = course_for(db(), signed_in(), course_id, write=True)
    block = with_ids(body.block, head_snapshot(db(), record).document)
    check_block(block)
    answer, _saved = _save(course_id, body.base_revision, replace_checked_block(block_id, block), f"block {block_id}")
    return {**answer, "block": block}


@blueprint.patch("/sections/<section_id>")
@documented("Rename a section", access="write", body=TitleChange)
def rename_section(course_id: int, section_id: str) -> Any:
    body = parse_body(TitleChange, request.get_json(silent=True))
    return _save(course_id, body.base_revision, set_title("section", section_id, body.title), "section title")[0]


@blueprint.patch("/pages/<page_id>")
@documented("Rename a page", access="write", body=TitleChange)
def rename_page(course_id: int, page_id: str) -> Any:
    body = parse_body(TitleChange, request.get_json(silent=True))
    return _save(course_id, body.base_revision, set_title("page", page_id, body.title), "page title")[0]


def _added(course_id: int, base: int, addition: Addition, summary: str) -> tuple[dict[str, Any], int]:
    answer, _saved = _save(course_id, base, addition.edit, summary)
    return {**answer, addition.kind: addition.element}, 201


@blueprint.post("/sections")
@documented("Add a section (holding one page with an empty text block)", access="write", status=201, body=NewSection)
def post_section(course_id: int) -> Any:
    _writable(course_id)
    body = parse_body(NewSection, request.get_json(silent=True))
    return _added(course_id, body.base_revision, add_section(body.title, body.after), "new section")


@blueprint.post("/sections/<section_id>/pages")
@documented("Add a page to a section (holding an empty text block)", access="write", status=201, body=NewPage)
def post_page(course_id: int, section_id: str) -> Any:
    _writable(course_id)
    body = parse_body(NewPage, request.get_json(silent=True))
    return _added(course_id, body.base_revision, add_page(section_id, body.title, body.after), "new page")


@blueprint.post("/pages/<page_id>/blocks")
@documented("Add a block to a page; missing ids are made", access="write", status=201, body=NewBlock)
def post_block(course_id: int, page_id: str) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(NewBlock, request.get_json(silent=True))
    block = with_ids(body.block, head_snapshot(db(), record).document)
    check_block(block)
    return _added(course_id, body.base_revision, add_block(page_id, block, body.after), f"new block {block['id']}")


def _delete(course_id: int, kind: Kind, element_id: str) -> Any:
    _writable(course_id)
    base = query_number(request.args, "base_revision")
    if base is None:
        raise ApiProblem(422, "base_revision: send ?base_revision=N, the revision you were looking at", "base_revision")
    removal = Removal(kind, element_id)
    answer, saved = _save(course_id, base, removal.edit, f"deleted {kind} {element_id}")
    deleted = {"kind": kind, "id": element_id, "revision": saved.snapshot.number, "title": removal.title}
    return {**answer, "deleted": deleted}


@blueprint.delete("/sections/<section_id>")
@documented(
    "Delete a section, its pages and the files only they use", access="write", query=(BASE_REVISION,), errors=(409,)
)
def delete_section(course_id: int, section_id: str) -> Any:
    return _delete(course_id, "section", section_id)


@blueprint.delete("/pages/<page_id>")
@documented("Delete a page and the files only it uses", access="write", query=(BASE_REVISION,), errors=(409,))
def delete_page(course_id: int, page_id: str) -> Any:
    return _delete(course_id, "page", page_id)


@blueprint.delete("/blocks/<block_id>")
@documented("Delete a block and the files only it uses", access="write", query=(BASE_REVISION,), errors=(409,))
def delete_block(course_id: int, block_id: str) -> Any:
    return _delete(course_id, "block", block_id)


@blueprint.post("/restore")
@documented(
    "Bring back a section, page or block as it was at an older revision (the undo of a delete)",
    access="write",
    body=ElementRestore,
)
def post_restore(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(ElementRestore, request.get_json(silent=True))
    if not 1 <= body.from_revision <= record.head:
        raise ApiProblem(
            422,
            f"from_revision: revision {body.from_revision} does not exist; the latest is {record.head}",
            "from_revision",
        )
    old = revision_snapshot(db(), record, body.from_revision)
    edit = restore_element(body.kind, body.id, old)
    summary = f"restored {body.kind} {body.id} from revision {body.from_revision}"
    answer, saved = _save(course_id, body.base_revision, edit, summary)
    found = locate(saved.snapshot.document, body.kind, body.id)
    return {**answer, "restored": {"kind": body.kind, "id": body.id, **(found.place() if found else {})}}


@blueprint.post("/move")
@documented("Move a section, page or block to another place", access="write", body=ElementMove)
def post_move(course_id: int) -> Any:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    body = parse_body(ElementMove, request.get_json(silent=True))
    base = None
    if 1 <= body.base_revision <= record.head:
        base = revision_snapshot(db(), record, body.base_revision).document
    edit = move_element(body.kind, body.id, body.parent, body.after, base)
    answer, _saved = _save(course_id, body.base_revision, edit, f"moved {body.kind} {body.id}")
    return {**answer, "moved": {"kind": body.kind, "id": body.id, "parent": body.parent, "after": body.after}}
