"""Work claiming with leases, completion, failure through the retry policy, and redrive of dead letters.

A claim is one short write transaction: ``UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)
RETURNING`` on PostgreSQL, the same statement under SQLite's single writer lock (``BEGIN IMMEDIATE``).
A lease that runs out (a crashed worker) makes the item claimable again; the lost try is recorded.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from functools import cache
from typing import Final

from sqlalchemy import (
    BindParameter,
    Connection,
    Select,
    Update,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import RowMapping

from ecms_gateway.engine import audit, sent
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.retry import Dead, Decision, RetryAt
from ecms_gateway.engine.states import Event, LetterState, WorkKind, WorkState
from ecms_gateway.engine.transitions import apply, lock_letter
from ecms_gateway.engine.values import Claim, Confirmation, Refusal
from ecms_gateway.errors import LeaseLost, NotFound, StoreError, TransientFailure
from ecms_gateway.store.tables import ATTEMPT, SENT, WORK

_CLAIMED = (WORK.c.id, WORK.c.kind, WORK.c.channel, WORK.c.letter_id, WORK.c.inbox_id, WORK.c.attempts)


# The statements of every claim and completion are built once, with their values as parameters:
# SQLAlchemy then reuses their cache keys and compiled forms instead of rebuilding both each time.
#
# A receiver's answer about a letter (accepted, rejected, invalid) is not due while the letter's
# ReceiveLetterNotifier is still to be sent: its sender must see them in that order (a receipt after
# the answer is only noted there). Without this, a second worker took the answer while the first
# was sending the receipt, and waited, reading the letter again every 50 ms.
_AFTER_RECEIPT: Final = (
    WorkKind.NOTIFY_ACCEPT.value,
    WorkKind.NOTIFY_REJECT.value,
    WorkKind.NOTIFY_INVALID.value,
)
_RECEIPT = WORK.alias("receipt")
_RECEIPT_PENDING: Final = (
    select(_RECEIPT.c.id)
    .where(
        _RECEIPT.c.letter_id == WORK.c.letter_id,
        _RECEIPT.c.kind == WorkKind.NOTIFY_RECEIVE.value,
        # Equalities, not IN: a constant IN list is rendered again for every execution.
        or_(_RECEIPT.c.state == WorkState.READY.value, _RECEIPT.c.state == WorkState.LEASED.value),
    )
    .exists()
)
_NOT_AN_ANSWER: Final = and_(*(WORK.c.kind != kind for kind in _AFTER_RECEIPT))


def _due_statement(kinds: tuple[str, ...]) -> Select[tuple[int]]:
    now: BindParameter[datetime] = bindparam("p_now")
    due = or_(
        and_(WORK.c.state == WorkState.READY.value, WORK.c.next_try_at <= now),
        and_(WORK.c.state == WorkState.LEASED.value, WORK.c.lease_until <= now),
    )
    in_order = or_(_NOT_AN_ANSWER, ~_RECEIPT_PENDING)
    candidate = select(WORK.c.id).where(WORK.c.channel == bindparam("p_channel"), due, in_order)
    if kinds:
        candidate = candidate.where(or_(*(WORK.c.kind == kind for kind in kinds)))
    return candidate.order_by(WORK.c.next_try_at, WORK.c.id).limit(1)


def _take_statement(kinds: tuple[str, ...]) -> Update:
    now: BindParameter[datetime] = bindparam("p_now")
    candidate = _due_statement(kinds).with_for_update(skip_locked=True)
    return (
        update(WORK)
        .where(WORK.c.id == candidate.scalar_subquery())
        .values(
            state=WorkState.LEASED.value,
            lease_owner=bindparam("p_worker"),
            lease_until=bindparam("p_until"),
            attempts=WORK.c.attempts + 1,
            first_try_at=func.coalesce(WORK.c.first_try_at, now),
        )
        .returning(*_CLAIMED, WORK.c.lease_until, WORK.c.first_try_at)
    )


@cache
def _claim_statements(kinds: frozenset[WorkKind]) -> tuple[Select[tuple[int]], Update]:
    """The look for due work and the take of it, for one set of kinds (empty: any kind).

    One pair per set (a gateway's workers use a handful), the kinds written as equalities: an IN
    list of parameters is rendered into the statement again for every execution.
    """
    values = tuple(sorted(kind.value for kind in kinds))
    return _due_statement(values), _take_statement(values)


_LOSE_ATTEMPT: Final = (
    update(ATTEMPT)
    .where(ATTEMPT.c.work_id == bindparam("p_work"), ATTEMPT.c.ended_at.is_(None))
    .values(ended_at=bindparam("p_now"), outcome="lost", error=bindparam("p_error"))
)
_ADD_ATTEMPT: Final = insert(ATTEMPT)
# The item ``p_work`` as the worker ``p_worker`` holds it (its lease not lost).
_HELD: Final = (
    WORK.c.id == bindparam("p_work"),
    WORK.c.state == WorkState.LEASED.value,
    WORK.c.lease_owner == bindparam("p_worker"),
)
_FINISH: Final = (
    update(WORK)
    .where(*_HELD)
    .values(state=WorkState.DONE.value, finished_at=bindparam("p_now"), lease_owner=None, lease_until=None)
    .returning(*_CLAIMED)
)
# A try that archived its message may have handed it to the channel before it was stopped: its release
# keeps the count and the run's first try, so the next try is a retry of the same run and sends the
# archived message again (same MessageID), never a second one the node could queue beside it.
_GIVE_BACK_ARCHIVED: Final = (
    update(WORK)
    .where(*_HELD)
    .values(state=WorkState.READY.value, next_try_at=bindparam("p_now"), lease_owner=None, lease_until=None)
    .returning(*_CLAIMED)
)
# Any other release undoes the claim's count; an item never tried forgets when it was first tried (max_age).
_GIVE_BACK: Final = _GIVE_BACK_ARCHIVED.values(
    attempts=WORK.c.attempts - 1,
    first_try_at=case((WORK.c.attempts <= 1, None), else_=WORK.c.first_try_at),
)
_ARCHIVED_IN_RUN: Final = (
    select(SENT.c.id)
    .join(WORK, and_(WORK.c.id == SENT.c.work_id, WORK.c.first_try_at == SENT.c.run_started_at))
    .where(WORK.c.id == bindparam("p_work"))
    .limit(1)
)
_END_ATTEMPT: Final = (
    update(ATTEMPT)
    .where(
        ATTEMPT.c.work_id == bindparam("p_work"),
        ATTEMPT.c.number == bindparam("p_number"),
        ATTEMPT.c.ended_at.is_(None),
    )
    .values(ended_at=bindparam("p_now"), outcome=bindparam("p_outcome"), error=bindparam("p_error"))
)


def claim(
    ctx: Context,
    *,
    channel: str,
    worker: str,
    lease: timedelta,
    kinds: Collection[WorkKind] = (),
    look_first: bool = True,
) -> Claim | None:
    """Take the oldest due work item of ``channel`` (optionally only ``kinds``) under a lease.

    ``look_first``: ask in a read transaction whether anything is due before taking the writer; a
    worker woken because something was just queued skips it."""
    now = ctx.clock()
    if look_first and not _any_due(ctx, channel=channel, now=now, kinds=kinds):
        return None
    with ctx.db.write() as conn:
        return _claim_in(ctx, conn, channel=channel, worker=worker, now=now, lease=lease, kinds=kinds)


def _claim_in(
    ctx: Context,
    conn: Connection,
    *,
    channel: str,
    worker: str,
    now: datetime,
    lease: timedelta,
    kinds: Collection[WorkKind],
) -> Claim | None:
    """Take the next due item inside the caller's write transaction (items that go dead are skipped)."""
    while True:
        row = _take_next(conn, channel=channel, worker=worker, now=now, lease=lease, kinds=kinds)
        if row is None:
            return None
        if _start(ctx, conn, row, worker=worker, now=now):
            return Claim(
                work_id=int(row["id"]),
                kind=WorkKind(row["kind"]),
                channel=row["channel"],
                letter_id=row["letter_id"],
                inbox_id=row["inbox_id"],
                attempt=int(row["attempts"]),
                worker=worker,
                lease_until=row["lease_until"],
                first_try_at=row["first_try_at"],
            )


def _any_due(ctx: Context, *, channel: str, now: datetime, kinds: Collection[WorkKind]) -> bool:
    """Whether anything is due, asked in a read transaction: idle workers and the ones woken together
    with the one that takes the item find nothing without queueing for the single writer (SQLite)."""
    due, _ = _claim_statements(frozenset(kinds))
    with ctx.db.read() as conn:
        return conn.execute(due, {"p_now": now, "p_channel": channel}).first() is not None


def _take_next(
    conn: Connection,
    *,
    channel: str,
    worker: str,
    now: datetime,
    lease: timedelta,
    kinds: Collection[WorkKind],
) -> RowMapping | None:
    _, take = _claim_statements(frozenset(kinds))
    params = {"p_now": now, "p_channel": channel, "p_worker": worker, "p_until": now + lease}
    return conn.execute(take, params).mappings().first()


def _start(ctx: Context, conn: Connection, row: RowMapping, *, worker: str, now: datetime) -> bool:
    """Record the attempt and move a letter to ``sending``; False when the item went dead instead."""
    work_id, attempts = int(row["id"]), int(row["attempts"])
    # Only an item tried before can have an attempt still open (its worker died holding it): the
    # claim has counted this try already, and a release gives its count back and ends its attempt.
    lost = (
        attempts > 1
        and conn.execute(
            _LOSE_ATTEMPT,
            {"p_work": work_id, "p_now": now, "p_error": f"lease expired; taken over by {worker}"},
        ).rowcount
    )
    if lost:
        error = TransientFailure(f"worker lost while holding it (attempt {attempts - 1})")
        decision = ctx.policies.for_channel(row["channel"]).decide(
            error, attempts - 1, row["first_try_at"], now
        )
        if isinstance(decision, Dead):
            _bury(conn, row, decision, actor=worker, now=now)
            return False
    conn.execute(_ADD_ATTEMPT, {"work_id": work_id, "number": attempts, "worker": worker, "started_at": now})
    if row["kind"] != WorkKind.SEND.value or row["letter_id"] is None:
        return True
    letter = lock_letter(conn, int(row["letter_id"]))
    if lost and letter["state"] == LetterState.SENDING.value:
        audit.append(
            conn, at=now, actor=worker, action="work.taken_over", letter_id=letter["id"], work_id=work_id
        )
        return True
    outcome = apply(conn, letter, Event.CLAIM, actor=worker, now=now, work_id=work_id)
    if isinstance(outcome, Refusal):
        _bury(conn, row, Dead(reason=outcome.reason), actor=worker, now=now, letter_moved=True)
        return False
    return True


def complete(
    ctx: Context,
    work_id: int,
    *,
    worker: str,
    note: str | None = None,
    confirmation: Confirmation | None = None,
) -> None:
    """Mark a claimed item done; a sent letter becomes ``sent``; the archived message the channel
    took is confirmed (``confirmation``). ``LeaseLost`` if another worker has it."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        _finish(conn, work_id, worker=worker, note=note, confirmation=confirmation, now=now)


def complete_and_claim(
    ctx: Context,
    work_id: int,
    *,
    worker: str,
    note: str | None = None,
    confirmation: Confirmation | None = None,
    channel: str,
    lease: timedelta,
    kinds: Collection[WorkKind] = (),
) -> Claim | None:
    """``complete`` then ``claim`` in one write transaction: a busy worker commits (and, on SQLite,
    takes the single writer) once per item instead of twice. Nothing is claimed when completing
    fails (``LeaseLost``: the transaction is rolled back)."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        _finish(conn, work_id, worker=worker, note=note, confirmation=confirmation, now=now)
        return _claim_in(ctx, conn, channel=channel, worker=worker, now=now, lease=lease, kinds=kinds)


def _finish(
    conn: Connection,
    work_id: int,
    *,
    worker: str,
    note: str | None,
    confirmation: Confirmation | None,
    now: datetime,
) -> None:
    row = conn.execute(_FINISH, {"p_work": work_id, "p_worker": worker, "p_now": now}).mappings().first()
    if row is None:
        raise _lease_lost(conn, work_id, worker)
    _end_attempt(conn, work_id, int(row["attempts"]), now, outcome="done", error=None)
    if confirmation is not None:
        sent.confirm_in(conn, confirmation, now=now)
    if row["kind"] == WorkKind.SEND.value and row["letter_id"] is not None:
        letter = lock_letter(conn, int(row["letter_id"]))
        apply(conn, letter, Event.SENT, actor=worker, now=now, reason=note, work_id=work_id)
    else:
        audit.append(
            conn,
            at=now,
            actor=worker,
            action="work.done",
            letter_id=row["letter_id"],
            work_id=work_id,
            reason=note,
            detail={"kind": row["kind"]},
        )


def release(ctx: Context, work_id: int, *, worker: str, reason: str) -> None:
    """Give a claimed item back untried (the worker is stopping): ready now, the attempt ended as
    ``released`` and not counted against the retry policy; a sending letter is queued again. A try
    that archived its message counts (``_GIVE_BACK_ARCHIVED``): the next one sends that message again."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        archived = conn.execute(_ARCHIVED_IN_RUN, {"p_work": work_id}).first() is not None
        give_back = _GIVE_BACK_ARCHIVED if archived else _GIVE_BACK
        params = {"p_work": work_id, "p_worker": worker, "p_now": now}
        row = conn.execute(give_back, params).mappings().first()
        if row is None:
            raise _lease_lost(conn, work_id, worker)
        if archived:
            reason += "; its message was archived and may have reached the channel: the next try resends it"
            _end_attempt(conn, work_id, int(row["attempts"]), now, outcome="released", error=reason)
        else:
            # The claim counted this attempt; the released attempt keeps its number, the next one reuses it.
            _end_attempt(conn, work_id, int(row["attempts"]) + 1, now, outcome="released", error=reason)
        if row["kind"] == WorkKind.SEND.value and row["letter_id"] is not None:
            letter = lock_letter(conn, int(row["letter_id"]))
            if letter["state"] == LetterState.SENDING.value:
                apply(conn, letter, Event.RELEASE, actor=worker, now=now, reason=reason, work_id=work_id)
                return
        audit.append(
            conn,
            at=now,
            actor=worker,
            action="work.released",
            letter_id=row["letter_id"],
            work_id=work_id,
            reason=reason,
            detail={"kind": row["kind"]},
        )


def fail(ctx: Context, work_id: int, *, worker: str, error: BaseException) -> Decision:
    """Record a failed try and let the channel's retry policy decide: retry later or dead letter."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        row = (
            conn.execute(
                select(WORK)
                .where(
                    WORK.c.id == work_id, WORK.c.state == WorkState.LEASED.value, WORK.c.lease_owner == worker
                )
                .with_for_update()
            )
            .mappings()
            .first()
        )
        if row is None:
            raise _lease_lost(conn, work_id, worker)
        attempts = int(row["attempts"])
        policy = ctx.policies.for_channel(row["channel"])
        decision = policy.decide(error, attempts, row["first_try_at"], now)
        if isinstance(decision, RetryAt):
            _end_attempt(conn, work_id, attempts, now, outcome="retry", error=decision.reason)
            conn.execute(
                update(WORK)
                .where(WORK.c.id == work_id)
                .values(
                    state=WorkState.READY.value,
                    next_try_at=decision.at,
                    lease_owner=None,
                    lease_until=None,
                    last_error=decision.reason,
                )
            )
            if row["kind"] == WorkKind.SEND.value and row["letter_id"] is not None:
                letter = lock_letter(conn, int(row["letter_id"]))
                detail = {"next_try_at": decision.at.isoformat(), "attempt": attempts}
                apply(
                    conn,
                    letter,
                    Event.RETRY_LATER,
                    actor=worker,
                    now=now,
                    reason=decision.reason,
                    detail=detail,
                    work_id=work_id,
                )
        else:
            _end_attempt(conn, work_id, attempts, now, outcome="dead", error=decision.reason)
            _bury(conn, row, decision, actor=worker, now=now)
        return decision


