"""``/api/preview/markdown``: Markdown rendered as the player renders it (markdown-it, then nh3's
allow-list), for the editor's live preview while an author types. It reads no course, so anyone
signed in may call it; its input is bounded like a course's Markdown field."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict
from werkzeug.exceptions import RequestEntityTooLarge

from authoring.api_docs import documented
from authoring.context import signed_in
from authoring.problems import ApiProblem, parse_body
from courses.errors import byte_size
from courses.model import TEXT_MAX_CHARS, MultilineText
from player.markdown import render_markdown

blueprint = Blueprint("preview_api", __name__, url_prefix="/api/preview")
# The longest JSON body a Markdown field can need (each character written as the 12-byte escape
# of a surrogate pair, and the JSON around it); anything longer is refused before it is read.
BODY_MAX_BYTES = 12 * TEXT_MAX_CHARS + 4096


class MarkdownPreview(BaseModel):
    model_config = ConfigDict(extra="forbid")
    markdown: MultilineText


@blueprint.post("/markdown")
@documented("Markdown as the player shows it: sanitised HTML", body=MarkdownPreview, errors=(413,))
def preview_markdown() -> Any:
    signed_in()
    request.max_content_length = BODY_MAX_BYTES + 1  # a body sent without a length is cut off there
    try:
        too_long = len(request.get_data(cache=True)) > BODY_MAX_BYTES
    except RequestEntityTooLarge:  # its length said so
        too_long = True
    if too_long:
        raise ApiProblem(413, f"markdown: the request is larger than {byte_size(BODY_MAX_BYTES)}", "markdown")
    body = parse_body(MarkdownPreview, request.get_json(silent=True))
    return {"html": render_markdown(body.markdown)}
