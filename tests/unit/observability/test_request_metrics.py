"""Request latencies are observed per method, route template and status class, never per raw path."""

from __future__ import annotations

import asyncio

import httpx
from ecms_adapters.observability.middleware import UNMATCHED, RequestMetrics, request_histogram
from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route, Router


async def _letter(request: Request) -> Response:
    return PlainTextResponse(request.path_params["letter_id"])


async def _book(request: Request) -> Response:
    return PlainTextResponse(str(request.path_params["year"]))


async def _fails(_request: Request) -> Response:
    raise RuntimeError("bug")


def _app(registry: CollectorRegistry) -> Starlette:
    inner = Router(routes=[Route("/books/{year:int}", _book)])
    app = Starlette(
        routes=[
            Route("/letters/{letter_id}", _letter, methods=["GET"]),
            Route("/fails", _fails),
            Mount("/registry", app=inner),
        ]
    )
    app.add_middleware(RequestMetrics, histogram=request_histogram(registry))
    return app


def _count(registry: CollectorRegistry, method: str, route: str, status: str) -> float:
    labels = {"method": method, "route": route, "status": status}
    return registry.get_sample_value("ecms_gateway_http_request_duration_seconds_count", labels) or 0.0


def test_requests_are_counted_under_their_route_template_and_status_class() -> None:
    registry = CollectorRegistry()
    transport = httpx.ASGITransport(app=_app(registry), raise_app_exceptions=False)

    async def requests() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            for letter_id in (1, 2, 3):
                assert (await client.get(f"/letters/{letter_id}")).status_code == 200
            assert (await client.post("/letters/1")).status_code == 405
            assert (await client.get("/no/such/path/42")).status_code == 404
            assert (await client.get("/fails")).status_code == 500
            assert (await client.get("/registry/books/2569")).status_code == 200

    asyncio.run(requests())
    assert _count(registry, "GET", "/letters/{letter_id}", "2xx") == 3
    assert _count(registry, "POST", "/letters/{letter_id}", "4xx") == 1
    assert _count(registry, "GET", UNMATCHED, "4xx") == 1
    assert _count(registry, "GET", "/fails", "5xx") == 1
    assert _count(registry, "GET", "/registry/books/{year:int}", "2xx") == 1
    exposed = {s.labels.get("route") for m in registry.collect() for s in m.samples}
    assert not {"/letters/1", "/no/such/path/42"} & exposed


def test_plain_routes_in_a_fastapi_app_are_counted_under_their_template_too() -> None:
    """The gateway's app is FastAPI, whose router records only its API routes in the scope; the plain
    routes other faces add (health, web pages, static files) keep their templates, not "unmatched"."""
    registry = CollectorRegistry()
    app = FastAPI()
    api = APIRouter()

    @api.get("/letters/{letter_id}")
    async def letter(letter_id: int) -> dict[str, int]:
        return {"id": letter_id}

    app.include_router(api, prefix="/api/v1")
    app.add_route("/healthz", _alive, methods=["GET"])
    app.router.routes.append(Route("/web/letters/{letter_id:int}", _alive, methods=["GET"]))
    app.router.routes.append(Mount("/static", app=Router(routes=[])))
    app.add_middleware(RequestMetrics, histogram=request_histogram(registry))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async def requests() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            assert (await client.get("/api/v1/letters/7")).status_code == 200
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/web/letters/8")).status_code == 200
            assert (await client.post("/web/letters/8")).status_code == 405
            assert (await client.get("/static/app.css")).status_code == 404
            assert (await client.get("/nowhere")).status_code == 404

    asyncio.run(requests())
    assert _count(registry, "GET", "/api/v1/letters/{letter_id}", "2xx") == 1
    assert _count(registry, "GET", "/healthz", "2xx") == 1
    assert _count(registry, "GET", "/web/letters/{letter_id:int}", "2xx") == 1
    assert _count(registry, "POST", "/web/letters/{letter_id:int}", "4xx") == 1
    assert _count(registry, "GET", "/static/{path}", "4xx") == 1
    assert _count(registry, "GET", UNMATCHED, "4xx") == 1


async def _alive(_request: Request) -> Response:
    return PlainTextResponse("alive")
