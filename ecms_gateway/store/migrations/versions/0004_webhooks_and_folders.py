"""Webhooks and watched folders: subscriptions with their cursor over the audit chain, their delivery
log, where letters came from (outbox folder pickups) and named event cursors (inbox folder export).

Revision ID: 0004
Revises: 0003 (re-chained after merging main)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ecms_gateway.store.downgrade_guard import count, keep_or_restore, refuse_losing

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("events", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("cursor_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscription.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_webhook_delivery_subscription_id", "webhook_delivery", ["subscription_id"], unique=False
    )
    op.create_table(
        "letter_origin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "key", name="uq_letter_origin"),
    )
    op.create_index("ix_letter_origin_letter_id", "letter_origin", ["letter_id"], unique=False)
    op.create_table(
        "event_cursor",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    # A webhook's deliveries belong to it (none without webhooks); where a folder's letters came from
    # and how far the inbox folder export got are kept nowhere else.
    bind = op.get_bind()
    webhooks = count(bind, "webhook_subscription")
    advice = keep_or_restore("0004")
    if webhooks:
        advice = (
            "Webhooks no longer wanted go with `ecms-gateway webhooks remove ID` (their deliveries "
            f"too). {advice}"
        )
    refuse_losing(
        "0004",
        [
            (webhooks, "webhook(s) (webhook_subscription)"),
            (count(bind, "letter_origin"), "record(s) of the folder file a letter came from (letter_origin)"),
            (count(bind, "event_cursor"), "folder export position(s) (event_cursor)"),
        ],
        advice=advice,
    )
    op.drop_table("event_cursor")
    op.drop_index("ix_letter_origin_letter_id", table_name="letter_origin")
    op.drop_table("letter_origin")
    op.drop_index("ix_webhook_delivery_subscription_id", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_subscription")
