"""``/readyz`` through a real HTTP server while PostgreSQL is out of reach: 503 naming the database as
out of reach (not "unexpected error"); while the gateway's tasks know it so, without a query of its
own per probe; ready again when a task finds it back or, when no task tried it lately, when its own
query is answered. ``/healthz`` stays 200 throughout."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from ecms_adapters.observability.endpoints import Observability
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from store_support import CutProxy

from ecms_gateway.engine import Store
from ecms_gateway.runtime.health import HealthChecks, database_check
from ecms_gateway.runtime.outage import MOST_S, StoreOutage
from tests.integration.observability.conftest import serving

pytestmark = [pytest.mark.postgres, pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _database(body: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in body["checks"] if c["name"] == "database")


async def test_readyz_follows_the_database_out_of_reach_and_back(
    proxied: tuple[Store, CutProxy], caplog: pytest.LogCaptureFixture
) -> None:
    store, proxy = proxied
    ticks = Ticks()
    outage = StoreOutage(clock=ticks)
    observability = Observability(
        health=HealthChecks([database_check(store, outage=outage)], cache_s=0), process_metrics=False
    )
    app = Starlette()
    observability.install_health(app)
    caplog.set_level(logging.INFO)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, trust_env=False) as http:
        assert (await http.get("/readyz")).status_code == 200

        proxy.cut()
        first = await http.get("/readyz")
        assert first.status_code == 503
        assert _database(first.json())["reason"].startswith("the database cannot be reached: ")
        assert outage.down  # the probe told the process, as a worker would have
        ticks.now += 3
        known = await http.get("/readyz")
        assert known.status_code == 503
        # From what the process knows, without a query: a query would say "cannot be reached".
        assert _database(known.json())["reason"].startswith("the database is out of reach for 3 s: ")
        assert (await http.get("/healthz")).status_code == 200

        proxy.mend()
        assert (await http.get("/readyz")).status_code == 503  # the process does not know yet
        for _ in range(3):  # a worker's store call after its wait; one the pool kept may fail once
            try:
                with store.db.read() as conn:
                    conn.exec_driver_sql("SELECT 1")
            except DBAPIError as exc:  # a dropped pooled connection, as a worker sees it
                outage.failed("worker", exc, base_s=0.1)
            else:
                outage.answered()
                break
        assert (await http.get("/readyz")).status_code == 200

        proxy.cut()
        assert (await http.get("/readyz")).status_code == 503
        proxy.mend()
        ticks.now += 2 * MOST_S + 1  # no task tried it since: the probe asks the database itself
        for _ in range(3):
            back = await http.get("/readyz")
            if back.status_code == 200:
                break
        assert back.status_code == 200, back.text
    said = [r.getMessage().split(" (")[0] for r in caplog.records if r.name == "ecms_gateway.runtime.outage"]
    assert said == [
        "the database cannot be reached",
        "the database answers again",
        "the database cannot be reached",
        "the database answers again",
    ]
    assert all(r.exc_info is None for r in caplog.records)
