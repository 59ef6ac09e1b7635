"""Read-only lookups the workers make (``Store.find_letter``, ``Store.letter_state``,
``Store.work_done``): a letter by its e-CMS key (book number, date) among the letters of given
organisations, a letter's state, whether a kind of work for a letter is done.

Notifiers name their letter only by book number and date; the processor uses these to learn who
sent a notifier (whose signature to expect) and which letter it is about.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import Select, bindparam, case, select

from ecms_gateway.engine.context import Context
from ecms_gateway.engine.states import Direction, LetterState, WorkKind, WorkState
from ecms_gateway.errors import NotFound
from ecms_gateway.letter.thai import book_no_key
from ecms_gateway.store.tables import LETTER, WORK


def _by_key(*, of_senders: bool, of_receivers: bool) -> Select[tuple[int, str, str, str, str]]:
    withdrawn_last = case((LETTER.c.state == LetterState.WITHDRAWN.value, 1), else_=0)
    query = (
        select(LETTER.c.id, LETTER.c.state, LETTER.c.sender_org, LETTER.c.sender_dept, LETTER.c.receiver_org)
        .where(
            LETTER.c.direction == bindparam("p_direction"),
            LETTER.c.book_key == bindparam("p_key"),
            LETTER.c.letter_date == bindparam("p_date"),
        )
        .order_by(withdrawn_last, LETTER.c.id.desc())
        .limit(1)
    )
    if of_senders:
        query = query.where(LETTER.c.sender_org.in_(bindparam("p_senders", expanding=True)))
    if of_receivers:
        query = query.where(LETTER.c.receiver_org.in_(bindparam("p_receivers", expanding=True)))
    return query


# Built once (SQLAlchemy reuses their compiled forms); the values come as parameters.
_BY_KEY: Final = {
    (senders, receivers): _by_key(of_senders=senders, of_receivers=receivers)
    for senders in (False, True)
    for receivers in (False, True)
}
_WORK_DONE: Final = (
    select(WORK.c.id)
    .where(
        WORK.c.letter_id == bindparam("p_id"),
        WORK.c.kind == bindparam("p_kind"),
        WORK.c.state == WorkState.DONE.value,
    )
    .limit(1)
)
_STATE: Final = select(LETTER.c.state).where(LETTER.c.id == bindparam("p_id"))


@dataclass(frozen=True, kw_only=True)
class LetterRef:
    """Who sent a letter to whom, and where it is."""

    id: int
    state: LetterState
    sender_org: str
    sender_dept: str
    receiver_org: str


def find_letter(
    ctx: Context,
    *,
    direction: Direction,
    book_no: str,
    letter_date: date,
    sender_orgs: Collection[str] = (),
    receiver_orgs: Collection[str] = (),
) -> LetterRef | None:
    """The letter with that key (Thai and Arabic digits equal), live ones before withdrawn ones, newest
    first, optionally only among those sent by ``sender_orgs`` or received by ``receiver_orgs``."""
    query = _BY_KEY[(bool(sender_orgs), bool(receiver_orgs))]
    params: dict[str, object] = {
        "p_direction": direction.value,
        "p_key": book_no_key(book_no),
        "p_date": letter_date,
    }
    if sender_orgs:
        params["p_senders"] = list(sender_orgs)
    if receiver_orgs:
        params["p_receivers"] = list(receiver_orgs)
    with ctx.db.read() as conn:
        row = conn.execute(query, params).first()
    if row is None:
        return None
    return LetterRef(
        id=int(row.id),
        state=LetterState(row.state),
        sender_org=row.sender_org,
        sender_dept=row.sender_dept,
        receiver_org=row.receiver_org,
    )


def work_done(ctx: Context, letter_id: int, kind: WorkKind) -> bool:
    """True when a work item of ``kind`` for the letter is done (e.g. its ReceiveLetterNotifier went)."""
    with ctx.db.read() as conn:
        return conn.execute(_WORK_DONE, {"p_id": letter_id, "p_kind": kind.value}).first() is not None


def letter_state(ctx: Context, letter_id: int) -> LetterState:
    with ctx.db.read() as conn:
        state = conn.execute(_STATE, {"p_id": letter_id}).scalar()
    if state is None:
        raise NotFound(f"there is no letter {letter_id}")
    return LetterState(state)
