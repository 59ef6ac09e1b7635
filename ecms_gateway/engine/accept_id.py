"""The sender's report that the receive number (AcceptID) its letter's receiver gave is wrong.

The report is recorded in the audit chain with its reason and the InvalidAcceptIDNotifier is queued
in the same transaction; the outbound worker builds the notifier from that audit entry (found by
its work item), so a retry or a restart sends the same reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from sqlalchemy import bindparam, select

from ecms_gateway.engine import audit
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.states import Direction, WorkKind, WorkState
from ecms_gateway.engine.transitions import enqueue, lock_letter
from ecms_gateway.errors import InputError, NotFound, StoreError
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.store.tables import AUDIT, WORK

ACTION: Final = "letter.invalid_accept_id"
"""The audit action of a report (its ``reason`` is what the receiver is told)."""

_PENDING: Final = (
    select(WORK.c.id)
    .where(
        WORK.c.letter_id == bindparam("p_id"),
        WORK.c.kind == WorkKind.NOTIFY_INVALID_ACCEPT_ID.value,
        WORK.c.state.in_([WorkState.READY.value, WorkState.LEASED.value]),
    )
    .limit(1)
)
_REPORT_OF_WORK: Final = (
    select(AUDIT.c.letter_id, AUDIT.c.reason, AUDIT.c.detail)
    .where(AUDIT.c.work_id == bindparam("p_work"), AUDIT.c.action == ACTION)
    .order_by(AUDIT.c.seq)
    .limit(1)
)


@dataclass(frozen=True, kw_only=True)
class WrongAcceptIdReport:
    """A queued report: which letter, the receive number said to be wrong, why, and its work item."""

    letter_id: int
    work_id: int
    accept_id: str
    reason: str


def report(ctx: Context, letter_id: int, *, reason: str, actor: str) -> WrongAcceptIdReport:
    """Record the report on our outbound letter and queue its InvalidAcceptIDNotifier (one commit).

    ``InputError`` when the reason is empty; ``StoreError`` when the letter is one we received, has
    no receive number from its receiver, or an earlier report about it is still being sent.
    """
    text = " ".join(reason.split())
    if not text:
        raise InputError("say why the receive number is wrong (the reason): the receiver is told it")
    now = ctx.clock()
    with ctx.db.write() as conn:
        letter = lock_letter(conn, letter_id)
        if letter["direction"] != Direction.OUT.value:
            raise StoreError(
                f"letter {letter_id} is one we received; only the sender of a letter can report that the "
                "receive number its receiver gave is wrong",
                fault_code="store.accept_id_received_letter",
                fault_params=fault_params("store.accept_id_received_letter", letter_id=letter_id),
            )
        accept_id = letter["accept_id"]
        if not accept_id:
            raise StoreError(
                f"letter {letter_id} has no receive number (AcceptID) from its receiver yet (it is "
                f"{letter['state']}), so none can be wrong; wait for the AcceptLetterNotifier",
                fault_code="store.accept_id_none_yet",
                fault_params=fault_params(
                    "store.accept_id_none_yet", letter_id=letter_id, state=letter["state"]
                ),
            )
        pending = conn.execute(_PENDING, {"p_id": letter_id}).scalar()
        if pending is not None:
            raise StoreError(
                f"a report about letter {letter_id}'s receive number is still being sent (work {pending})",
                cli_hint="see `ecms-gateway show` and report again once it is done if need be",
                fault_code="store.accept_id_report_pending",
                fault_params=fault_params("store.accept_id_report_pending", letter_id=letter_id),
            )
        work_id = enqueue(
            conn,
            kind=WorkKind.NOTIFY_INVALID_ACCEPT_ID,
            channel=letter["channel"],
            now=now,
            letter_id=letter_id,
        )
        audit.append(
            conn,
            at=now,
            actor=actor,
            action=ACTION,
            letter_id=letter_id,
            work_id=work_id,
            reason=text,
            detail={"accept_id": accept_id, "state": letter["state"]},
        )
    return WrongAcceptIdReport(letter_id=letter_id, work_id=work_id, accept_id=accept_id, reason=text)


def report_of_work(ctx: Context, work_id: int) -> WrongAcceptIdReport:
    """The report a NOTIFY_INVALID_ACCEPT_ID work item sends (from its audit entry)."""
    with ctx.db.read() as conn:
        row = conn.execute(_REPORT_OF_WORK, {"p_work": work_id}).first()
    if row is None or row.letter_id is None:
        raise NotFound(f"work {work_id} has no report of a wrong receive number in the audit log")
    accept_id = json.loads(row.detail).get("accept_id") or ""
    return WrongAcceptIdReport(
        letter_id=int(row.letter_id), work_id=work_id, accept_id=str(accept_id), reason=row.reason or ""
    )
