"""HTTP request latencies as a Prometheus histogram, labelled by method, route template and status
class: ``/api/letters/{letter_id}``, never the raw path, so that the number of series stays small."""

from __future__ import annotations

import time
from typing import Final

from prometheus_client import CollectorRegistry, Histogram
from starlette.routing import Mount
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


def route_template(scope: Scope) -> str:
    """The template of the route that took the request (after routing), or ``UNMATCHED``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    if isinstance(route, Mount):  # a mounted app without routes of its own (static files)
        return f"{path}/{{path}}"
    # A route inside a mounted router has a path relative to the mount: put the mount's prefix back.
    prefix = str(scope.get("root_path", ""))[len(str(scope.get("app_root_path", ""))) :]
    return prefix + path


class RequestMetrics:
    """ASGI middleware: observes every HTTP request's duration in ``histogram``."""

    def __init__(self, app: ASGIApp, *, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server sends when the app fails before it starts its response

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.histogram.labels(scope["method"], route_template(scope), f"{status // 100}xx").observe(
                time.perf_counter() - started
            )
