"""Initial schema: letters, files, inbox, work queue, notifiers, refusals, registry counters, audit.

Revision ID: 0001
Revises: (none)

The whole schema of the first release; ``audit_head`` starts with the genesis row (seq 0, hash 0…0).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ecms_gateway.store.downgrade_guard import count, refuse_losing

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("work_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_audit_entry_letter_id", "audit_entry", ["letter_id"], unique=False)

    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(audit_head, [{"id": 1, "last_seq": 0, "last_hash": "0" * 64}])
    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "process_id", name="uq_inbox_process"),
    )
    op.create_table(
        "registry_counter",
        sa.Column("org", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_no", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("org", "kind", "year"),
    )
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sender_org", sa.String(length=10), nullable=False),
        sa.Column("sender_dept", sa.String(length=5), nullable=False),
        sa.Column("receiver_org", sa.String(length=10), nullable=False),
        sa.Column("book_no", sa.String(length=200), nullable=False),
        sa.Column("book_key", sa.String(length=200), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("letter_json", sa.Text(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("registry_org", sa.String(length=10), nullable=True),
        sa.Column("registry_year", sa.Integer(), nullable=True),
        sa.Column("registry_no", sa.Integer(), nullable=True),
        sa.Column("accept_id", sa.String(length=100), nullable=True),
        sa.Column("inbox_id", sa.Integer(), nullable=True),
        sa.Column("resend_of", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbox_id"],
            ["inbox_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["resend_of"],
            ["letter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "direction", "registry_org", "registry_year", "registry_no", name="uq_letter_registry"
        ),
    )
    op.create_index("ix_letter_key", "letter", ["sender_dept", "book_key", "letter_date"], unique=False)
    op.create_index(
        "uq_letter_inbound_content",
        "letter",
        ["sender_dept", "book_key", "letter_date", "content_digest"],
        unique=True,
        sqlite_where=sa.text("direction = 'in'"),
        postgresql_where=sa.text("direction = 'in'"),
    )
    op.create_index(
        "uq_letter_outbound_live",
        "letter",
        ["sender_dept", "book_key", "letter_date"],
        unique=True,
        sqlite_where=sa.text("direction = 'out' AND state <> 'withdrawn'"),
        postgresql_where=sa.text("direction = 'out' AND state <> 'withdrawn'"),
    )

    op.create_table(
        "letter_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("letter_id", "position", name="uq_letter_file_position"),
    )
    op.create_table(
        "notifier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sender_dept", sa.String(length=5), nullable=False),
        sa.Column("book_no", sa.String(length=200), nullable=False),
        sa.Column("book_key", sa.String(length=200), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("accept_id", sa.String(length=100), nullable=True),
        sa.Column("inbox_id", sa.Integer(), nullable=True),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbox_id"],
            ["inbox_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notifier_letter_id", "notifier", ["letter_id"], unique=False)

    op.create_table(
        "work_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("inbox_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_try_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["inbox_id"],
            ["inbox_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_claim", "work_item", ["channel", "state", "next_try_at"], unique=False)
    op.create_index("ix_work_item_letter_id", "work_item", ["letter_id"], unique=False)

    op.create_table(
        "attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attempt_work_id", "attempt", ["work_id"], unique=False)

    op.create_table(
        "refused_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("notifier_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
        ),
        sa.ForeignKeyConstraint(
            ["notifier_id"],
            ["notifier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_refused_event_letter_id", "refused_event", ["letter_id"], unique=False)


_TABLES = (
    "audit_entry",
    "inbox_item",
    "registry_counter",
    "letter",
    "letter_file",
    "notifier",
    "work_item",
    "attempt",
    "refused_event",
)
"""Every table but ``audit_head``, whose one row is the chain's genesis (or its end, which
``audit_entry`` then holds too)."""


def downgrade() -> None:
    # Down to no schema at all: only a database that never held anything (`ecms-gateway db downgrade`
    # refuses `base` before this; the guard is for Alembic run by hand).
    bind = op.get_bind()
    refuse_losing(
        "0001",
        [(count(bind, table), f"row(s) of {table}") for table in _TABLES],
        advice="To start afresh, give the gateway a new, empty database instead.",
    )
    op.drop_index("ix_refused_event_letter_id", table_name="refused_event")

    op.drop_table("refused_event")
    op.drop_index("ix_attempt_work_id", table_name="attempt")

    op.drop_table("attempt")
    op.drop_index("ix_work_item_letter_id", table_name="work_item")
    op.drop_index("ix_work_claim", table_name="work_item")

    op.drop_table("work_item")
    op.drop_index("ix_notifier_letter_id", table_name="notifier")

    op.drop_table("notifier")
    op.drop_table("letter_file")
    op.drop_index("uq_letter_outbound_live", table_name="letter")
    op.drop_index("uq_letter_inbound_content", table_name="letter")
    op.drop_index("ix_letter_key", table_name="letter")

    op.drop_table("letter")
    op.drop_table("registry_counter")
    op.drop_table("inbox_item")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_entry_letter_id", table_name="audit_entry")

    op.drop_table("audit_entry")
