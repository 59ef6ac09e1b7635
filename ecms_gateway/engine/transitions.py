"""Applying an event to a letter inside a transaction: through the table, or refused and recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.engine import RowMapping

from ecms_gateway.engine import audit
from ecms_gateway.engine.states import (
    FOLLOW_UP_WORK,
    NOTIFIED,
    Direction,
    Event,
    LetterState,
    WorkKind,
    WorkState,
    allowed_events,
    next_state,
)
from ecms_gateway.engine.values import Refusal, Transition
from ecms_gateway.errors import NotFound
from ecms_gateway.store.tables import LETTER, REFUSED, WORK

# Built once (SQLAlchemy reuses their cache keys and compiled forms); the values come as parameters.
_LOCK_LETTER: Final = select(LETTER).where(LETTER.c.id == bindparam("p_id")).with_for_update()
_ADD_WORK: Final = insert(WORK).returning(WORK.c.id)
_SET_LETTER: Final = update(LETTER).where(LETTER.c.id == bindparam("p_id"))  # SET: the parameters' keys


def lock_letter(conn: Connection, letter_id: int) -> RowMapping:
    """The letter's row, locked until the transaction ends; ``NotFound`` when there is none."""
    row = conn.execute(_LOCK_LETTER, {"p_id": letter_id}).mappings().first()
    if row is None:
        raise NotFound(f"there is no letter {letter_id}", cli_hint="`ecms-gateway letters` lists the letters")
    return row


def enqueue(
    conn: Connection,
    *,
    kind: WorkKind,
    channel: str,
    now: datetime,
    letter_id: int | None = None,
    inbox_id: int | None = None,
) -> int:
    """Add a ready work item; returns its id."""
    row = {
        "kind": kind.value,
        "channel": channel,
        "state": WorkState.READY.value,
        "letter_id": letter_id,
        "inbox_id": inbox_id,
        "attempts": 0,
        "created_at": now,
        "next_try_at": now,
    }
    return int(conn.execute(_ADD_WORK, row).scalar_one())


def apply(
    conn: Connection,
    letter: RowMapping,
    event: Event,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    values: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    work_id: int | None = None,
    notifier_id: int | None = None,
) -> Transition | Refusal:
    """Move ``letter`` (a locked row) on by ``event``, or record the refusal; never both.

    ``values`` are extra columns to set with the new state (e.g. the receive number).
    """
    letter_id = int(letter["id"])
    direction, state = Direction(letter["direction"]), LetterState(letter["state"])
    after = next_state(direction, state, event)
    if after is None:
        why = _refusal_reason(letter_id, direction, state, event, reason)
        return _refuse(
            conn, Refusal(letter_id=letter_id, event=event, state=state, reason=why), actor, now, notifier_id
        )
    conn.execute(_SET_LETTER, {"p_id": letter_id, "state": after.value, "updated_at": now, **(values or {})})
    if state is LetterState.FAILED and event in NOTIFIED:
        # It arrived after all: its dead send is done, so that no redrive sends the letter again.
        settled = _settle_dead_sends(conn, letter_id, now)
        if settled:
            detail = {**(detail or {}), "settled_work": settled}
    follow_up = FOLLOW_UP_WORK.get((direction, event))
    if follow_up is not None:
        enqueue(conn, kind=follow_up, channel=letter["channel"], now=now, letter_id=letter_id)
    audit.append(
        conn,
        at=now,
        actor=actor,
        action=f"letter.{event.value}",
        letter_id=letter_id,
        work_id=work_id,
        reason=reason,
        detail={"from": state.value, "to": after.value, **(detail or {})},
    )
    return Transition(letter_id=letter_id, event=event, before=state, after=after)


_DEAD_SENDS: Final = select(WORK.c.id).where(
    WORK.c.letter_id == bindparam("p_id"),
    WORK.c.kind == WorkKind.SEND.value,
    WORK.c.state == WorkState.DEAD.value,
)


def _settle_dead_sends(conn: Connection, letter_id: int, now: datetime) -> list[int]:
    """Mark the letter's dead send work done (the receiver's notifier shows it arrived); their ids."""
    ids = [int(i) for i in conn.execute(_DEAD_SENDS, {"p_id": letter_id}).scalars()]
    if ids:
        conn.execute(
            update(WORK)
            .where(WORK.c.id.in_(ids))
            .values(state=WorkState.DONE.value, finished_at=now, lease_owner=None, lease_until=None)
        )
    return ids


def _refusal_reason(
    letter_id: int, direction: Direction, state: LetterState, event: Event, reason: str | None
) -> str:
    allowed = ", ".join(e.value for e in allowed_events(direction, state)) or "none"
    why = (
        f"event {event.value} does not apply to {direction.value}bound letter {letter_id} "
        f"in state {state.value} (allowed there: {allowed})"
    )
    return f"{why}; given reason: {reason}" if reason else why


def _refuse(
    conn: Connection, refusal: Refusal, actor: str, now: datetime, notifier_id: int | None
) -> Refusal:
    conn.execute(
        insert(REFUSED).values(
            letter_id=refusal.letter_id,
            notifier_id=notifier_id,
            event=refusal.event.value,
            state=refusal.state.value,
            actor=actor,
            reason=refusal.reason,
            at=now,
        )
    )
    audit.append(
        conn,
        at=now,
        actor=actor,
        action="letter.refused",
        letter_id=refusal.letter_id,
        reason=refusal.reason,
        detail={"event": refusal.event.value, "state": refusal.state.value},
    )
    return refusal
