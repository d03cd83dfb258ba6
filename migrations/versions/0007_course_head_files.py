"""The head revision's file map and its document's SHA-256 on the course row, so a text save is
one statement on that row. Existing courses are filled in from their head revisions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Columns added and dropped in place (SQLite 3.35+ too): recreating the table would drop the
    # old one, and its revisions with it (ON DELETE CASCADE).
    op.add_column("courses", sa.Column("head_files", sa.Text(), nullable=False, server_default="{}"))
    op.add_column("courses", sa.Column("head_document_sha256", sa.String(64), nullable=False, server_default=""))
    connection = op.get_bind()
    heads = connection.execute(
        sa.text(
            "SELECT c.id, r.document, r.files FROM courses c "
            "JOIN revisions r ON r.course_id = c.id AND r.number = c.head"
        )
    )
    for course_id, document, files in heads:
        connection.execute(
            sa.text("UPDATE courses SET head_files = :files, head_document_sha256 = :sha256 WHERE id = :id"),
            {"files": files, "sha256": hashlib.sha256(document.encode("utf-8")).hexdigest(), "id": course_id},
        )


def downgrade() -> None:
    op.drop_column("courses", "head_document_sha256")
    op.drop_column("courses", "head_files")
