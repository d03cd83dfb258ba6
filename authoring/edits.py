"""The edits an author makes in the editor, each on one element of the course document, so
``authoring.revisions.save`` can merge them element by element.

Elements are found by their stable id, never by position: a block moved or a page added by
someone else does not turn an edit into a change of the wrong element.
"""

from __future__ import annotations

from typing import Any

from authoring.problems import ApiProblem
from authoring.revisions import Edit, State
from authoring.text_blobs import in_database, put_text

SETTINGS = ("title", "description", "language", "version", "completion", "passing_score", "navigation", "voice")
"""Course fields an author sets on the settings form (sections are edited element by element)."""


def _sections(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document.get("sections", []))


def find_section(document: dict[str, Any], section_id: str) -> dict[str, Any] | None:
    return next((s for s in _sections(document) if s.get("id") == section_id), None)


def find_page(document: dict[str, Any], page_id: str) -> dict[str, Any] | None:
    return next((p for s in _sections(document) for p in s.get("pages", []) if p.get("id") == page_id), None)


def find_block(document: dict[str, Any], block_id: str) -> dict[str, Any] | None:
    return next(
        (
            b
            for s in _sections(document)
            for p in s.get("pages", [])
            for b in p.get("blocks", [])
            if b.get("id") == block_id
        ),
        None,
    )


def _require(found: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if found is None:
        raise ApiProblem(404, f"{what} not found in the latest revision (it may have been deleted)")
    return found


def block_markdown(state: State, block_id: str) -> str | None:
    """A text block's Markdown, from the document or from its file."""
    block = find_block(state.document, block_id)
    if block is None or block.get("type") != "text":
        return None
    if block.get("markdown") is not None:
        return str(block["markdown"])
    sha = state.files.get(str(block.get("file")))
    return None if sha is None else state.blobs.get_blob(sha).decode("utf-8", errors="replace")


def set_markdown(block_id: str, markdown: str) -> Edit:
    """A text block's new Markdown: written to its file when it has one (course.yaml stays as it
    was), else into the document. The file's blob goes into the database in the revision's own
    transaction when the blob store keeps small texts there (``authoring.text_blobs``); else it
    is stored before the save locks the course when the block has a file in the head the request
    read (nearly always the head it locks), so no other save waits for it."""
    data = markdown.encode("utf-8")
    stored: list[str] = []  # the blob's SHA-256 once ``prepare`` has stored it

    def prepare(state: State) -> None:
        if stored:  # stored already for the state judged first (the author's, then the head's)
            return
        block = find_block(state.document, block_id)
        is_file = block is not None and block.get("type") == "text" and block.get("file") is not None
        if is_file and not in_database(state.blobs, data):
            stored.append(state.blobs.put_blob(data))

    def apply(state: State) -> None:
        block = _require(find_block(state.document, block_id), f"block {block_id}")
        if block.get("type") != "text":
            raise ApiProblem(422, f"block {block_id} is a {block.get('type')} block, not a text block", "markdown")
        if block.get("file") is not None:
            state.files[str(block["file"])] = stored[0] if stored else put_text(state.blobs, data, state.texts)
        else:
            block["markdown"] = markdown

    def identity(state: State) -> Any:
        block = find_block(state.document, block_id)
        return block, None if block is None else state.files.get(str(block.get("file")))

    def replaces_file(state: State) -> tuple[str, str] | None:
        block = find_block(state.document, block_id)
        if block is None or block.get("type") != "text" or block.get("file") is None:
            return None  # not there (a 404 to name), not text (a 422), or Markdown in the document
        path = str(block["file"])
        return path, stored[0] if stored else put_text(state.blobs, data, state.texts)

    return Edit(
        f"block {block_id}",
        lambda state: block_markdown(state, block_id),
        apply,
        markdown,
        "markdown",
        prepare,
        identity,
        replaces_file,
    )


def replace_block(block_id: str, new: dict[str, Any]) -> Edit:
    """A whole block (its alt text, caption, quiz...) replaced; its id and type are kept."""

    def apply(state: State) -> None:
        page = next(
            (
                p
                for s in _sections(state.document)
                for p in s.get("pages", [])
                if any(b.get("id") == block_id for b in p.get("blocks", []))
            ),
            None,
        )
        page = _require(page, f"block {block_id}")
        page["blocks"] = [new if b.get("id") == block_id else b for b in page["blocks"]]

    return Edit(f"block {block_id}", lambda state: find_block(state.document, block_id), apply, new, "block")


def set_title(kind: str, element_id: str, title: str) -> Edit:
    """A section's or a page's new title."""
    finder = find_section if kind == "section" else find_page

    def current(state: State) -> Any:
        found = finder(state.document, element_id)
        return None if found is None else found.get("title")

    def apply(state: State) -> None:
        _require(finder(state.document, element_id), f"{kind} {element_id}")["title"] = title

    return Edit(f"{kind} {element_id}", current, apply, title, "title")


def set_setting(name: str, value: Any) -> Edit:
    """One course setting (title, language, passing score...)."""

    def apply(state: State) -> None:
        state.document[name] = value

    return Edit(f"course setting {name}", lambda state: state.document.get(name), apply, value, name)
