"""``/webhooks`` (operators): register a URL for signed letter events, change its event types or
secret, see how its deliveries go, retry a failing one now, remove it. The core's ``Webhooks`` service
does the work (the CLI uses it too); the running gateway's webhook loop delivers."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from ecms_adapters.api.deps import Operator, api_base, services_of
from ecms_adapters.api.errors import ErrorBody
from ecms_adapters.api.hook_schemas import (
    DeliveryOut,
    WebhookChangeIn,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
)
from ecms_adapters.api.schemas import MAX_ID
from ecms_gateway.webhooks import Webhooks

router = APIRouter(tags=["webhooks"])

WebhookId = Annotated[int, Path(ge=1, le=MAX_ID, description="the webhook's id")]
_NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": ErrorBody, "description": "no such webhook"}}


def _hooks(request: Request) -> Webhooks:
    return Webhooks(services_of(request).store)


@router.post(
    "/webhooks",
    status_code=201,
    summary="register a URL for letter events (the generated secret is shown only in this answer)",
    response_model=WebhookCreatedOut,
    responses={422: {"model": ErrorBody, "description": "the URL, an event type or the secret cannot work"}},
)
async def add_webhook(
    request: Request, response: Response, caller: Operator, body: WebhookIn
) -> WebhookCreatedOut:
    events = None if body.events is None else [e.value for e in body.events]
    added = await asyncio.to_thread(
        _hooks(request).add, body.url, actor=caller.actor, events=events, secret=body.secret
    )
    out = WebhookOut.of(added.subscription, api_base(request))
    response.headers["Location"] = out.href
    # A secret the caller chose is never echoed: it is in no answer, log or listing.
    return WebhookCreatedOut(webhook=out, secret=added.secret if added.secret_generated else None)


@router.get("/webhooks", summary="every webhook with its delivery health", response_model=list[WebhookOut])
async def list_webhooks(request: Request, _caller: Operator) -> list[WebhookOut]:
    subs = await asyncio.to_thread(_hooks(request).all)
    prefix = api_base(request)
    return [WebhookOut.of(s, prefix) for s in subs]


@router.get(
    "/webhooks/{webhook_id}",
    summary="one webhook with its delivery health",
    response_model=WebhookOut,
    responses=_NOT_FOUND,
)
async def show_webhook(request: Request, _caller: Operator, webhook_id: WebhookId) -> WebhookOut:
    sub = await asyncio.to_thread(_hooks(request).get, webhook_id)
    return WebhookOut.of(sub, api_base(request))


@router.patch(
    "/webhooks/{webhook_id}",
    summary="change a webhook's event types or secret in one step (no event lost in between)",
    description="The event waiting for delivery stays where it is: the new event types apply from it "
    "on, and the new secret signs every POST from then on (a POST already on its way still arrives "
    "as it was sent). A field left out stays as it is; the URL cannot be changed. The body is checked "
    "as POST checks it: one 422 lists every fault.",
    response_model=WebhookOut,
    responses={
        **_NOT_FOUND,
        422: {"model": ErrorBody, "description": "an event type or the secret cannot work"},
    },
)
async def change_webhook(
    request: Request, caller: Operator, webhook_id: WebhookId, body: WebhookChangeIn
) -> WebhookOut:
    events = None if body.events is None else [e.value for e in body.events]
    services = services_of(request)
    changed = await asyncio.to_thread(
        Webhooks(services.store).change, webhook_id, actor=caller.actor, events=events, secret=body.secret
    )
    services.wake()  # the webhook loop starts again from the waiting event under the change
    return WebhookOut.of(changed, api_base(request))


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=204,
    summary="stop delivering to a webhook and forget it with its delivery log",
    response_class=Response,
    responses=_NOT_FOUND,
)
async def remove_webhook(request: Request, caller: Operator, webhook_id: WebhookId) -> Response:
    await asyncio.to_thread(_hooks(request).remove, webhook_id, actor=caller.actor)
    return Response(status_code=204)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    summary="a webhook's most recent POSTs, newest first, with their HTTP status or error",
    response_model=list[DeliveryOut],
    responses=_NOT_FOUND,
)
async def webhook_deliveries(
    request: Request,
    _caller: Operator,
    webhook_id: WebhookId,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DeliveryOut]:
    rows = await asyncio.to_thread(_hooks(request).deliveries, webhook_id, limit=limit)
    return [DeliveryOut.of(d) for d in rows]


@router.post(
    "/webhooks/{webhook_id}/retry",
    summary="try a failing or paused webhook now (a paused one starts a fresh round of retries)",
    response_model=WebhookOut,
    responses=_NOT_FOUND,
)
async def retry_webhook(request: Request, caller: Operator, webhook_id: WebhookId) -> WebhookOut:
    services = services_of(request)
    sub = await asyncio.to_thread(Webhooks(services.store).retry_now, webhook_id, actor=caller.actor)
    services.wake()  # the running gateway's webhook loop looks now instead of at its next interval
    return WebhookOut.of(sub, api_base(request))
