"""Figures for the operator dashboard and the metrics: the queue by state, channel and kind, letters
by state, and per-hour activity (sent, received, failed, send latency).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ecms_gateway.engine.context import Context
from ecms_gateway.engine.states import Direction, LetterState, WorkKind, WorkState
from ecms_gateway.engine.values import HourActivity, QueueStat
from ecms_gateway.store.tables import ATTEMPT, LETTER, WORK


def queue_stats(ctx: Context) -> list[QueueStat]:
    """Work not done yet (ready, leased, dead), grouped by state, channel and kind."""
    query = (
        select(WORK.c.state, WORK.c.channel, WORK.c.kind, func.count(), func.min(WORK.c.created_at))
        .where(WORK.c.state != WorkState.DONE.value)
        .group_by(WORK.c.state, WORK.c.channel, WORK.c.kind)
        .order_by(WORK.c.state, WORK.c.channel, WORK.c.kind)
    )
    with ctx.db.read() as conn:
        return [
            QueueStat(state=WorkState(s), channel=c, kind=WorkKind(k), count=int(n), oldest_at=oldest)
            for s, c, k, n, oldest in conn.execute(query).all()
        ]


def letter_counts(ctx: Context) -> dict[tuple[Direction, LetterState, str], int]:
    """How many letters are in each (direction, state, channel)."""
    query = select(LETTER.c.direction, LETTER.c.state, LETTER.c.channel, func.count()).group_by(
        LETTER.c.direction, LETTER.c.state, LETTER.c.channel
    )
    with ctx.db.read() as conn:
        return {
            (Direction(d), LetterState(s), c): int(n) for d, s, c, n in conn.execute(query).all()
        }


def activity(ctx: Context, *, since: datetime) -> list[HourActivity]:
    """One entry per hour from ``since`` (rounded down) to now, oldest first, empty hours included."""
    sends = (
        select(LETTER.c.created_at, func.min(ATTEMPT.c.ended_at))
        .join(WORK, WORK.c.letter_id == LETTER.c.id)
        .join(ATTEMPT, ATTEMPT.c.work_id == WORK.c.id)
        .where(
            WORK.c.kind == WorkKind.SEND.value,
            ATTEMPT.c.outcome == "done",
            ATTEMPT.c.ended_at >= since,
        )
        .group_by(LETTER.c.id, LETTER.c.created_at)
    )
    received = select(LETTER.c.created_at).where(
        LETTER.c.direction == Direction.IN.value, LETTER.c.created_at >= since
    )
    failed = select(ATTEMPT.c.ended_at).where(ATTEMPT.c.outcome == "dead", ATTEMPT.c.ended_at >= since)
    with ctx.db.read() as conn:
        sent_rows = conn.execute(sends).all()
        received_at = [r[0] for r in conn.execute(received).all()]
        failed_at = [r[0] for r in conn.execute(failed).all()]
    latencies: dict[datetime, list[float]] = defaultdict(list)
    for created, delivered in sent_rows:
        latencies[_hour(delivered)].append(max(0.0, (delivered - created).total_seconds()))
    received_n = _count_by_hour(received_at)
    failed_n = _count_by_hour(failed_at)
    hours = []
    hour, last = _hour(since), _hour(ctx.clock())
    while hour <= last:
        waits = sorted(latencies.get(hour, ()))
        hours.append(
            HourActivity(
                hour=hour,
                sent=len(waits),
                received=received_n.get(hour, 0),
                failed=failed_n.get(hour, 0),
                latency_p50_s=_percentile(waits, 0.50),
                latency_p95_s=_percentile(waits, 0.95),
            )
        )
        hour += timedelta(hours=1)
    return hours


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _count_by_hour(times: list[datetime]) -> dict[datetime, int]:
    counts: dict[datetime, int] = defaultdict(int)
    for at in times:
        counts[_hour(at)] += 1
    return counts


def _percentile(ordered: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of sorted values, or None when there are none."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without float surprises for small n
    return ordered[int(rank) - 1]
