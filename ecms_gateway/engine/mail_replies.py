"""A person's answer by mail to one of our mailed letters, kept on that letter as an audit entry
(``mail.reply``): who answered, when, their words and a receive number they gave. It never changes
the letter's state (a person's words are not a notifier) and is not a letter event for webhooks
(those follow ``letter.*`` entries only).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select

from ecms_gateway.engine import audit
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.values import HistoryEntry
from ecms_gateway.store.tables import AUDIT

MAIL_REPLY: Final = "mail.reply"
"""The audit action of a person's reply by mail, on the letter it answers."""


@dataclass(frozen=True, kw_only=True)
class MailReply:
    """What a person answered by mail (their words bounded, quoted history cut by the classifier)."""

    inbox_id: int  # the stored mail: the whole message stays there
    message_id: str | None
    from_address: str
    from_name: str | None
    mail_date: datetime | None  # the Date header: when they wrote
    subject: str
    text: str
    receive_no: str | None  # a receive number their words give (not checked: for the clerk)

    @property
    def who(self) -> str:
        return f"{self.from_name} <{self.from_address}>" if self.from_name else self.from_address


def record(ctx: Context, letter_id: int, reply: MailReply, *, actor: str) -> bool:
    """Note ``reply`` on letter ``letter_id``; False when this inbox item was noted already."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        noted = conn.execute(
            select(AUDIT.c.detail).where(AUDIT.c.letter_id == letter_id, AUDIT.c.action == MAIL_REPLY)
        ).scalars()
        if any(_inbox_of(detail) == reply.inbox_id for detail in noted):
            return False
        number = f"; receive number {reply.receive_no}" if reply.receive_no else ""
        audit.append(
            conn,
            at=now,
            actor=actor,
            action=MAIL_REPLY,
            letter_id=letter_id,
            reason=f"reply by mail from {reply.who}{number}",
            detail={**asdict(reply), "mail_date": reply.mail_date.isoformat() if reply.mail_date else None},
        )
    return True


def replies_in(history: Iterable[HistoryEntry]) -> list[tuple[HistoryEntry, MailReply]]:
    """The replies noted in a letter's history, oldest first, with their entries."""
    found = []
    for entry in history:
        if entry.action != MAIL_REPLY:
            continue
        try:
            found.append((entry, _reply(json.loads(entry.detail))))
        except (ValueError, TypeError, KeyError):
            continue
    return found


def _reply(data: dict[str, object]) -> MailReply:
    when = data.get("mail_date")
    return MailReply(
        inbox_id=int(str(data["inbox_id"])),
        message_id=_text_or_none(data.get("message_id")),
        from_address=str(data["from_address"]),
        from_name=_text_or_none(data.get("from_name")),
        mail_date=datetime.fromisoformat(when) if isinstance(when, str) else None,
        subject=str(data.get("subject") or ""),
        text=str(data.get("text") or ""),
        receive_no=_text_or_none(data.get("receive_no")),
    )


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _inbox_of(detail: str) -> object:
    try:
        return json.loads(detail).get("inbox_id")
    except (ValueError, AttributeError):
        return None
