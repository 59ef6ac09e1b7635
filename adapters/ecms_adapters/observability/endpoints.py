"""``/metrics`` (Prometheus text format, operators only), ``/healthz`` (alive) and ``/readyz`` (ready:
every check passes) on the gateway's FastAPI app. ``Observability`` is built once by the composition
root; its ``install_metrics`` and ``install_health`` are the hooks handed to the API app
(``create_app(..., extra=[...])``), and its ``recorder`` goes to the runtime's work loops. Who may
scrape is the API's own dependency (``auth.operator_only``), so keys, sessions and roles are checked
in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from fastapi import FastAPI, params
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    generate_latest,
)
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ecms_adapters.observability.middleware import RequestMetrics, request_histogram
from ecms_adapters.observability.recorder import PrometheusRecorder
from ecms_gateway.engine.context import utc_now
from ecms_gateway.runtime.health import HealthChecks

METRICS_PATH: Final = "/metrics"
HEALTHZ_PATH: Final = "/healthz"
READYZ_PATH: Final = "/readyz"


class Observability:
    """One registry of metrics (the runtime's counters, request latencies, the scrape-time collectors,
    the process's own), and the readiness checks."""

    def __init__(
        self,
        *,
        health: HealthChecks,
        collectors: Sequence[Collector] = (),
        guard: Sequence[params.Depends] = (),
        process_metrics: bool = True,
        started_at: datetime | None = None,
    ) -> None:
        self.registry = CollectorRegistry()
        self.recorder = PrometheusRecorder(self.registry)
        self.requests = request_histogram(self.registry)
        for collector in collectors:
            self.registry.register(collector)
        if process_metrics:  # CPU, memory, open files, GC: the process collectors of the client library
            for standard in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
                self.registry.register(standard)
        self.health = health
        self.guard = list(guard)  # FastAPI dependencies of /metrics; none: anyone may scrape
        self.started_at = started_at or utc_now()

    def install_metrics(self, app: FastAPI) -> None:
        """Time every request and serve ``/metrics`` behind the guard; call before the app starts."""
        app.add_middleware(RequestMetrics, histogram=self.requests)
        app.add_api_route(
            METRICS_PATH,
            self.metrics,
            methods=["GET"],
            include_in_schema=False,
            dependencies=self.guard,
            response_class=Response,
        )

    def install_health(self, app: Starlette) -> None:
        """Serve ``/healthz`` and ``/readyz`` (no credentials: load balancers and supervisors ask)."""
        app.add_route(HEALTHZ_PATH, self.healthz, methods=["GET"], include_in_schema=False)
        app.add_route(READYZ_PATH, self.readyz, methods=["GET"], include_in_schema=False)

    async def metrics(self) -> Response:
        # The store is synchronous: read it (through the collectors' cache) off the event loop.
        body = await asyncio.to_thread(generate_latest, self.registry)
        return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)

    async def healthz(self, _request: Request) -> Response:
        """Answering at all proves the process and its event loop are alive; nothing else is checked."""
        uptime = (utc_now() - self.started_at).total_seconds()
        return JSONResponse({"status": "alive", "uptime_seconds": round(uptime, 3)})

    async def readyz(self, _request: Request) -> Response:
        readiness = await self.health.readiness()
        return JSONResponse(readiness.body(), status_code=200 if readiness.ok else 503)
