"""Readiness checks run at once, each within its timeout, name the reason of every failure, and are
cached briefly so that frequent probes cost little."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ecms_gateway.engine import Store
from ecms_gateway.errors import TransientTransportError
from ecms_gateway.runtime.health import Check, HealthChecks, database_check, folder_check, node_check
from ecms_gateway.runtime.testing import MemoryNode
from tests.unit.runtime.support import ORGS, A


async def _fine() -> None:
    return None


async def _broken() -> None:
    raise ConnectionRefusedError("connection refused")


async def _hangs() -> None:
    await asyncio.sleep(3600)


def test_every_failed_check_names_its_reason_and_the_whole_is_not_ready() -> None:
    checks = HealthChecks(
        [
            Check(name="database", probe=_fine),
            Check(name="ecms:2099000000", probe=_broken),
            Check(name="mail:smtp", probe=_hangs, timeout_s=0.05),
        ]
    )
    readiness = asyncio.run(checks.readiness())
    assert not readiness.ok
    results = {c.name: c for c in readiness.checks}
    assert results["database"].ok
    assert results["database"].reason is None
    assert results["ecms:2099000000"].reason == "connection refused"
    assert results["mail:smtp"].reason == "no answer within 0.05 s"
    assert [c.name for c in readiness.failed] == ["ecms:2099000000", "mail:smtp"]


def test_a_result_is_given_again_within_the_cache_time_then_checked_anew() -> None:
    calls = 0
    now = [100.0]

    async def counted() -> None:
        nonlocal calls
        calls += 1

    checks = HealthChecks([Check(name="x", probe=counted)], cache_s=2.0, monotonic=lambda: now[0])

    async def scenario() -> None:
        await checks.readiness()
        now[0] += 1.0
        await checks.readiness()
        assert calls == 1
        now[0] += 1.5
        await checks.readiness()
        assert calls == 2

    asyncio.run(scenario())


def test_callers_arriving_during_a_check_share_its_result() -> None:
    calls = 0

    async def slow() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)

    checks = HealthChecks([Check(name="x", probe=slow)])

    async def scenario() -> None:
        results = await asyncio.gather(*(checks.readiness() for _ in range(5)))
        assert all(r is results[0] for r in results)

    asyncio.run(scenario())
    assert calls == 1


def test_the_database_and_a_writable_folder_pass(tmp_path: Path) -> None:
    with Store(data_dir=tmp_path) as store:
        checks = HealthChecks([database_check(store), folder_check("file_store", tmp_path / "files")])
        readiness = asyncio.run(checks.readiness())
    assert readiness.ok, readiness.failed
    assert not [p for p in (tmp_path / "files").iterdir() if p.name.startswith(".ready-")]


def test_a_file_store_that_cannot_be_written_fails_with_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "files"
    blocker.write_text("a file where the folder should be")
    readiness = asyncio.run(HealthChecks([folder_check("file_store", blocker)]).readiness())
    assert not readiness.ok
    assert (readiness.checks[0].reason or "") == f"file exists: {blocker}"


def test_the_node_check_asks_the_node_for_its_time_and_fails_when_it_cannot() -> None:
    node = MemoryNode(ORGS)
    check = node_check(A, node.client(A))
    assert check.name == f"ecms:{A}"
    assert asyncio.run(HealthChecks([check]).readiness()).ok
    node.fail_next(TransientTransportError("connection refused", endpoint="http://127.0.0.1:1/"))
    readiness = asyncio.run(HealthChecks([check]).readiness())
    assert not readiness.ok
    assert "connection refused" in (readiness.checks[0].reason or "")
