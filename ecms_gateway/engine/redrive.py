"""Redrive: an operator puts dead letters back in the queue (attempts start again from 1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.engine import RowMapping

from ecms_gateway.engine import audit
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.states import Event, LetterState, WorkKind, WorkState
from ecms_gateway.engine.transitions import apply, lock_letter
from ecms_gateway.errors import NotFound, StoreError
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.store.tables import WORK


def redrive(
    ctx: Context,
    *,
    actor: str,
    work_ids: Sequence[int] = (),
    channel: str | None = None,
    reason: str | None = None,
) -> tuple[int, ...]:
    """Put dead letters back in the queue: the given ids (all must be dead), or every dead item
    (of ``channel``) when no id is given. Attempts start again from 1. Returns the ids redriven.
    """
    now = ctx.clock()
    with ctx.db.write() as conn:
        query = select(WORK).order_by(WORK.c.id).with_for_update()
        if work_ids:
            query = query.where(WORK.c.id.in_(list(work_ids)))
        else:
            query = query.where(WORK.c.state == WorkState.DEAD.value)
        if channel is not None:
            query = query.where(WORK.c.channel == channel)
        rows = list(conn.execute(query).mappings())
        _check_redrivable(rows, work_ids, channel)
        for row in rows:
            _revive(conn, row, actor=actor, now=now, reason=reason)
        return tuple(int(r["id"]) for r in rows)


def _check_redrivable(rows: Sequence[RowMapping], work_ids: Sequence[int], channel: str | None) -> None:
    missing = sorted(set(work_ids) - {int(r["id"]) for r in rows})
    if missing:
        where = f" on channel {channel}" if channel else ""
        items = ", ".join(map(str, missing))
        raise NotFound(
            f"there is no work item {items}{where}",
            cli_hint="see `ecms-gateway queue`",
            fault_code="store.redrive_missing",
            fault_params=fault_params("store.redrive_missing", items=items),
        )
    alive = [r for r in rows if r["state"] != WorkState.DEAD.value]
    if alive:
        said = ", ".join(f"{r['id']} ({r['state']})" for r in alive)
        raise StoreError(
            f"only dead letters can be redriven; not dead: {said}; nothing was changed",
            fault_code="store.redrive_not_dead",
            fault_params=fault_params("store.redrive_not_dead", items=", ".join(str(r["id"]) for r in alive)),
        )


def _revive(conn: Connection, row: RowMapping, *, actor: str, now: datetime, reason: str | None) -> None:
    work_id = int(row["id"])
    conn.execute(
        update(WORK)
        .where(WORK.c.id == work_id)
        .values(state=WorkState.READY.value, attempts=0, first_try_at=None, next_try_at=now, finished_at=None)
    )
    if row["kind"] == WorkKind.SEND.value and row["letter_id"] is not None:
        letter = lock_letter(conn, int(row["letter_id"]))
        if letter["state"] == LetterState.FAILED.value:
            apply(conn, letter, Event.REDRIVE, actor=actor, now=now, reason=reason, work_id=work_id)
            return
    audit.append(
        conn,
        at=now,
        actor=actor,
        action="work.redriven",
        letter_id=row["letter_id"],
        work_id=work_id,
        reason=reason,
        detail={"kind": row["kind"], "last_error": row["last_error"]},
    )
