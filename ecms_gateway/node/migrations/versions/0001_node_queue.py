"""The node's first schema: each organisation's inbound queue and the receipts of outbound requests.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "node_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=10), nullable=False),
        sa.Column("item_kind", sa.String(length=32), nullable=False),
        sa.Column("book_no", sa.String(length=200), nullable=False),
        sa.Column("book_key", sa.String(length=200), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("sender_dept", sa.String(length=5), nullable=False),
        sa.Column("receiver_dept", sa.String(length=5), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        _when("created_at", nullable=False),
        _when("fetched_at"),
        _when("withdrawn_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("process_id"),
    )
    op.create_index("ix_node_inbound_head", "node_inbound", ["org_id", "state", "id"])
    op.create_index("ix_node_inbound_key", "node_inbound", ["book_key", "letter_date"])

    op.create_table(
        "node_outbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("sender_dept", sa.String(length=5), nullable=False),
        sa.Column("item_kind", sa.String(length=64), nullable=False),
        sa.Column("book_no", sa.String(length=200), nullable=False),
        sa.Column("book_key", sa.String(length=200), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("receiver_dept", sa.String(length=5), nullable=False),
        sa.Column("route", sa.String(length=8), nullable=False),
        sa.Column("target_url", sa.String(length=500), nullable=True),
        sa.Column("envelope", sa.LargeBinary(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("created_at", nullable=False),
        _when("first_try_at"),
        _when("next_try_at"),
        _when("finished_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("process_id"),
    )
    op.create_index("ix_node_outbound_due", "node_outbound", ["state", "next_try_at"])
    op.create_index("ix_node_outbound_key", "node_outbound", ["book_key", "letter_date"])
    op.create_index("ix_node_outbound_message", "node_outbound", ["message_id"])
    op.create_index("ix_node_outbound_sender", "node_outbound", ["sender_dept", "id"])


def downgrade() -> None:
    op.drop_table("node_outbound")
    op.drop_table("node_inbound")
