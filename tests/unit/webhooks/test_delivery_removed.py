"""A webhook removed while one of its POSTs is on the way: the delivery loop drops the result quietly
(no foreign-key failure, no traceback in the log) and POSTs nothing more to the removed URL."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from ecms_gateway.engine import RetryPolicy, Store
from ecms_gateway.webhooks import Deliverer, PostResult, Webhooks
from ecms_gateway.webhooks.testing import ScriptedPoster
from tests.unit.webhooks.support import receive

pytestmark = pytest.mark.anyio
POLICY = RetryPolicy(base=timedelta(seconds=10), cap=timedelta(seconds=60), max_attempts=3, rand=lambda: 1.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path) as opened:
        yield opened


@dataclass
class RemovedMidway(ScriptedPoster):
    """An operator removes the webhook while its first POST is being answered with ``status``."""

    store: Store | None = None
    sub_id: int = 0
    status: int = 200

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> PostResult:
        if self.store is not None and not self.posted:
            Webhooks(self.store).remove(self.sub_id, actor="operator:test")
        self.script = [self.status]
        return await super().post(url, body, headers)


@pytest.mark.parametrize("status", [200, 500], ids=["taken", "refused"])
async def test_a_webhook_removed_during_a_post_gets_nothing_more_and_nothing_fails(
    store: Store, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    sub_id = Webhooks(store).add("https://saraban.example.go.th/hook", actor="test").subscription.id
    receive(store, 1)
    receive(store, 2)
    poster = RemovedMidway(store=store, sub_id=sub_id, status=status)
    deliverer = Deliverer(store=store, poster=poster, policy=POLICY, owner="test/webhooks")

    assert await deliverer.run_once() == 1  # the POST on the way; none after it
    assert await deliverer.run_once() == 0
    assert len(poster.posted) == 1
    assert Webhooks(store).all() == []
    assert store.verify_audit().ok
    assert not [r for r in caplog.records if r.exc_info]
