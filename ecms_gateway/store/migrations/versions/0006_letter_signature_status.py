"""How each received letter's sender was established (verified signature, unsigned but accepted by
the partner's policy, a person's mailed letter); letters received before this are marked legacy.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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
    with op.batch_alter_table("letter") as batch:
        batch.drop_column("signature_status")
