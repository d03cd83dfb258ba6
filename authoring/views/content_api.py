"""``/api/courses/<id>/blocks|sections|pages``: the edits an author makes while writing, each
carrying the revision it was based on and merged block by block (``authoring.revisions``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict, Field

from authoring.access import course_for
from authoring.api_docs import Number, documented
from authoring.context import blobs, db, signed_in
from authoring.course_store import reindex
from authoring.edits import block_markdown, find_block, replace_block, set_markdown, set_title
from authoring.problems import ApiProblem, parse_body
from authoring.revisions import Edit, State, head_snapshot, save
from courses.model import MultilineText, Text
from player.markdown import render_markdown

blueprint = Blueprint("content_api", __name__, url_prefix="/api/courses/<int:course_id>")


class _Based(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_revision: Number = Field(description="The revision the author was looking at when editing.")


class MarkdownChange(_Based):
    markdown: MultilineText


class BlockChange(_Based):
    block: dict[str, Any]


class TitleChange(_Based):
    title: Text = Field(min_length=1)


def _save(course_id: int, base: int, edit: Edit, summary: str) -> dict[str, Any]:
    user = signed_in()
    record = course_for(db(), user, course_id, write=True)
    saved = save(
        db(), record, base, [edit], user, summary, blobs(), on_saved=lambda s: reindex(db(), record, s, blobs())
    )
    return {"revision": saved.snapshot.number, "merged": saved.merged, "saved": saved.created}


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
    answer = _save(course_id, body.base_revision, set_markdown(block_id, body.markdown), f"text {block_id}")
    return {**answer, "html": render_markdown(body.markdown)}


@blueprint.put("/blocks/<block_id>")
@documented("Replace a block (it keeps its id)", access="write", body=BlockChange)
def put_block(course_id: int, block_id: str) -> Any:
    body = parse_body(BlockChange, request.get_json(silent=True))
    if body.block.get("id") != block_id:
        raise ApiProblem(422, f"block.id: is {body.block.get('id')!r}; a block keeps its id ({block_id})", "block.id")
    answer = _save(course_id, body.base_revision, replace_block(block_id, body.block), f"block {block_id}")
    return answer


@blueprint.patch("/sections/<section_id>")
@documented("Rename a section", access="write", body=TitleChange)
def rename_section(course_id: int, section_id: str) -> Any:
    body = parse_body(TitleChange, request.get_json(silent=True))
    return _save(course_id, body.base_revision, set_title("section", section_id, body.title), "section title")


@blueprint.patch("/pages/<page_id>")
@documented("Rename a page", access="write", body=TitleChange)
def rename_page(course_id: int, page_id: str) -> Any:
    body = parse_body(TitleChange, request.get_json(silent=True))
    return _save(course_id, body.base_revision, set_title("page", page_id, body.title), "page title")
