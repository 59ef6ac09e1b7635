"""What clerks and operators do to a letter: register, reject, mark invalid, withdraw.

Registering gives the receive number (เลขทะเบียนรับ) in the same transaction as the state change,
and registering twice returns the same number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Connection
from sqlalchemy.engine import RowMapping

from ecms_gateway.engine.context import Context
from ecms_gateway.engine.registry import Register, allocate, registry_year
from ecms_gateway.engine.states import Direction, Event, LetterState, next_state
from ecms_gateway.engine.transitions import apply, lock_letter
from ecms_gateway.engine.values import Refusal, Transition
from ecms_gateway.errors import StoreError

CLERK_EVENTS: Final = frozenset({Event.REGISTER, Event.REJECT, Event.MARK_INVALID, Event.WITHDRAW})


def apply_event(
    ctx: Context, letter_id: int, event: Event, *, actor: str, reason: str | None = None
) -> Transition:
    """Apply a clerk's event through the transition table.

    An event the letter's state does not allow is recorded (refused events, audit) and then
    ``IllegalTransition`` is raised; the letter is unchanged.
    """
    if event is Event.REGISTER:  # needs a receive number: see register_inbound (idempotent)
        register_inbound(ctx, letter_id, actor=actor, reason=reason)
        return Transition(
            letter_id=letter_id, event=event, before=LetterState.RECEIVED, after=LetterState.REGISTERED
        )
    if event not in CLERK_EVENTS:
        raise StoreError(
            f"event {event.value} is driven by the work queue or by notifiers, not by hand; "
            f"a clerk can: {', '.join(sorted(e.value for e in CLERK_EVENTS))}"
        )
    now = ctx.clock()
    with ctx.db.write() as conn:
        result = apply(conn, lock_letter(conn, letter_id), event, actor=actor, now=now, reason=reason)
    if isinstance(result, Refusal):
        raise result.error()
    return result


def register_inbound(ctx: Context, letter_id: int, *, actor: str, reason: str | None = None) -> int:
    """Register a received letter; returns its receive number (the same one if already registered)."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        result = register_locked(conn, lock_letter(conn, letter_id), actor=actor, now=now, reason=reason)
    if isinstance(result, Refusal):
        raise result.error()
    return result


def register_locked(
    conn: Connection, letter: RowMapping, *, actor: str, now: datetime, reason: str | None = None
) -> int | Refusal:
    """Register ``letter`` (a locked row) in the caller's transaction: its receive number, or the
    refusal (recorded) when its state does not allow it."""
    if letter["state"] == LetterState.REGISTERED.value and letter["registry_no"] is not None:
        return int(letter["registry_no"])
    number, values = 0, None
    if next_state(Direction(letter["direction"]), LetterState(letter["state"]), Event.REGISTER) is not None:
        org, year = letter["receiver_org"], registry_year(now)
        number = allocate(conn, org=org, register=Register.RECEIVE, year=year)
        values = {"registry_org": org, "registry_year": year, "registry_no": number}
    result = apply(
        conn,
        letter,
        Event.REGISTER,
        actor=actor,
        now=now,
        reason=reason,
        values=None if values is None else {**values, "registered_at": now},
        detail=values,
    )
    return result if isinstance(result, Refusal) else number
