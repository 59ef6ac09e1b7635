"""The PostgreSQL server out of reach under a running gateway's workers (stopped, restarting, cut off):
the process says so once, without a traceback per worker and try, waits longer between tries, says
when the server answers again, and then does the work that was waiting."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from store_support import CutProxy, make_package

from ecms_gateway.engine import Claim, Store, WorkKind
from ecms_gateway.runtime.outage import StoreOutage
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.worker import WorkLoop
from ecms_gateway.store.database import unreachable

pytestmark = pytest.mark.postgres


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _loop(store: Store, name: str, outage: StoreOutage, done: list[int]) -> WorkLoop:
    async def handle(claim: Claim) -> str:
        done.append(claim.work_id)
        return "sent"

    return WorkLoop(
        store=store,
        channel="ecms",
        kinds=(WorkKind.SEND,),
        name=name,
        handler=handle,
        idle_s=0.01,
        lease=timedelta(minutes=5),
        wake=Pulse(),
        outage=outage,
    )


def test_an_unreachable_server_is_told_from_a_fault_of_the_statement(
    proxied: tuple[Store, CutProxy],
) -> None:
    store, proxy = proxied
    with pytest.raises(IntegrityError) as refused, store.db.write() as conn:
        conn.execute(text("INSERT INTO letter (id) VALUES (NULL)"))
    assert unreachable(refused.value) is None
    proxy.cut()
    with pytest.raises(Exception) as down:  # noqa: PT011 - whatever the driver raises, it is translated below
        store.claim("ecms", "w", lease=timedelta(minutes=1))
    assert unreachable(down.value)


@pytest.mark.anyio
async def test_workers_say_once_that_the_database_is_out_of_reach_and_once_that_it_is_back(
    proxied: tuple[Store, CutProxy], caplog: pytest.LogCaptureFixture
) -> None:
    store, proxy = proxied
    outage, done = StoreOutage(), []
    loops = [_loop(store, f"host/1/out-{n}", outage, done) for n in (1, 2)]
    stopping = asyncio.Event()
    proxy.cut()
    caplog.set_level(logging.INFO)
    for _ in range(4):
        for loop in loops:
            assert await loop._claim(stopping, look_first=True) == (None, False)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage().split(" (")[0] for r in errors] == ["the database cannot be reached"]
    assert all(r.exc_info is None for r in caplog.records)
    assert outage.down
    assert outage.failed("host/1/out-1", OSError("?"), base_s=0.01) is None  # not an outage: said as before

    proxy.mend()
    work = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    claim, _ = await loops[0]._claim(stopping, look_first=True)
    assert claim is not None
    assert claim.letter_id == work
    back = [r.getMessage() for r in caplog.records if "answers again" in r.getMessage()]
    assert len(back) == 1
    assert not outage.down
