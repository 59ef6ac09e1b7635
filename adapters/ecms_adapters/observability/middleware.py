"""HTTP request latencies as a Prometheus histogram, labelled by method, route template and status
class: ``/api/v1/letters/{letter_id}``, never the raw path, so that the number of series stays small."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Final

from fastapi.routing import APIRoute, iter_route_contexts
from prometheus_client import CollectorRegistry, Histogram
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecms_adapters.observability.recorder import PREFIX

UNMATCHED: Final = "unmatched"
"""The route label of a request no route took (404s): raw paths would let anyone create series."""

# Seconds; from a cached health answer (~1 ms) to a large submission (several seconds).
BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def request_histogram(registry: CollectorRegistry) -> Histogram:
    return Histogram(
        f"{PREFIX}_http_request_duration_seconds",
        "Time from a request's arrival to the end of its response, by method, route template and status",
        ("method", "route", "status"),
        registry=registry,
        buckets=BUCKETS,
    )


def route_template(scope: Scope, entry: Scope | None = None, api: Mapping[int, str] | None = None) -> str:
    """The template of the route that took the request (after routing), or ``UNMATCHED``.

    ``entry`` is the request as it came in (before routing changed its paths), to find a plain route
    that FastAPI's router took without recording it (see ``plain_route``); ``api`` maps the app's API
    routes to their full templates (``api_templates``).
    """
    route = scope.get("route")
    if route is None and entry is not None:
        route = plain_route(scope.get("app"), entry)
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    if isinstance(route, APIRoute):  # an included router's route knows its path without the prefix
        return (api or {}).get(id(route), path)
    if isinstance(route, Mount):  # a mounted app without routes of its own (static files)
        return f"{path}/{{path}}"
    # A route inside a mounted router has a path relative to the mount: put the mount's prefix back.
    prefix = str(scope.get("root_path", ""))[len(str(scope.get("app_root_path", ""))) :]
    return prefix + path


def api_templates(app: object) -> dict[int, str]:
    """The full template (``/api/v1/letters/{letter_id}``) of each API route of ``app``, by the
    route's id: a route of an included router knows its path without the router's prefix."""
    return {
        id(context.original_route): context.path_format or ""
        for context in iter_route_contexts(getattr(app, "routes", ()))
        if isinstance(context.original_route, APIRoute)
    }


def plain_route(app: object, entry: Scope) -> BaseRoute | None:
    """The plain Starlette route or mount of ``app`` that takes ``entry``, as its router would choose.

    FastAPI's router puts only its own API routes into ``scope["route"]``; the routes other faces add
    to the gateway's app (``/healthz``, ``/readyz``, the web pages, ``/static``) would otherwise all be
    counted as unmatched. Matching again costs a few regular expressions, for those requests only.
    """
    routes = getattr(getattr(app, "router", None), "routes", ())
    partial: BaseRoute | None = None
    for candidate in routes:
        if not isinstance(candidate, (Route, Mount)):  # included API routers record themselves
            continue
        match, _child = candidate.matches(entry)
        if match is Match.FULL:
            return candidate
        if match is Match.PARTIAL and partial is None:  # the path, another method: a 405
            partial = candidate
    return partial


class RequestMetrics:
    """ASGI middleware: observes every HTTP request's duration in ``histogram``."""

    def __init__(self, app: ASGIApp, *, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram
        self._api: dict[int, str] | None = None  # read at the first request: every route is added by then

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # Routing rewrites the scope's paths in place: keep what came in to match plain routes later.
        entry = {
            "type": "http",
            "path": scope["path"],
            "root_path": scope.get("root_path", ""),
            "method": scope["method"],
        }
        status = 500  # what the server sends when the app fails before it starts its response

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        if self._api is None:
            self._api = api_templates(scope.get("app"))
        try:
            await self.app(scope, receive, sending)
        finally:
            self.histogram.labels(
                scope["method"], route_template(scope, entry, self._api), f"{status // 100}xx"
            ).observe(time.perf_counter() - started)
