"""What each JSON API view takes and answers, declared next to the view by ``@documented``.

The OpenAPI document (``authoring.openapi``) is built from these declarations, from the URL rules
Flask routes by, and from the pydantic models that parse the request bodies, so the document
cannot describe a path, a parameter or a body the code does not have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field

from authoring.problems import ApiProblem

MAX_ID = 2**31 - 1  # the largest value an INTEGER column holds on both SQLite and PostgreSQL
Number = Annotated[int, Field(ge=0, le=MAX_ID)]
"""A revision or course number in a request body: out-of-range numbers are refused as 422."""

F = TypeVar("F", bound=Callable[..., Any])
Access = Literal["public", "read", "write"]


@dataclass(frozen=True)
class QueryParameter:
    name: str
    description: str
    type: Literal["string", "integer"] = "string"


@dataclass(frozen=True)
class Operation:
    """One API call: ``body`` is the model its JSON body is parsed with, ``upload`` a multipart
    file field (with ``form`` the model of the form's other fields); ``answers`` the media type
    of the success response; ``errors`` every status a problem+json response can have."""

    summary: str
    access: Access = "read"
    status: int = 200
    body: type[BaseModel] | None = None
    upload: str = ""
    form: type[BaseModel] | None = None
    query: tuple[QueryParameter, ...] = ()
    answers: str = "application/json"
    errors: tuple[int, ...] = ()


COMMON_ERRORS = (400, 401, 404)  # a malformed Authorization header or CSRF token; no account; no course


def documented(summary: str, **details: Any) -> Callable[[F], F]:
    """Attach the API description of a view, read by ``authoring.openapi``."""
    operation = Operation(summary, **details)

    def attach(view: F) -> F:
        view.__dict__["openapi"] = operation
        return view

    return attach


def operation_of(view: Callable[..., Any]) -> Operation | None:
    found = getattr(view, "openapi", None)
    return found if isinstance(found, Operation) else None


def error_statuses(operation: Operation) -> list[int]:
    """The problem+json statuses an operation can answer with, from what it does."""
    statuses = set(COMMON_ERRORS) | set(operation.errors)
    if operation.access == "public":  # no account needed; a 404 only where the operation names one
        statuses -= {401, 404} - set(operation.errors)
    if operation.access == "write":
        statuses.add(403)
    if operation.body is not None:
        statuses |= {409, 415, 422}
    if operation.upload:
        statuses |= {413, 415, 422}
    if operation.form is not None:
        statuses.add(409)
    if any(parameter.type == "integer" for parameter in operation.query):
        statuses.add(422)
    return sorted(statuses)


def query_number(args: Any, name: str) -> int | None:
    """The whole-number query parameter ``name`` (None when absent), or a 422 naming it: an
    out-of-range number would otherwise reach the database and fail there."""
    text = args.get(name)
    if text is None or text == "":
        return None
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        raise ApiProblem(422, f"{name}: must be a whole number from 0 to {MAX_ID}, not {text[:40]!r}", name)
    return int(text)
