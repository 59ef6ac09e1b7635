"""Notifiers matched to their letter by (sender department, book number key, CorrespondenceDate).

A notifier that matches no letter is kept (outcome ``unmatched``) for operators, never dropped; one
whose letter's state does not allow it is kept and its event recorded as refused, except a late or
repeated ReceiveLetterNotifier, which is only noted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, bindparam, case, insert, select, update
from sqlalchemy.exc import IntegrityError

from ecms_gateway.engine import audit
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.intake import add_inbox, inbox_detail, inbox_row, stored_before
from ecms_gateway.engine.states import Direction, Event, LetterState
from ecms_gateway.engine.transitions import apply, lock_letter
from ecms_gateway.engine.values import (
    Accepted,
    NotifierIn,
    NotifierKind,
    NotifierOutcome,
    NotifierResult,
    Refusal,
    Transition,
)
from ecms_gateway.letter.thai import book_no_key
from ecms_gateway.store.tables import LETTER, NOTIFIER

EVENT_OF: Final[dict[NotifierKind, Event]] = {
    NotifierKind.RECEIVE: Event.RECEIVE_NOTIFIED,
    NotifierKind.ACCEPT: Event.ACCEPT_NOTIFIED,
    NotifierKind.REJECT: Event.REJECT_NOTIFIED,
    NotifierKind.INVALID: Event.INVALID_NOTIFIED,
}

# Built once (SQLAlchemy reuses their compiled forms); the values come as parameters.
_WITHDRAWN_LAST: Final = case((LETTER.c.state == LetterState.WITHDRAWN.value, 1), else_=0)
_LOCK_MATCH: Final = (
    select(LETTER)
    .where(
        LETTER.c.direction == bindparam("p_direction"),
        LETTER.c.sender_dept == bindparam("p_dept"),
        LETTER.c.book_key == bindparam("p_key"),
        LETTER.c.letter_date == bindparam("p_date"),
    )
    .order_by(_WITHDRAWN_LAST, LETTER.c.id.desc())
    .limit(1)
    .with_for_update()
)
_ADD_NOTIFIER: Final = insert(NOTIFIER).returning(NOTIFIER.c.id)
_SET_OUTCOME: Final = (
    update(NOTIFIER).where(NOTIFIER.c.id == bindparam("p_id")).values(outcome=bindparam("p_outcome"))
)


def match_notifier(ctx: Context, notifier: NotifierIn, *, actor: str) -> NotifierResult:
    """Record ``notifier`` and apply it to its letter when it matches one and the state allows it."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        return match_in(conn, notifier, actor=actor, now=now)


def match_in(conn: Connection, notifier: NotifierIn, *, actor: str, now: datetime) -> NotifierResult:
    """``match_notifier`` inside the caller's write transaction."""
    key = book_no_key(notifier.book_no)
    # InvalidAcceptIDNotifier is about a letter we received; the others about one we sent.
    direction = Direction.IN if notifier.kind is NotifierKind.INVALID_ACCEPT_ID else Direction.OUT
    match = {
        "p_direction": direction.value,
        "p_dept": notifier.sender_dept,
        "p_key": key,
        "p_date": notifier.letter_date,
    }
    letter = conn.execute(_LOCK_MATCH, match).mappings().first()
    row = {
        "kind": notifier.kind.value,
        "sender_dept": notifier.sender_dept,
        "book_no": notifier.book_no,
        "book_key": key,
        "letter_date": notifier.letter_date,
        "accept_id": notifier.accept_id,
        "inbox_id": notifier.inbox_id,
        "letter_id": letter["id"] if letter else None,
        "outcome": NotifierOutcome.UNMATCHED.value,
        "received_at": now,
    }
    notifier_id = int(conn.execute(_ADD_NOTIFIER, row).scalar_one())
    detail = {"notifier_id": notifier_id, "kind": notifier.kind.value, "accept_id": notifier.accept_id}
    if letter is None:
        audit.append(
            conn,
            at=now,
            actor=actor,
            action="notifier.unmatched",
            detail={**detail, "book_no": notifier.book_no, "date": notifier.letter_date.isoformat()},
        )
        return NotifierResult(
            notifier_id=notifier_id, outcome=NotifierOutcome.UNMATCHED, letter_id=None, state=None
        )
    event = EVENT_OF.get(notifier.kind)
    if event is None or _late_receipt(event, LetterState(letter["state"])):
        outcome, state = NotifierOutcome.NOTED, LetterState(letter["state"])
        audit.append(
            conn, at=now, actor=actor, action="notifier.noted", letter_id=letter["id"], detail=detail
        )
    else:
        values = {"accept_id": notifier.accept_id} if event is Event.ACCEPT_NOTIFIED else None
        result = apply(
            conn,
            letter,
            event,
            actor=actor,
            now=now,
            reason=notifier.reason,
            values=values,
            detail=detail,
            notifier_id=notifier_id,
        )
        applied = isinstance(result, Transition)
        outcome = NotifierOutcome.APPLIED if applied else NotifierOutcome.REFUSED
        state = result.after if isinstance(result, Transition) else result.state
    conn.execute(_SET_OUTCOME, {"p_id": notifier_id, "p_outcome": outcome.value})
    return NotifierResult(notifier_id=notifier_id, outcome=outcome, letter_id=int(letter["id"]), state=state)


def accept_notifier(
    ctx: Context,
    raw: bytes,
    notifier: NotifierIn,
    *,
    channel: str,
    process_id: str,
    actor: str,
    applier: str,
) -> tuple[Accepted, NotifierResult | None]:
    """Store a received notifier exactly as it came and match it, in one transaction.

    What ``accept_inbound`` and then the inbound work's ``match_notifier`` do, without the work item
    in between: for a notifier already decoded and verified there is nothing left to do later. The
    same (channel, ProcessID) stored before is not matched again: (that item, created False), None.
    """
    row = inbox_row(ctx, raw, channel=channel, process_id=process_id)
    now = row["received_at"]
    try:
        with ctx.db.write() as conn:
            inbox_id = add_inbox(conn, row)
            audit.append(
                conn,
                at=now,
                actor=actor,
                action="inbox.received",
                detail={**inbox_detail(row), "matched_at_once": True},
            )
            result = match_in(conn, replace(notifier, inbox_id=inbox_id), actor=applier, now=now)
        return Accepted(id=inbox_id, created=True), result
    except IntegrityError:
        before = stored_before(ctx, channel=channel, process_id=process_id)
        if before is None:
            raise
        return before, None


# The receiver answered already: a ReceiveLetterNotifier that comes after the answer (queues are not
# ordered across the node) or a second one adds nothing; it is noted on the letter, not refused.
_ANSWERED: Final = frozenset(
    {
        LetterState.DELIVERED,
        LetterState.ACCEPTED,
        LetterState.REJECTED,
        LetterState.INVALID,
        LetterState.WITHDRAWN,
    }
)


def _late_receipt(event: Event, state: LetterState) -> bool:
    return event is Event.RECEIVE_NOTIFIED and state in _ANSWERED


def record_bounce(ctx: Context, letter_id: int, *, actor: str, reason: str) -> Transition:
    """A bounce for a letter we mailed: it did not arrive, so the letter fails with the mail system's reason.

    Like a notifier it comes from outside: a state that does not allow it (the receiver already
    answered) is recorded as a refused event and ``IllegalTransition`` is raised.
    """
    now = ctx.clock()
    with ctx.db.write() as conn:
        result = apply(conn, lock_letter(conn, letter_id), Event.BOUNCED, actor=actor, now=now, reason=reason)
    if isinstance(result, Refusal):
        raise result.error()
    return result
