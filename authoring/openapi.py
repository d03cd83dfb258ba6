"""The OpenAPI 3.1 document of the editor's JSON API, built from the running app.

Paths, methods and path parameters come from Flask's URL rules; summaries, query parameters,
statuses and bodies from each view's ``@documented`` declaration; request body schemas from the
pydantic models that parse them (``model_json_schema``). An API view without a declaration is an
error here, so the document cannot silently fall behind the code.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic import BaseModel, ConfigDict, Field

from authoring.api_docs import MAX_ID, Operation, error_statuses, operation_of
from authoring.problems import PROBLEM_JSON

API_PREFIX = "/api/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PARAMETER = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_SCHEMA_REF = "#/components/schemas/{model}"


class ProblemItem(BaseModel):
    """One mistake, as ``courses.errors.Problem`` reports it."""

    file: str
    line: int | None
    field: str
    message: str
    text: str = Field(description="The whole problem as one line: file:line: field: message.")


class ProblemDetails(BaseModel):
    """An RFC 9457 problem (``authoring.problems.ApiProblem.body``); some add members, such as
    a conflict's two versions."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    field: str | None = Field(None, description="The request field at fault, when there is one.")
    problems: list[ProblemItem] | None = None


def openapi_document(app: Flask) -> dict[str, Any]:
    """The document for every ``/api/`` rule of ``app``."""
    schemas: dict[str, Any] = {}
    _add_schema(schemas, ProblemDetails)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        operation = operation_of(app.view_functions[rule.endpoint])
        if operation is None:
            raise LookupError(f"{rule.endpoint} ({rule.rule}) has no @documented API description")
        path, parameters = _path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule.endpoint, method, operation, parameters, schemas
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "courseforge editor API",
            "version": "1",
            "description": (
                "The course editor's JSON API. Scripts send Authorization: Bearer TOKEN; the "
                "editor's pages use the session cookie and send the page's CSRF token in the "
                "X-CSRFToken header on every write. Errors are application/problem+json."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token (courseforge users)."},
                "session": {"type": "apiKey", "in": "cookie", "name": "courseforge_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            },
        },
    }


def _add_schema(schemas: dict[str, Any], model: type[BaseModel]) -> dict[str, str]:
    """Put ``model``'s JSON Schema (and the models it uses) in the components; its ``$ref``."""
    schema = model.model_json_schema(ref_template=_SCHEMA_REF)
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    if schemas.get(model.__name__, schema) != schema:
        raise LookupError(f"two request models are named {model.__name__}")
    schemas[model.__name__] = schema
    return {"$ref": _SCHEMA_REF.format(model=model.__name__)}


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """A Flask rule as an OpenAPI path and its path parameters."""
    parameters: list[dict[str, Any]] = []

    def parameter(match: re.Match[str]) -> str:
        name = match["name"]
        if match["converter"] == "int":
            schema: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
        else:
            schema = {"type": "string", "minLength": 1}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return _PARAMETER.sub(parameter, rule), parameters


def _operation(
    endpoint: str, method: str, operation: Operation, path_parameters: list[dict[str, Any]], schemas: dict[str, Any]
) -> dict[str, Any]:
    parameters = list(path_parameters)
    for query in operation.query:
        schema: dict[str, Any] = {"type": query.type}
        if query.type == "integer":
            schema.update(minimum=0, maximum=MAX_ID)
        parameters.append(
            {"name": query.name, "in": "query", "required": False, "description": query.description, "schema": schema}
        )
    success = {"type": "string", "format": "binary"} if operation.answers != "application/json" else {"type": "object"}
    responses: dict[str, Any] = {
        str(operation.status): {"description": operation.summary, "content": {operation.answers: {"schema": success}}}
    }
    problem = {"$ref": _SCHEMA_REF.format(model=ProblemDetails.__name__)}
    for status in error_statuses(operation):
        responses[str(status)] = {"description": "A problem", "content": {PROBLEM_JSON: {"schema": problem}}}
    described: dict[str, Any] = {
        "operationId": f"{endpoint}.{method.lower()}",
        "summary": operation.summary,
        "parameters": parameters,
        "responses": responses,
        "security": _security(method, operation),
    }
    if operation.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _add_schema(schemas, operation.body)}},
        }
    elif operation.upload:
        described["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": _form_schema(operation.upload, operation.form)}},
        }
    return described


def _form_schema(upload: str, form: type[BaseModel] | None) -> dict[str, Any]:
    """A multipart body: the file field and, with ``form``, that model's (flat) fields."""
    schema: dict[str, Any] = {"type": "object", "required": [upload], "properties": {}}
    if form is not None:
        fields = form.model_json_schema()
        schema["properties"].update(fields.get("properties", {}))
        schema["required"] += fields.get("required", [])
    schema["properties"][upload] = {"type": "string", "format": "binary"}
    return schema


def _security(method: str, operation: Operation) -> list[dict[str, list[str]]]:
    """A bearer token, or the session cookie (with the CSRF header on writes)."""
    if operation.access == "public":
        return []
    session: dict[str, list[str]] = {"session": []} if method in SAFE_METHODS else {"session": [], "csrf": []}
    return [{"bearer": []}, session]
