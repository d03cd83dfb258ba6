"""The packages built in the editor: one row per build of a course revision, with its progress
while it runs, and the zip's blob and size, or its problems, when it ends.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "builds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("course_id", sa.Integer(), sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(200), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("blob_sha256", sa.String(64), nullable=True),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_builds_course_id", "builds", ["course_id"])


def downgrade() -> None:
    op.drop_index("ix_builds_course_id", table_name="builds")
    op.drop_table("builds")
