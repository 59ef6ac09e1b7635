"""The REST API's idempotency keys: a retried submission with the same key returns the same letter.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ecms_gateway.store.downgrade_guard import count, keep_or_restore, refuse_losing

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"]),
        sa.PrimaryKeyConstraint("principal", "key"),
    )


def downgrade() -> None:
    # Without its key a client's retried submission would be taken as a new letter and sent twice.
    bind = op.get_bind()
    refuse_losing(
        "0005",
        [(count(bind, "idempotency_key"), "idempotency key(s) of API submissions (idempotency_key)")],
        advice=keep_or_restore("0005"),
    )
    op.drop_table("idempotency_key")
