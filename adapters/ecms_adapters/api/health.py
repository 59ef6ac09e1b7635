"""``/healthz`` (the process answers) and ``/readyz`` (it can do its work: database, directory, the
last poll of each served organisation's node); both public, for load balancers and monitors.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from ecms_adapters.api.deps import services_of
from ecms_gateway.services.context import Services

router = APIRouter(tags=["health"])

PUBLIC_PATHS = frozenset({"/healthz", "/readyz"})
"""Routes anyone may call; the security test checks every other route needs credentials."""


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str]


@router.get("/healthz", response_model=Health, summary="the process is alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="the gateway can work: database, directory, each node's last poll",
    responses={503: {"model": Readiness, "description": "not ready; `checks` says what is wrong"}},
)
async def readyz(request: Request) -> JSONResponse:
    checks = await asyncio.to_thread(_checks, services_of(request))
    ready = all(value == "ok" for value in checks.values())
    body = Readiness(ready=ready, checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


def _checks(services: Services) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with services.store.db.read() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; the text says which
        checks["database"] = f"unreachable: {type(exc).__name__}"
    table = services.routing()
    checks["directory"] = "ok" if table is not None else "not loaded yet"
    for org in services.settings.orgs:
        error = services.status.last_poll_error.get(org.org_id)
        checks[f"node {org.org_id}"] = f"last poll failed: {error}" if error else "ok"
    return checks
