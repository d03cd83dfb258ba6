"""Small files saves write (a text block's Markdown) kept in the database, committed with the
revision that names them, instead of a file synced on its own before each save. Existing blobs
stay where they are: the table starts empty and the blob store reads both.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    """Refused while the table holds blobs: revisions name them, and no other copy exists."""
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM text_blobs")).scalar_one()
    if held:
        raise RuntimeError(f"text_blobs holds {held} blobs that revisions name and no file holds; not dropped")
    op.drop_table("text_blobs")
