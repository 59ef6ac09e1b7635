"""``/queue``: the outbox/inbox work an operator watches, and redriving dead letters."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from ecms_adapters.api.deps import Operator, services_of
from ecms_adapters.api.errors import ApiError, ErrorBody
from ecms_adapters.api.schemas import (
    Channel,
    LetterCountOut,
    QueueRowOut,
    QueueStatsOut,
    RedriveIn,
    RedriveOut,
    WorkStatOut,
)
from ecms_gateway.engine import LetterState, WorkState
from ecms_gateway.errors import Fault

router = APIRouter(tags=["queue"])


@router.get(
    "/queue",
    summary="work items, oldest first (default: everything not done yet)",
    response_model=list[QueueRowOut],
)
async def list_queue(
    request: Request,
    _caller: Operator,
    state: WorkState | None = None,
    letter_state: LetterState | None = None,
    channel: Channel | None = None,
) -> list[QueueRowOut]:
    store = services_of(request).store
    rows = await asyncio.to_thread(store.queue, work_state=state, letter_state=letter_state, channel=channel)
    return [QueueRowOut.of(r) for r in rows]


@router.get(
    "/queue/stats",
    summary="how much work waits (by state, channel, kind, with the oldest) and letters by state",
    response_model=QueueStatsOut,
)
async def queue_stats(request: Request, _caller: Operator) -> QueueStatsOut:
    store = services_of(request).store
    work = await asyncio.to_thread(store.queue_stats)
    counts = await asyncio.to_thread(store.letter_counts)
    letters = [
        LetterCountOut(direction=direction, state=state, channel=channel, count=n)
        for (direction, state, channel), n in sorted(counts.items())
    ]
    return QueueStatsOut(work=[WorkStatOut.of(q) for q in work], letters=letters)


@router.post(
    "/queue/redrive",
    summary="send dead work items again: by id, or all dead (of a channel)",
    response_model=RedriveOut,
    responses={404: {"model": ErrorBody}, 409: {"model": ErrorBody, "description": "an item is not dead"}},
)
async def redrive(request: Request, caller: Operator, body: RedriveIn) -> RedriveOut:
    if bool(body.ids) == body.all_dead:
        raise ApiError(
            422,
            "say which dead items to redrive",
            faults=[Fault(where="ids", problem="give the work item ids, or all_dead: true (not both)")],
        )
    services = services_of(request)
    redriven = await asyncio.to_thread(
        services.store.redrive, body.ids, actor=caller.actor, channel=body.channel, reason=body.reason
    )
    if redriven:
        services.wake()
    return RedriveOut(redriven=list(redriven))
