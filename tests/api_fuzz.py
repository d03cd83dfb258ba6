"""schemathesis over the editor's JSON API, in process: every operation the filter keeps is called
with generated requests, and must answer no server error and only what its OpenAPI description
says (status codes, content types, response schemas). Failures of every operation are gathered,
so one run reports them all."""
from __future__ import annotations

from collections.abc import Callable


def fuzz(app, headers: dict[str, str], keep: Callable[[str], bool] = lambda _path: True,
         examples: int = 25) -> tuple[int, dict[str, str]]:
    """(operations run, operation label -> what failed) for the operations whose path ``keep``
    accepts, each with ``examples`` generated requests sent with ``headers``."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not keep(operation.path):
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        except Exception as error:  # noqa: BLE001 - every operation's failure is reported together
            failures[operation.label] = str(error)[:3000]
    return operations, failures


def report(failures: dict[str, str]) -> str:
    return "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
