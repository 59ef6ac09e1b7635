"""Queue items' bytes in a table of their own, so that marking an item fetched does not rewrite them.

Revision ID: 0002
Revises: 0001
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
        "node_payload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO node_payload (id, payload) SELECT id, payload FROM node_inbound")
    with op.batch_alter_table("node_inbound") as batch:
        batch.drop_column("payload")


def downgrade() -> None:
    with op.batch_alter_table("node_inbound") as batch:
        batch.add_column(sa.Column("payload", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE node_inbound SET payload = "
        "(SELECT p.payload FROM node_payload p WHERE p.id = node_inbound.id)"
    )
    with op.batch_alter_table("node_inbound") as batch:
        batch.alter_column("payload", existing_type=sa.LargeBinary(), nullable=False)
    op.drop_table("node_payload")
