"""A removed webhook's id is never given to another one (SQLite: ``AUTOINCREMENT``).

Without it SQLite gives a new row the highest id plus one, so removing the newest webhook and adding
another handed the new one the old id: a receiver's stored ``X-Ecms-Webhook-Id`` and an integrator's
saved ``/api/v1/webhooks/{id}`` then named a different subscription. PostgreSQL's sequence never goes
back; nothing changes there.

SQLite cannot add ``AUTOINCREMENT`` to a table, so ``webhook_subscription`` is copied into a new one.
``webhook_delivery`` refers to it (and foreign keys are enforced inside the migration's transaction),
so its rows are set aside, the table dropped and made again as 0004 made it, and the rows put back.
The counter starts above every id in use and every id the audit log says was removed.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE _webhook_delivery_0009 AS SELECT * FROM webhook_delivery")
    op.drop_index("ix_webhook_delivery_subscription_id", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    with op.batch_alter_table(
        "webhook_subscription", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass
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
    op.execute(
        "INSERT INTO webhook_delivery (id, subscription_id, event_id, event_seq, attempt, at, status, ok,"
        " error, duration_ms) SELECT id, subscription_id, event_id, event_seq, attempt, at, status, ok,"
        " error, duration_ms FROM _webhook_delivery_0009"
    )
    op.execute("DROP TABLE _webhook_delivery_0009")
    _count_from(bind, max(_removed_ids(bind), default=0))


def _removed_ids(bind: sa.Connection) -> list[int]:
    """The ids of webhooks removed before this migration, as their audit entries name them."""
    rows = bind.execute(sa.text("SELECT detail FROM audit_entry WHERE action = 'webhook.removed'"))
    found = []
    for (detail,) in rows:
        named = json.loads(detail or "{}").get("id")
        if isinstance(named, int):
            found.append(named)
    return found


def _count_from(bind: sa.Connection, removed: int) -> None:
    """Make the next id higher than ``removed`` (SQLite keeps the counter in ``sqlite_sequence``, whose
    row for the table exists once a row was inserted into it)."""
    if removed <= 0:
        return
    params = {"seq": removed}
    updated = bind.execute(
        sa.text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = 'webhook_subscription'"),
        params,
    )
    if updated.rowcount == 0:
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('webhook_subscription', :seq)"),
            params,
        )


def downgrade() -> None:
    # 0008's code reads and writes the table the same way with or without AUTOINCREMENT: nothing to undo.
    pass
