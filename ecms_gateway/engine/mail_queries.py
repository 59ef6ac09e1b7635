"""Reading the mail-letter queue for the clerk's faces: records in chosen states (the REST API's
``?state=`` and the web list) and the number still waiting (the web menu's badge); and the
Message-ID one of our letters was mailed under (what a later message about it replies to)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from ecms_gateway.engine.context import Context
from ecms_gateway.engine.mail_letters import OPEN_STATES, view_of_row
from ecms_gateway.engine.mail_values import MailLetterState, MailLetterView
from ecms_gateway.engine.states import Direction
from ecms_gateway.store.tables import LETTER, MAIL_LETTER, MAIL_SENT


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


def message_id_of_letter(ctx: Context, letter_id: int) -> str | None:
    """The Message-ID our letter ``letter_id`` was last mailed under, or None when it was not mailed
    (or is a letter we received: its rows are the notifiers we mailed about it)."""
    with ctx.db.read() as conn:
        found = conn.execute(
            select(MAIL_SENT.c.message_id)
            .join(LETTER, LETTER.c.id == MAIL_SENT.c.letter_id)
            .where(MAIL_SENT.c.letter_id == letter_id, LETTER.c.direction == Direction.OUT.value)
            .order_by(MAIL_SENT.c.id.desc())
            .limit(1)
        ).scalar()
    return None if found is None else str(found)
