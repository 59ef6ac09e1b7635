"""The sent-message archive: every letter, notifier and withdrawal we send, byte for byte as it was
handed to the channel, written before the first try (``sent_item``, never updated), and the node's or
server's answer to it (``sent_confirmation``).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ecms_gateway.errors import DowngradeRefused
from ecms_gateway.store.downgrade_guard import keep_or_restore

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("run_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("mail_envelope", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"]),
        sa.ForeignKeyConstraint(["work_id"], ["work_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("work_id", "run_started_at", name="uq_sent_item_run"),
    )
    op.create_index("ix_sent_item_letter_id", "sent_item", ["letter_id"], unique=False)
    op.create_table(
        "sent_confirmation",
        sa.Column("sent_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["sent_id"], ["sent_item.id"]),
        sa.PrimaryKeyConstraint("sent_id"),
    )


def downgrade() -> None:
    # The archive is the only copy of what was sent: refuse rather than drop it.
    bind = op.get_bind()
    kept = bind.execute(sa.text("SELECT count(*) FROM sent_item")).scalar_one()
    if kept:
        raise DowngradeRefused(
            f"{kept} sent message(s) are archived in sent_item (some only there); downgrading below 0008 "
            f"would lose them. {keep_or_restore('0008')} Before restoring, export the evidence of the "
            "letters sent since (`ecms-gateway audit export ID`)."
        )
    op.drop_table("sent_confirmation")
    op.drop_index("ix_sent_item_letter_id", table_name="sent_item")
    op.drop_table("sent_item")
