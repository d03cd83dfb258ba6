"""Review links (a token's SHA-256, the revision it shows, its expiry), the comments made through
them or by editors, pinned to a block, question or video second by stable id, their replies,
and the writes counted per link and address for the rate limit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("course_id", sa.Integer(), sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_review_links_course_id", "review_links", ["course_id"])
    op.create_table(
        "review_comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("course_id", sa.Integer(), sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.String(64), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=True),
        sa.Column("video_second", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), sa.ForeignKey("review_links.id", ondelete="SET NULL"), nullable=True),
        sa.Column("author_name", sa.String(80), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    op.create_index("ix_review_comments_course_id_revision", "review_comments", ["course_id", "revision"])
    op.create_table(
        "review_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("comment_id", sa.Integer(), sa.ForeignKey("review_comments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("link_id", sa.Integer(), sa.ForeignKey("review_links.id", ondelete="SET NULL"), nullable=True),
        sa.Column("author_name", sa.String(80), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_review_replies_comment_id", "review_replies", ["comment_id"])
    op.create_table(
        "review_writes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("link_id", sa.Integer(), sa.ForeignKey("review_links.id", ondelete="CASCADE"), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_review_writes_link_id_address_at", "review_writes", ["link_id", "address", "at"])


def downgrade() -> None:
    op.drop_index("ix_review_writes_link_id_address_at", table_name="review_writes")
    op.drop_table("review_writes")
    op.drop_index("ix_review_replies_comment_id", table_name="review_replies")
    op.drop_table("review_replies")
    op.drop_index("ix_review_comments_course_id_revision", table_name="review_comments")
    op.drop_table("review_comments")
    op.drop_index("ix_review_links_course_id", table_name="review_links")
    op.drop_table("review_links")
