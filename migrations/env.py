"""Alembic's entry point: migrate the database the editor's settings name (or the connection
``authoring.database.upgrade`` hands over), online only."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from authoring.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from settings import Settings

    engine = create_engine(Settings().database_url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
