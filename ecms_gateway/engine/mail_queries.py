"""Reading the mail-letter queue for the clerk's faces: records in chosen states (the REST API's
``?state=`` and the web list) and the number still waiting (the web menu's badge)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from ecms_gateway.engine.context import Context
from ecms_gateway.engine.mail_letters import OPEN_STATES, view_of_row
from ecms_gateway.engine.mail_values import MailLetterState, MailLetterView
from ecms_gateway.store.tables import MAIL_LETTER


def records(
    ctx: Context, *, states: Collection[MailLetterState], newest_first: bool, limit: int
) -> list[MailLetterView]:
    """Records in ``states`` (every state when empty), by when they were kept, at most ``limit``."""
    query = select(MAIL_LETTER)
    if states:
        query = query.where(MAIL_LETTER.c.state.in_([s.value for s in states]))
    order = MAIL_LETTER.c.id.desc() if newest_first else MAIL_LETTER.c.id
    with ctx.db.read() as conn:
        rows = conn.execute(query.order_by(order).limit(limit)).mappings().all()
        return [view_of_row(conn, row) for row in rows]


def count_open(ctx: Context) -> int:
    """How many records wait for a clerk (pending, or a confirmation in progress)."""
    with ctx.db.read() as conn:
        found = conn.execute(
            select(func.count())
            .select_from(MAIL_LETTER)
            .where(MAIL_LETTER.c.state.in_([s.value for s in OPEN_STATES]))
        ).scalar_one()
    return int(found)
