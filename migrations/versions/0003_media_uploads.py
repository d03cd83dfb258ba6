"""Media files uploaded into a course in chunks: how much has arrived, the course file and
revision each became, or why it was refused, and its media job's status and progress.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_uploads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("course_id", sa.Integer(), sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("base_revision", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.String(64), nullable=True),
        sa.Column("page_id", sa.String(64), nullable=True),
        sa.Column("new_block", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("path", sa.String(500), nullable=True),
        sa.Column("blob_sha256", sa.String(64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_media_uploads_course_id", "media_uploads", ["course_id"])


def downgrade() -> None:
    op.drop_index("ix_media_uploads_course_id", table_name="media_uploads")
    op.drop_table("media_uploads")
