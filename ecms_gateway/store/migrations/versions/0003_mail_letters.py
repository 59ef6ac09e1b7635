"""The saraban mail channel: letters people sent by mail, waiting for a clerk; Message-IDs of mailed letters.

Revision ID: 0003
Revises: 0002

``mail_letter`` / ``mail_letter_file``: one record per inbox item classified as a person's letter,
with what was read from it, its files and the clerk's decision. ``mail_sent``: the Message-ID of each
mailed letter, so that a bounce finds its letter by index. Letters mailed before this revision are
filled in from the audit chain (the send's note ``mailed Message-ID <...>``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from ecms_gateway.store.downgrade_guard import count, keep_or_restore, refuse_losing

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_MAILED = re.compile(r"mailed Message-ID (<[^>\s]+>)")


def upgrade() -> None:
    op.create_table(
        "mail_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbox_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("from_name", sa.Text(), nullable=True),
        sa.Column("mail_subject", sa.Text(), nullable=False),
        sa.Column("mail_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("book_no", sa.String(length=200), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("sender_org", sa.String(length=10), nullable=True),
        sa.Column("receiver_org", sa.String(length=10), nullable=True),
        sa.Column("speed", sa.String(length=16), nullable=True),
        sa.Column("secrecy", sa.String(length=16), nullable=True),
        sa.Column("not_found", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("forwarded", sa.Boolean(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("acted_by", sa.String(length=200), nullable=True),
        sa.Column("acted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["inbox_id"], ["inbox_item.id"]),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inbox_id", name="uq_mail_letter_inbox"),
    )
    op.create_index("ix_mail_letter_state", "mail_letter", ["state"], unique=False)
    op.create_index("ix_mail_letter_letter_id", "mail_letter", ["letter_id"], unique=False)
    op.create_table(
        "mail_letter_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_letter_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["mail_letter_id"], ["mail_letter.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mail_letter_id", "position", name="uq_mail_letter_file_position"),
    )
    mail_sent = op.create_table(
        "mail_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id", "letter_id", name="uq_mail_sent_letter"),
    )
    op.create_index("ix_mail_sent_message_id", "mail_sent", ["message_id"], unique=False)
    _fill_mail_sent(mail_sent)


def _fill_mail_sent(mail_sent: sa.Table) -> None:
    """Letters mailed before this revision: their Message-ID is in the audit note of their sending."""
    conn = op.get_bind()
    audit = sa.table(
        "audit_entry",
        sa.column("seq", sa.Integer()),
        sa.column("letter_id", sa.Integer()),
        sa.column("reason", sa.Text()),
    )
    letter = sa.table("letter", sa.column("id", sa.Integer()))
    rows = conn.execute(
        sa.select(audit.c.letter_id, audit.c.reason)
        .join(letter, letter.c.id == audit.c.letter_id)
        .where(audit.c.reason.like("%mailed Message-ID <%"))
        .order_by(audit.c.seq)
    )
    seen: set[tuple[str, int]] = set()
    now = datetime.now(UTC)
    found = []
    for letter_id, reason in rows:
        match = _MAILED.search(reason or "")
        if match is None or (match[1], letter_id) in seen:
            continue
        seen.add((match[1], letter_id))
        found.append({"message_id": match[1], "letter_id": letter_id, "recorded_at": now})
    if found:
        op.bulk_insert(mail_sent, found)


def downgrade() -> None:
    # Mailed letters and the clerk's decisions on them are kept nowhere else (their files hang off
    # mail_letter); mail_sent finds a bounce's letter, and upgrading refills it only for letters whose
    # audit entry names the Message-ID.
    bind = op.get_bind()
    refuse_losing(
        "0003",
        [
            (
                count(bind, "mail_letter"),
                "letter(s) people sent by mail, with the clerk's decisions (mail_letter)",
            ),
            (count(bind, "mail_sent"), "Message-ID(s) of mailed letters (mail_sent)"),
        ],
        advice=keep_or_restore("0003"),
    )
    op.drop_index("ix_mail_sent_message_id", table_name="mail_sent")
    op.drop_table("mail_sent")
    op.drop_table("mail_letter_file")
    op.drop_index("ix_mail_letter_letter_id", table_name="mail_letter")
    op.drop_index("ix_mail_letter_state", table_name="mail_letter")
    op.drop_table("mail_letter")
