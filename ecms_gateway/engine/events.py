"""Letter events read back from the audit chain, for readers that follow it with a cursor (webhooks,
the inbox folder export), and where a letter came from (its ``Origin``, e.g. an outbox folder).

Why the audit chain is a safe source to follow: every state change appends its entry in the same
transaction as the change, and appenders hold the chain's head row until they commit, so entries
become visible in ``seq`` order with no gaps; a reader that remembers the last ``seq`` it handled
misses nothing and sees nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.engine import RowMapping

from ecms_gateway.engine.states import Direction, LetterState
from ecms_gateway.engine.values import HistoryEntry
from ecms_gateway.store.tables import AUDIT, AUDIT_HEAD, EVENT_CURSOR, LETTER, LETTER_ORIGIN

INTAKE_ACTIONS = frozenset({"letter.accepted", "letter.received"})  # the letter's first entry
RESENT = "letter.resent"
"""On a withdrawn letter: it was sent again as the letter its detail names (``{"as": id}``)."""
RECEIVED_AGAIN = "letter.received_again"
"""On a letter we received: the same letter came again as another item (``{"inbox_id": N}``), kept once."""
# Letter entries that leave the state as it was.
NOT_STATE_CHANGES = ("letter.refused", RESENT, RECEIVED_AGAIN)
# A worker taking a letter, giving it back for a later try or at shutdown: sending is a moment inside
# the gateway, not news for an office system (what follows, sent or failed, is).
WORKER_STEPS = ("letter.claim", "letter.retry_later", "letter.release")


@dataclass(frozen=True, kw_only=True)
class Origin:
    """Where an outbound letter came from: ``source`` (e.g. "folder") and a ``key`` unique in it."""

    source: str
    key: str


@dataclass(frozen=True, kw_only=True)
class LetterEvent:
    """A letter's audit entry that changed its state (or created it): what it became and when."""

    seq: int
    at: datetime
    action: str  # "letter.received", "letter.accepted" (outbound, into the outbox), "letter.<event>"
    letter_id: int
    direction: Direction
    state: LetterState  # the state after this entry
    previous_state: LetterState | None  # None for the letter's first entry
    reason: str | None
    registry_no: int | None  # the registry number this entry gave, if any
    book_no: str
    letter_date: date
    sender_org: str
    receiver_org: str
    channel: str

    @property
    def created(self) -> bool:
        return self.action in INTAKE_ACTIONS


def resent_as(history: Iterable[HistoryEntry]) -> int | None:
    """The letter a withdrawn letter was sent again as, from its history; None if it was not."""
    for entry in history:
        if entry.action == RESENT:
            found = json.loads(entry.detail or "{}").get("as")
            if isinstance(found, int):
                return found
    return None


def last_seq(conn: Connection) -> int:
    """The newest audit entry's number (0 for an empty chain)."""
    return int(conn.execute(select(AUDIT_HEAD.c.last_seq)).scalar() or 0)


def letter_events(conn: Connection, *, after_seq: int, limit: int) -> list[LetterEvent]:
    """Up to ``limit`` letter events with ``seq > after_seq``, oldest first."""
    rows = conn.execute(
        select(
            AUDIT.c.seq,
            AUDIT.c.at,
            AUDIT.c.action,
            AUDIT.c.letter_id,
            AUDIT.c.reason,
            AUDIT.c.detail,
            LETTER.c.direction,
            LETTER.c.book_no,
            LETTER.c.letter_date,
            LETTER.c.sender_org,
            LETTER.c.receiver_org,
            LETTER.c.channel,
        )
        .join(LETTER, LETTER.c.id == AUDIT.c.letter_id)
        .where(
            AUDIT.c.seq > after_seq,
            AUDIT.c.action.like("letter.%"),
            AUDIT.c.action.not_in(NOT_STATE_CHANGES + WORKER_STEPS),
        )
        .order_by(AUDIT.c.seq)
        .limit(limit)
    ).mappings()
    return [event for event in (_event(row) for row in rows) if event is not None]


def _event(row: RowMapping) -> LetterEvent | None:
    detail: dict[str, Any] = json.loads(row["detail"] or "{}")
    after, before = str(detail.get("to")), str(detail.get("from"))
    if after not in LetterState._value2member_map_:  # refusals and notes change no state
        return None
    number = detail.get("registry_no")
    return LetterEvent(
        seq=int(row["seq"]),
        at=row["at"],
        action=row["action"],
        letter_id=int(row["letter_id"]),
        direction=Direction(row["direction"]),
        state=LetterState(after),
        previous_state=_as_told(LetterState(before)) if before in LetterState._value2member_map_ else None,
        reason=row["reason"],
        registry_no=number if isinstance(number, int) else None,
        book_no=row["book_no"],
        letter_date=row["letter_date"],
        sender_org=row["sender_org"],
        receiver_org=row["receiver_org"],
        channel=row["channel"],
    )


def _as_told(state: LetterState) -> LetterState:
    """The state before, as a reader of these events last heard of it: a letter is taken from ``queued``
    to ``sending`` by a worker step, which is no event (``WORKER_STEPS``), so ``sending -> sent`` reads
    ``queued -> sent``."""
    return LetterState.QUEUED if state is LetterState.SENDING else state


def record_origin(conn: Connection, origin: Origin, *, letter_id: int, now: datetime) -> None:
    """Inside the letter's own transaction: a second letter with this origin fails the constraint."""
    conn.execute(
        insert(LETTER_ORIGIN).values(
            source=origin.source, key=origin.key, letter_id=letter_id, created_at=now
        )
    )


def find_origin(conn: Connection, origin: Origin) -> int | None:
    """The letter accepted from ``origin``, if any."""
    found = conn.execute(
        select(LETTER_ORIGIN.c.letter_id).where(
            LETTER_ORIGIN.c.source == origin.source, LETTER_ORIGIN.c.key == origin.key
        )
    ).scalar()
    return None if found is None else int(found)


def cursor(conn: Connection, name: str) -> int | None:
    """Where the reader ``name`` is in the chain (None before its first step)."""
    found = conn.execute(select(EVENT_CURSOR.c.seq).where(EVENT_CURSOR.c.name == name)).scalar()
    return None if found is None else int(found)


def cursors(conn: Connection, prefix: str) -> dict[str, int]:
    """The readers whose names start with ``prefix``, with where each is."""
    rows = conn.execute(
        select(EVENT_CURSOR.c.name, EVENT_CURSOR.c.seq).where(
            EVENT_CURSOR.c.name.startswith(prefix, autoescape=True)
        )
    ).all()
    return {str(name): int(seq) for name, seq in rows}


def drop_cursor(conn: Connection, name: str) -> None:
    """Forget the reader ``name`` (nothing when there is none)."""
    conn.execute(delete(EVENT_CURSOR).where(EVENT_CURSOR.c.name == name))


def move_cursor(conn: Connection, name: str, seq: int, *, now: datetime) -> None:
    """Set the reader ``name`` to ``seq`` (created on first use)."""
    changed = conn.execute(
        update(EVENT_CURSOR).where(EVENT_CURSOR.c.name == name).values(seq=seq, updated_at=now)
    ).rowcount
    if not changed:
        conn.execute(insert(EVENT_CURSOR).values(name=name, seq=seq, updated_at=now))
