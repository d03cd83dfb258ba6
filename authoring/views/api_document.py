"""``/api/openapi.json``: the API's OpenAPI document, readable without signing in so clients
and tools can be generated from it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from authoring.api_docs import documented
from authoring.openapi import openapi_document

blueprint = Blueprint("api_document", __name__, url_prefix="/api")
_CACHE = "courseforge.openapi"


@blueprint.get("/openapi.json")
@documented("This document", access="public")
def openapi_json() -> Any:
    """Built once per app: the routes do not change after start."""
    if _CACHE not in current_app.extensions:
        current_app.extensions[_CACHE] = openapi_document(current_app)
    return jsonify(current_app.extensions[_CACHE])