def _bury(
    conn: Connection, row: RowMapping, dead: Dead, *, actor: str, now: datetime, letter_moved: bool = False
) -> None:
    """Make the item a dead letter; its letter (when sending) becomes ``failed``."""
    work_id = int(row["id"])
    conn.execute(
        update(WORK)
        .where(WORK.c.id == work_id)
        .values(state=WorkState.DEAD.value, lease_owner=None, lease_until=None, last_error=dead.reason)
    )
    if row["kind"] == WorkKind.SEND.value and row["letter_id"] is not None and not letter_moved:
        letter = lock_letter(conn, int(row["letter_id"]))
        if letter["state"] == LetterState.SENDING.value:
            apply(
                conn,
                letter,
                Event.GIVE_UP,
                actor=actor,
                now=now,
                reason=dead.reason,
                detail=dead.detail() or None,  # why, as data: the pages say it in their own language
                work_id=work_id,
            )
            return
    audit.append(
        conn,
        at=now,
        actor=actor,
        action="work.dead",
        letter_id=row["letter_id"],
        work_id=work_id,
        reason=dead.reason,
        detail={"kind": row["kind"], **dead.detail()},
    )


def _end_attempt(
    conn: Connection, work_id: int, number: int, now: datetime, *, outcome: str, error: str | None
) -> None:
    conn.execute(
        _END_ATTEMPT,
        {"p_work": work_id, "p_number": number, "p_now": now, "p_outcome": outcome, "p_error": error},
    )


def _lease_lost(conn: Connection, work_id: int, worker: str) -> StoreError:
    row = conn.execute(select(WORK.c.state, WORK.c.lease_owner).where(WORK.c.id == work_id)).first()
    if row is None:
        return NotFound(f"there is no work item {work_id}")
    return LeaseLost(
        f"worker {worker} no longer holds work item {work_id} (it is {row.state}"
        + (f", held by {row.lease_owner})" if row.lease_owner else ")")
        + "; its lease ran out and the result must be dropped"
    )
