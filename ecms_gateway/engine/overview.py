"""Read-only views for the operators' dashboard that the letter queries do not give: the routes that
are failing now (outbound work with errors, per receiver and channel) and the audit log, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

from ecms_gateway.engine.context import Context
from ecms_gateway.engine.reasons import shown, shown_for
from ecms_gateway.engine.states import WorkState
from ecms_gateway.store.tables import AUDIT, LETTER, WORK


@dataclass(frozen=True, kw_only=True)
class FailingRoute:
    """Work for one receiver on one channel that failed at least once and is not done."""

    receiver_org: str
    channel: str
    retrying: int  # ready again after a failure
    dead: int  # gave up: needs a redrive
    last_error: str | None
    last_failed_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class AuditLine:
    seq: int
    at: datetime
    actor: str
    action: str
    letter_id: int | None
    reason: str | None


def failing_routes(ctx: Context, *, limit: int = 50) -> list[FailingRoute]:
    failing = and_(
        WORK.c.state.in_((WorkState.READY.value, WorkState.LEASED.value, WorkState.DEAD.value)),
        WORK.c.last_error.is_not(None),
    )
    dead = func.sum(case((WORK.c.state == WorkState.DEAD.value, 1), else_=0))
    query = (
        select(
            LETTER.c.receiver_org,
            WORK.c.channel,
            func.count().label("total"),
            dead.label("dead"),
            func.max(WORK.c.next_try_at).label("last_at"),
        )
        .select_from(WORK.join(LETTER, LETTER.c.id == WORK.c.letter_id))
        .where(failing)
        .group_by(LETTER.c.receiver_org, WORK.c.channel)
        .order_by(func.count().desc())
        .limit(limit)
    )
    with ctx.db.read() as conn:
        rows = conn.execute(query).mappings().all()
        out = []
        for row in rows:
            error = conn.execute(
                select(WORK.c.last_error)
                .select_from(WORK.join(LETTER, LETTER.c.id == WORK.c.letter_id))
                .where(
                    failing, LETTER.c.receiver_org == row["receiver_org"], WORK.c.channel == row["channel"]
                )
                .order_by(WORK.c.id.desc())
                .limit(1)
            ).scalar()
            dead_count = int(row["dead"] or 0)
            out.append(
                FailingRoute(
                    receiver_org=row["receiver_org"],
                    channel=row["channel"],
                    retrying=int(row["total"]) - dead_count,
                    dead=dead_count,
                    last_error=shown(error),
                    last_failed_at=row["last_at"],
                )
            )
        return out


def audit_lines(ctx: Context, *, before: int | None = None, limit: int = 100) -> list[AuditLine]:
    """Audit entries newest first; ``before`` pages back from that sequence number."""
    query = select(AUDIT).order_by(AUDIT.c.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(AUDIT.c.seq < before)
    with ctx.db.read() as conn:
        return [
            AuditLine(
                seq=r["seq"],
                at=r["at"],
                actor=r["actor"],
                action=r["action"],
                letter_id=r["letter_id"],
                reason=shown_for(r["action"], r["reason"]),
            )
            for r in conn.execute(query).mappings()
        ]
