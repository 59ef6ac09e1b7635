"""The e-CMS node over HTTP (Starlette, ASGI): POST SOAP requests to ``/ecms-ws01/service2``, GET its
WSDL at ``?wsdl`` and the schemas at ``?xsd=NAME``. ``?org=ID`` says which organisation is calling.

The app only moves bytes: ``NodeService`` decides and commits before the reply is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ecms_gateway.node import NodeService, ServiceDescription
from ecms_gateway.node.codes import TOO_LARGE
from ecms_gateway.node.options import SERVICE_PATH

log = logging.getLogger(__name__)

XML: Final = "text/xml; charset=utf-8"


def create_node_app(
    service: NodeService, description: ServiceDescription, *, relay_interval_s: float = 1.0
) -> Starlette:
    """The ASGI app of one node; its lifespan runs the relay worker every ``relay_interval_s``."""

    async def soap(request: Request) -> Response:
        org = request.query_params.get("org")
        if request.method == "GET":
            return _describe(request, description, org)
        body = await _body(request, service.settings.limits.max_bytes)
        if body is None:
            limit = service.settings.limits.max_bytes
            reply = service.fault(TOO_LARGE, f"the request is over {limit:,} bytes, this node's limit")
        else:
            reply = await service.handle(body, org=org)
        return Response(reply.body, status_code=500 if reply.fault else 200, media_type=XML)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        worker = asyncio.create_task(_relay_loop(service, relay_interval_s), name="ecms-node-relay")
        try:
            yield
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    return Starlette(routes=[Route(SERVICE_PATH, soap, methods=["GET", "POST"])], lifespan=lifespan)


def _describe(request: Request, description: ServiceDescription, org: str | None) -> Response:
    if "wsdl" in request.query_params:
        return Response(description.wsdl(org=org or None), media_type=XML)
    name = request.query_params.get("xsd")
    if name is not None:
        schema = description.schema(name)
        if schema is None:
            return PlainTextResponse(f"no schema {name!r} here", status_code=404)
        return Response(schema, media_type=XML)
    return PlainTextResponse(
        f"e-CMS node: POST SOAP 1.1 requests here; the WSDL is at {description.service_url}?wsdl",
        status_code=400,
    )


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is over ``limit`` bytes (reading stops there)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _relay_loop(service: NodeService, interval_s: float) -> None:
    while True:
        try:
            await service.relay_due()
        except Exception:
            log.exception("the relay worker failed; trying again in %s s", interval_s)
        await asyncio.sleep(interval_s)
