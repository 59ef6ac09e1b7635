"""Readiness: can the gateway do its work now? Named checks (the database answers, the file store is
writable, each channel is reachable), each run with a timeout, all at once, the result cached briefly
so that frequent probes cost little. Results are values with a reason for every failed check.

The checks are probes over ports (``EcmsNode.time_check`` for the e-CMS node); the composition root
adds the mail servers' probes from the adapters. Liveness needs no check: answering at all is alive.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ecms_gateway.engine import Store
from ecms_gateway.engine.context import utc_now
from ecms_gateway.engine.retry import describe
from ecms_gateway.errors import StoreError
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime.outage import StoreOutage
from ecms_gateway.store.database import unreachable

Probe = Callable[[], Awaitable[None]]
"""Returns when the thing works; raises (any error) with the reason when it does not."""

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_CACHE_S = 2.0
READINESS = "readiness"
"""The name the database check reports to the process's ``StoreOutage`` under."""


@dataclass(frozen=True, kw_only=True)
class Check:
    """One readiness check: ``name`` says what it looks at (``database``, ``ecms:2099000000``)."""

    name: str
    probe: Probe
    timeout_s: float = DEFAULT_TIMEOUT_S


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    name: str
    ok: bool
    reason: str | None  # why it failed, for an operator; None when it passed
    seconds: float  # how long the probe took


@dataclass(frozen=True, kw_only=True)
class Readiness:
    checks: tuple[CheckResult, ...]
    checked_at: datetime

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(check for check in self.checks if not check.ok)

    def body(self) -> dict[str, object]:
        """What ``/readyz`` answers, the gateway's and the node's alike: the status, when, and each
        check with its reason."""
        return {
            "status": "ready" if self.ok else "not ready",
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "checks": [
                {"name": c.name, "ok": c.ok, "reason": c.reason, "seconds": round(c.seconds, 4)}
                for c in self.checks
            ],
        }


class HealthChecks:
    """Runs ``checks`` concurrently, each within its timeout; a result younger than ``cache_s`` is
    given again, and callers arriving while a run is under way share it."""

    def __init__(
        self,
        checks: Sequence[Check],
        *,
        cache_s: float = DEFAULT_CACHE_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.checks = tuple(checks)
        self._cache_s = cache_s
        self._monotonic = monotonic
        self._last: tuple[float, Readiness] | None = None
        self._lock = asyncio.Lock()

    async def readiness(self) -> Readiness:
        async with self._lock:
            last = self._last
            if last is not None and self._monotonic() - last[0] < self._cache_s:
                return last[1]
            results = await asyncio.gather(*(run_check(check) for check in self.checks))
            readiness = Readiness(checks=tuple(results), checked_at=utc_now())
            self._last = (self._monotonic(), readiness)
            return readiness


async def run_check(check: Check) -> CheckResult:
    """The result of one check; a timeout or any error fails it with the reason."""
    started = time.monotonic()
    reason: str | None = None
    try:
        await asyncio.wait_for(check.probe(), check.timeout_s)
    except TimeoutError:
        reason = f"no answer within {check.timeout_s:g} s"
    except Exception as exc:  # a failed check is a result to report, whatever the error
        reason = describe(exc)
    return CheckResult(name=check.name, ok=reason is None, reason=reason, seconds=time.monotonic() - started)


def database_check(
    store: Store, *, outage: StoreOutage | None = None, timeout_s: float = DEFAULT_TIMEOUT_S
) -> Check:
    """The database answers a query. With ``outage`` (the process's, which its workers report to) a
    database its tasks found out of reach lately fails at once, without a query: the workers' own
    tries find it back, every few seconds. Otherwise, and for a gateway that has not touched the
    database lately, the query asks; what it finds goes to ``outage`` as any task's store call does."""

    def ping() -> None:
        with store.db.read() as conn:
            conn.execute(text("SELECT 1")).scalar_one()

    async def probe() -> None:
        known = None if outage is None else outage.known()
        if known is not None:
            raise StoreError(f"the database is {known}")
        try:
            await asyncio.to_thread(ping)
        except DBAPIError as exc:
            reason = unreachable(exc)
            if reason is None:
                raise
            if outage is not None:  # told on the event loop, as the workers tell it
                outage.failed(READINESS, exc, base_s=0)
            raise StoreError(f"the database cannot be reached: {reason}") from exc
        if outage is not None:
            outage.answered()

    return Check(name="database", probe=probe, timeout_s=timeout_s)


def folder_check(name: str, folder: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Check:
    """A file can be created, written, synced and removed in ``folder`` (the file store)."""

    def write() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        handle, path = tempfile.mkstemp(prefix=".ready-", dir=folder)
        try:
            os.write(handle, b"ready")
            os.fsync(handle)
        finally:
            os.close(handle)
            os.unlink(path)

    async def probe() -> None:
        await asyncio.to_thread(write)

    return Check(name=name, probe=probe, timeout_s=timeout_s)


def node_check(org_id: str, node: EcmsNode, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Check:
    """The e-CMS node of ``org_id`` answers its cheapest call (the time check)."""

    async def probe() -> None:
        await node.time_check()

    return Check(name=f"ecms:{org_id}", probe=probe, timeout_s=timeout_s)
