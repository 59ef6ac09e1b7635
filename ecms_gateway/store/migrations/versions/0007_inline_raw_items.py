"""Small received items kept in their inbox_item row (``raw``) instead of the file store.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ecms_gateway.errors import DowngradeRefused

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbox_item", sa.Column("raw", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # Rows whose bytes are only inline would lose them: refuse rather than drop received items.
    bind = op.get_bind()
    inline = bind.execute(sa.text("SELECT count(*) FROM inbox_item WHERE raw IS NOT NULL")).scalar_one()
    if inline:
        raise DowngradeRefused(
            f"{inline} received item(s) are stored only in inbox_item.raw; downgrading below 0007 would "
            "lose them. Copy them to the file store first (their SHA-256 is raw_sha256)."
        )
    with op.batch_alter_table("inbox_item") as batch:
        batch.drop_column("raw")
