"""What a clerk does to a letter: register, reject or mark invalid a received one; withdraw a refused
sent one and send it again; report that the receive number a sent one got is wrong. An action the
letter's state does not allow is 409 ``wrong_state``: one sentence saying what can be done with the
letter now (the routes to call), and the same in ``state`` and ``allowed``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from ecms_adapters.api.deps import Clerk, api_base, services_of
from ecms_adapters.api.errors import WRONG_STATE, ApiError, ErrorBody
from ecms_adapters.api.idempotent import IdempotencyKey, once, resend_digest
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
from ecms_gateway.engine.events import Origin
from ecms_gateway.engine.states import Direction
from ecms_gateway.errors import DuplicateLetter, IllegalTransition, NotFound, StoreError
from ecms_gateway.services.clerk import Submitted
from ecms_gateway.services.context import Services

router = APIRouter(tags=["actions"])
_T = TypeVar("_T")

_CONFLICT: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "no such letter"},
    409: {"model": ErrorBody, "description": "the letter's state does not allow this; `state`, `allowed`"},
}


async def _act(services: Services, request: Request, letter_id: int, action: Callable[[], _T]) -> _T:
    """Run a store action; a refusal by the letter's state becomes 409 saying what can be done now."""
    try:
        return await asyncio.to_thread(action)
    except (NotFound, DuplicateLetter):
        raise
    except (IllegalTransition, StoreError) as exc:
        summary = (await asyncio.to_thread(services.store.show, letter_id)).letter
        allowed = actions_for(summary.direction, summary.state, accept_id=summary.accept_id)
        refusal = refused(
            exc,
            action=request.url.path.rstrip("/").rsplit("/", 1)[-1],  # the route's last part names it
            letter_id=letter_id,
            direction=summary.direction,
            state=summary.state.value,
            allowed=allowed,
            base=api_base(request),
        )
        raise refusal from exc


# What each action does, as "cannot be ..." and as "what can be done now".
_DONE = {
    "register": "registered",
    "reject": "rejected",
    "invalid": "marked invalid",
    "withdraw": "withdrawn",
    "resend": "sent again",
    "invalid-accept-id": "reported for a wrong receive number",
}
_TO_DO = {
    "register": "register it",
    "reject": "reject it",
    "invalid": "mark it invalid",
    "withdraw": "withdraw it",
    "resend": "send it again",
    "invalid-accept-id": "report that the receive number its receiver gave is wrong",
}
# Refusals that are about something other than the state (an earlier step not finished yet): the
# action the state allows is not possible now either, and the sentence says why and when.
_NOT_YET = {
    "store.resend_unconfirmed": (
        "resend",
        "the node has not confirmed the withdrawal yet (the running gateway is sending it: GET {href} "
        "shows the attempts); send it again once that is done",
    ),
    "store.accept_id_report_pending": (
        "invalid-accept-id",
        "an earlier report about its receive number is still being sent (GET {href} shows the "
        "attempts); report again once that is done if need be",
    ),
}
# The core's reason where its own words would only repeat the sentence's head (the letter, its state).
_WHY = {
    "store.resend_not_withdrawn": "a letter is sent again only after its receiver refused it and it was "
    "withdrawn",
}


def refused(
    exc: StoreError,
    *,
    action: str,
    letter_id: int,
    direction: Direction,
    state: str,
    allowed: list[str],
    base: str,
) -> ApiError:
    """The 409 for ``action`` (``register``, ``resend``, ...) that ``exc`` refused: which letter, why,
    and what can be done with it now (the routes), in one sentence; ``state`` and ``allowed`` say the
    same for a program."""
    href = f"{base}/letters/{letter_id}"
    done = _DONE.get(action, action)
    not_yet = _NOT_YET.get(exc.fault_code or "")
    if not_yet is not None:
        blocked, later = not_yet
        allowed = [a for a in allowed if a != blocked]
        head = f"letter {letter_id} cannot be {done} yet: {later.format(href=href)}"
    else:
        whose = "a letter we received" if direction is Direction.IN else "a letter we sent"
        head = f"letter {letter_id} cannot be {done}: it is {whose}, now {state}"
        # The engine's refusal speaks of its events; other refusals say why in the API's terms too.
        why: str | None = _WHY.get(exc.fault_code or "")
        if why is None and not isinstance(exc, IllegalTransition):
            why = exc.fact
        head += f" ({why})" if why else ""
    if allowed:
        can = "; ".join(f"{_TO_DO.get(a, a)} (POST {href}/{a})" for a in allowed)
        tail = f"; what can be done with it now: {can}"
    else:
        tail = "" if not_yet else "; none of the actions applies to it now"
    return ApiError(409, head + tail, code=WRONG_STATE, extra={"state": state, "allowed": allowed})


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
    number = await _act(
        services, request, letter_id, lambda: services.register(letter_id, actor=caller.actor)
    )
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
        services,
        request,
        letter_id,
        lambda: services.reject(letter_id, reason=body.reason, actor=caller.actor),
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
        services,
        request,
        letter_id,
        lambda: services.mark_invalid(letter_id, reason=body.reason, actor=caller.actor),
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
    await _act(
        services, request, letter_id, lambda: services.withdraw(letter_id, actor=caller.actor, reason=reason)
    )
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
        request,
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
    description="With an Idempotency-Key, as a submission: the same key and the same request again "
    "answer 200 with the letter the first one made; the same key with another request is 422.",
    response_model=SubmittedOut,
    openapi_extra={"requestBody": {**SUBMISSION_BODY["requestBody"], "required": False}},
    responses={
        200: {"model": SubmittedOut, "description": "the letter an earlier request with this key made"},
        **_CONFLICT,
        422: {"model": ErrorBody, "description": "every fault of the corrected letter; a key reused"},
    },
)
async def resend(
    request: Request, caller: Clerk, letter_id: LetterId, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    services = services_of(request)
    corrected = None
    if await request.body():
        envelope = await read_envelope(request)
        corrected = package_of(envelope, Checks(settings=services.settings, routing=services.routing()))

    async def make(origin: Origin | None) -> Submitted:
        return await _act(
            services,
            request,
            letter_id,
            lambda: services.resend(letter_id, actor=caller.actor, corrected=corrected, origin=origin),
        )

    result = await once(
        services,
        make,
        actor=caller.actor,
        key=idempotency_key,
        digest=resend_digest(letter_id, corrected),
        base=api_base(request),
    )
    return JSONResponse(
        result.body.model_dump(mode="json"),
        status_code=202 if result.created else 200,
        headers={"Location": result.body.href},
    )
