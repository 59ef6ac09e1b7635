"""What a clerk does to a letter: register, reject or mark invalid a received one; withdraw a refused
sent one and send it again; report that the receive number a sent one got is wrong. An action the
letter's state does not allow is 409 with its state and the actions it does allow."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from ecms_adapters.api.deps import Clerk, api_base, services_of
from ecms_adapters.api.errors import ApiError, ErrorBody
from ecms_adapters.api.letters import SUBMISSION_BODY, LetterId
from ecms_adapters.api.schemas import (
    ActionDone,
    OptionalReasonIn,
    ReasonIn,
    SubmittedOut,
    WrongAcceptIdDone,
    WrongAcceptIdIn,
    actions_for,
)
from ecms_adapters.api.submission import Checks, package_of, read_envelope
from ecms_gateway.errors import DuplicateLetter, IllegalTransition, NotFound, StoreError
from ecms_gateway.services.context import Services

router = APIRouter(tags=["actions"])
_T = TypeVar("_T")

_CONFLICT: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "no such letter"},
    409: {"model": ErrorBody, "description": "the letter's state does not allow this; `state`, `allowed`"},
}


async def _act(services: Services, letter_id: int, action: Callable[[], _T]) -> _T:
    """Run a store action; a refusal by the letter's state becomes 409 with what is allowed."""
    try:
        return await asyncio.to_thread(action)
    except (NotFound, DuplicateLetter):
        raise
    except (IllegalTransition, StoreError) as exc:
        summary = (await asyncio.to_thread(services.store.show, letter_id)).letter
        allowed = actions_for(summary.direction, summary.state, accept_id=summary.accept_id)
        raise ApiError(
            409,
            f"{exc}; letter {letter_id} is {summary.direction.value}bound and {summary.state.value}: "
            + (f"allowed now: {', '.join(allowed)}" if allowed else "no clerk action is allowed now"),
            extra={"state": summary.state.value, "allowed": allowed},
        ) from exc


async def _done(
    services: Services, request: Request, letter_id: int, number: int | None = None
) -> ActionDone:
    summary = (await asyncio.to_thread(services.store.show, letter_id)).letter
    return ActionDone(
        id=letter_id,
        state=summary.state,
        receive_number=number,
        href=f"{api_base(request)}/letters/{letter_id}",
    )


@router.post(
    "/letters/{letter_id}/register",
    summary="register a received letter: gives the receive number, tells the sender",
    response_model=ActionDone,
    responses=_CONFLICT,
)
async def register(request: Request, caller: Clerk, letter_id: LetterId) -> ActionDone:
    services = services_of(request)
    number = await _act(services, letter_id, lambda: services.register(letter_id, actor=caller.actor))
    return await _done(services, request, letter_id, number)


@router.post(
    "/letters/{letter_id}/reject",
    summary="refuse a received letter; the sender is told the reason",
    response_model=ActionDone,
    responses=_CONFLICT,
)
async def reject(request: Request, caller: Clerk, letter_id: LetterId, body: ReasonIn) -> ActionDone:
    services = services_of(request)
    await _act(
        services, letter_id, lambda: services.reject(letter_id, reason=body.reason, actor=caller.actor)
    )
    return await _done(services, request, letter_id)


@router.post(
    "/letters/{letter_id}/invalid",
    summary="mark a received letter wrong or misaddressed; the sender is told the reason",
    response_model=ActionDone,
    responses=_CONFLICT,
)
async def mark_invalid(request: Request, caller: Clerk, letter_id: LetterId, body: ReasonIn) -> ActionDone:
    services = services_of(request)
    await _act(
        services, letter_id, lambda: services.mark_invalid(letter_id, reason=body.reason, actor=caller.actor)
    )
    return await _done(services, request, letter_id)


@router.post(
    "/letters/{letter_id}/withdraw",
    summary="withdraw a sent letter the receiver rejected or found invalid",
    response_model=ActionDone,
    responses=_CONFLICT,
)
async def withdraw(
    request: Request,
    caller: Clerk,
    letter_id: LetterId,
    body: Annotated[OptionalReasonIn | None, Body()] = None,
) -> ActionDone:
    services = services_of(request)
    reason = body.reason if body else None
    await _act(services, letter_id, lambda: services.withdraw(letter_id, actor=caller.actor, reason=reason))
    return await _done(services, request, letter_id)


@router.post(
    "/letters/{letter_id}/invalid-accept-id",
    status_code=202,
    summary="tell the receiver of a sent letter that the receive number it gave is wrong",
    description="Records the report with its reason in the letter's history and queues an "
    "InvalidAcceptIDNotifier carrying the reason; the gateway sends it with retries (see the letter's "
    "attempts, kind notify_invalid_accept_id). 409 when the letter is not one we sent or has no receive "
    "number from its receiver, or an earlier report is still being sent.",
    response_model=WrongAcceptIdDone,
    responses=_CONFLICT,
)
async def invalid_accept_id(
    request: Request, caller: Clerk, letter_id: LetterId, body: WrongAcceptIdIn
) -> WrongAcceptIdDone:
    services = services_of(request)
    report = await _act(
        services,
        letter_id,
        lambda: services.report_wrong_accept_id(letter_id, reason=body.reason, actor=caller.actor),
    )
    summary = (await asyncio.to_thread(services.store.show, letter_id)).letter
    return WrongAcceptIdDone(
        id=letter_id,
        state=summary.state,
        accept_id=report.accept_id,
        work_id=report.work_id,
        href=f"{api_base(request)}/letters/{letter_id}",
    )


@router.post(
    "/letters/{letter_id}/resend",
    status_code=202,
    summary="send a withdrawn letter again as a new letter, as it was or corrected",
    response_model=SubmittedOut,
    openapi_extra={"requestBody": {**SUBMISSION_BODY["requestBody"], "required": False}},
    responses={**_CONFLICT, 422: {"model": ErrorBody, "description": "every fault of the corrected letter"}},
)
async def resend(request: Request, caller: Clerk, letter_id: LetterId) -> JSONResponse:
    services = services_of(request)
    corrected = None
    if await request.body():
        envelope = await read_envelope(request)
        corrected = package_of(envelope, Checks(settings=services.settings, routing=services.routing()))
    submitted = await _act(
        services, letter_id, lambda: services.resend(letter_id, actor=caller.actor, corrected=corrected)
    )
    summary = (await asyncio.to_thread(services.store.show, submitted.letter_id)).letter
    href = f"{api_base(request)}/letters/{submitted.letter_id}"
    body = SubmittedOut(
        id=submitted.letter_id,
        state=summary.state,
        channel=submitted.route.channel,
        route=submitted.route.why,
        book_no=summary.book_no,
        href=href,
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=202, headers={"Location": href})
