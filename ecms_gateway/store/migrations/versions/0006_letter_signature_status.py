"""How each received letter's sender was established (verified signature, unsigned but accepted by
the partner's policy, a person's mailed letter); letters received before this are marked legacy.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ecms_gateway.store.downgrade_guard import count, keep_or_restore, refuse_losing

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("letter", sa.Column("signature_status", sa.String(length=32), nullable=True))
    # Before this revision only the audit actor said "[UNSIGNED: accepted by policy]": the inbound
    # letters already kept cannot be classified reliably, so they say so.
    op.execute(sa.text("UPDATE letter SET signature_status = 'legacy' WHERE direction = 'in'"))


def downgrade() -> None:
    # How a sender was established is evidence; 'legacy' is what upgrading writes again, so only the
    # other marks refuse.
    bind = op.get_bind()
    refuse_losing(
        "0006",
        [
            (
                count(bind, "letter", "signature_status IS NOT NULL AND signature_status <> 'legacy'"),
                "received letter(s)' record of how the sender was established (letter.signature_status)",
            )
        ],
        advice=keep_or_restore("0006"),
    )
    with op.batch_alter_table("letter") as batch:
        batch.drop_column("signature_status")
