"""Access (users, API keys, web sessions) and the letter columns lists and registry books need.

Revision ID: 0002
Revises: 0001

``letter.speed`` and ``letter.secrecy`` are copied out of ``letter_json`` for existing rows;
``letter.registered_at`` is taken from the audit entry that registered the letter.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from ecms_gateway.store.downgrade_guard import count, keep_or_restore, refuse_losing

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("letter", sa.Column("speed", sa.String(length=16), nullable=False, server_default="normal"))
    op.add_column(
        "letter", sa.Column("secrecy", sa.String(length=16), nullable=False, server_default="normal")
    )
    op.add_column("letter", sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True))
    _backfill()
    with op.batch_alter_table("letter") as batch:  # the defaults only served the existing rows
        batch.alter_column("speed", server_default=None)
        batch.alter_column("secrecy", server_default=None)
    op.create_index("ix_letter_speed", "letter", ["speed"])

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("prefix"),
    )
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remote", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index("ix_web_session_user_id", "web_session", ["user_id"])


def _backfill() -> None:
    conn = op.get_bind()
    letter = sa.table(
        "letter",
        sa.column("id", sa.Integer),
        sa.column("letter_json", sa.Text),
        sa.column("speed", sa.String),
        sa.column("secrecy", sa.String),
        sa.column("registered_at", sa.DateTime(timezone=True)),
    )
    audit = sa.table(
        "audit_entry",
        sa.column("letter_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    for row in conn.execute(sa.select(letter.c.id, letter.c.letter_json)).all():
        data = json.loads(row.letter_json)
        conn.execute(
            letter.update()
            .where(letter.c.id == row.id)
            .values(speed=data.get("speed", "normal"), secrecy=data.get("secrecy", "normal"))
        )
    registered = (
        sa.select(sa.func.min(audit.c.at))
        .where(audit.c.letter_id == letter.c.id, audit.c.action == "letter.register")
        .scalar_subquery()
    )
    conn.execute(letter.update().values(registered_at=registered))


def downgrade() -> None:
    # People and API keys are set up by hand and named by the audit chain: refuse rather than drop
    # them. Web sessions belong to a user (none without users); letter.speed, secrecy and
    # registered_at are copies of letter_json and of the audit chain, which upgrading fills in again.
    bind = op.get_bind()
    refuse_losing(
        "0002",
        [
            (count(bind, "user_account"), "user(s) of the web pages (user_account)"),
            (count(bind, "api_key"), "API key(s) (api_key)"),
        ],
        advice=keep_or_restore("0002"),
    )
    op.drop_index("ix_web_session_user_id", table_name="web_session")
    op.drop_table("web_session")
    op.drop_table("api_key")
    op.drop_table("user_account")
    op.drop_index("ix_letter_speed", table_name="letter")
    with op.batch_alter_table("letter") as batch:
        batch.drop_column("registered_at")
        batch.drop_column("secrecy")
        batch.drop_column("speed")
