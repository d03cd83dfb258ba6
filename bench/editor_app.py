"""The editor as gunicorn serves it for ``bench.editor``: ``create_app`` exactly as shipped, plus
one route the benchmark measures saves against.

``PUT /bench/bare-write/<key>`` takes the same JSON body as a block save and stores it with one
bare SQLAlchemy statement (an upsert) on the editor's own engine and request session, behind
the same token check. Served by the same workers, threads and connection pool, it is the floor a
save cannot go under on this server: the difference between the two is what the save itself
does (reading revisions, merging, validating the course, writing the revision and search text).

Run as ``gunicorn 'bench.editor_app:create_bench_app()'`` with the ``COURSEFORGE_*`` settings in
the environment. The table is the bench's own, made here, never by the editor's migrations.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, request
from sqlalchemy import Column, Engine, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from authoring import create_app
from authoring.context import EXTENSION, db, editor, signed_in
from authoring.problems import ApiProblem
from settings import Settings

KEY_MAX = 64
bench_tables = MetaData()
bare_writes = Table(
    "bench_bare_writes",
    bench_tables,
    Column("key", String(KEY_MAX), primary_key=True),
    Column("body", Text, nullable=False),
)
blueprint = Blueprint("bench", __name__, url_prefix="/bench")


def create_bench_app(settings: Settings | None = None) -> Flask:
    """The shipped editor for ``settings`` (default: from the environment) with the bare-write
    route added and its table made if missing."""
    app = create_app(settings or Settings())
    make_table(app.extensions[EXTENSION].database.engine)
    app.register_blueprint(blueprint)
    return app


def make_table(engine: Engine) -> None:
    bench_tables.create_all(engine, checkfirst=True)


@blueprint.put("/bare-write/<key>")
def bare_write(key: str) -> Any:
    """The request body, checked to be a JSON object, upserted under ``key`` in one statement."""
    signed_in()  # the same token (or session and CSRF) check as every editor call, in before_request
    if len(key) > KEY_MAX:
        raise ApiProblem(422, f"key: is {len(key)} characters long; at most {KEY_MAX}", "key")
    if not isinstance(request.get_json(silent=True), dict):
        raise ApiProblem(422, "body: send a JSON object, as a block save does", "body")
    body = request.get_data(as_text=True)
    insert = postgresql_insert if editor().database.dialect == "postgresql" else sqlite_insert
    statement = insert(bare_writes).values(key=key, body=body)
    db().execute(statement.on_conflict_do_update(index_elements=[bare_writes.c.key], set_={"body": body}))
    db().commit()
    return {"saved": True, "key": key}
