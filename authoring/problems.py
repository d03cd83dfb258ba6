"""Wrong API calls answered as RFC 9457 problem details (``application/problem+json``), built
from the same ``Problem`` shape every other part of courseforge reports, so a client can point at
the field to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any, TypeVar

from flask import Response, json
from pydantic import BaseModel, ValidationError

from courses.errors import Problem, field_path

PROBLEM_JSON = "application/problem+json"
M = TypeVar("M", bound=BaseModel)


class ApiProblem(Exception):
    """Raised anywhere in a request; the app turns it into a problem+json response.

    ``problems`` are the individual mistakes (file, line, field, message); ``extra`` adds members
    such as a conflict's two versions."""

    def __init__(
        self,
        status: int,
        detail: str,
        field: str = "",
        problems: Iterable[Problem] = (),
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.problems = list(problems)
        self.extra = extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
        }
        if self.field:
            body["field"] = self.field
        if self.problems:
            body["problems"] = [
                {"file": p.file, "line": p.line, "field": p.field, "message": p.message, "text": str(p)}
                for p in self.problems
            ]
        body.update(self.extra)
        return body

    def response(self) -> Response:
        return Response(json.dumps(self.body()), status=self.status, mimetype=PROBLEM_JSON)


def not_found(what: str) -> ApiProblem:
    return ApiProblem(404, f"{what} not found")


def request_problems(error: ValidationError, where: str = "request body") -> ApiProblem:
    """A request body that does not fit its model: one problem per wrong field."""
    problems = [
        Problem(where, None, field_path(list(detail["loc"])), detail["msg"])
        for detail in error.errors(include_url=False)
    ]
    first = problems[0]
    return ApiProblem(422, f"{first.field}: {first.message}" if first.field else first.message, first.field, problems)


def parse_body(model: type[M], data: Any) -> M:
    """``data`` (the request's JSON) as ``model``, or a 422 problem naming each wrong field."""
    if data is None:
        raise ApiProblem(415, "send a JSON object with Content-Type: application/json")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise request_problems(error) from None
