"""A notifier we mailed that bounced: the letter it was about is one we received, so its state stays
as it is, but its sender was not told (we received it, registered it, ...). Kept on that letter as an
audit entry (``mail.notifier_bounced``) for the clerk, who then tells the sender another way. Like a
reply by mail it is not a letter event for webhooks (those follow ``letter.*`` entries only).

A notifier mail is found by its Message-ID in ``mail_sent``, where ``sent.archive`` records every mailed
letter and notifier (a mailed letter's own bounce is matched there too: ``mail_letters.letter_of_message``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select

from ecms_gateway.engine import audit
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.states import Direction
from ecms_gateway.store.tables import AUDIT, LETTER, MAIL_SENT, SENT

NOTIFIER_BOUNCED: Final = "mail.notifier_bounced"
"""The audit action of a bounced notifier mail, on the (received) letter it was about."""


@dataclass(frozen=True, kw_only=True)
class MailedNotifier:
    """A notifier mail we sent: the letter it was about and which notifier (``SentWhat`` value)."""

    letter_id: int
    what: str


def notifier_of_message(ctx: Context, message_id: str) -> MailedNotifier | None:
    """The notifier we mailed under ``message_id`` about a letter we received (newest first), or None."""
    with ctx.db.read() as conn:
        row = conn.execute(
            select(MAIL_SENT.c.letter_id, SENT.c.what)
            .join(LETTER, LETTER.c.id == MAIL_SENT.c.letter_id)
            .join(SENT, (SENT.c.letter_id == MAIL_SENT.c.letter_id) & (SENT.c.message_id == message_id))
            .where(
                MAIL_SENT.c.message_id == message_id,
                LETTER.c.direction == Direction.IN.value,
                SENT.c.what.startswith("notifier:"),
            )
            .order_by(MAIL_SENT.c.letter_id.desc(), SENT.c.id.desc())
        ).first()
    return None if row is None else MailedNotifier(letter_id=int(row.letter_id), what=str(row.what))


def record(ctx: Context, notifier: MailedNotifier, *, message_id: str, reason: str, actor: str) -> bool:
    """Note the bounce on the notifier's letter; False when this message's bounce is noted already."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        noted = conn.execute(
            select(AUDIT.c.detail).where(
                AUDIT.c.letter_id == notifier.letter_id, AUDIT.c.action == NOTIFIER_BOUNCED
            )
        ).scalars()
        if any(json.loads(detail or "{}").get("message_id") == message_id for detail in noted):
            return False
        audit.append(
            conn,
            at=now,
            actor=actor,
            action=NOTIFIER_BOUNCED,
            letter_id=notifier.letter_id,
            reason=reason,
            detail={"what": notifier.what, "message_id": message_id},
        )
    return True
