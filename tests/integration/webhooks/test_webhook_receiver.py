"""Webhook delivery through the real HTTP client to a real receiver on 127.0.0.1: signed, in order,
retried with backoff after 500s, failures visible to operators, redirects not followed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ecms_gateway.cli.main import main
from ecms_gateway.engine import RetryPolicy, Store
from ecms_gateway.webhooks import SIGNATURE_HEADER, Webhooks, verify
from tests.integration.webhooks.receiver import deliver_until, running_receiver
from tests.unit.webhooks.support import receive, submit

pytestmark = pytest.mark.anyio
BASE = 0.3
POLICY = RetryPolicy(
    base=timedelta(seconds=BASE), cap=timedelta(seconds=2), max_attempts=50, rand=lambda: 1.0
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as opened:
        yield opened


async def test_events_reach_the_receiver_signed_in_order_after_500s_with_backoff(store: Store) -> None:
    with running_receiver(script=[500, 500]) as receiver:
        added = Webhooks(store).add(receiver.url, actor="test")
        first = receive(store, 1)
        store.register_inbound(first, actor="clerk:test")
        submit(store, 2)

        await deliver_until(store, lambda: len(receiver.accepted()) == 3, policy=POLICY)

    requests = receiver.requests
    assert [r.status for r in requests] == [500, 500, 200, 200, 200]
    ids = [json.loads(r.body)["id"] for r in requests]
    assert ids[0] == ids[1] == ids[2]  # the same event until it is taken
    delivered = [json.loads(r.body) for r in receiver.accepted()]
    assert [d["type"] for d in delivered] == ["letter.received", "letter.state_changed", "letter.submitted"]
    seqs = [int(d["id"].removeprefix("evt_")) for d in delivered]
    assert seqs == sorted(seqs)
    for r in requests:
        assert verify(added.secret, r.body, r.headers[SIGNATURE_HEADER.lower()], now=int(time.time()))
        assert not verify(
            "whsec_somebody-elses-secret", r.body, r.headers[SIGNATURE_HEADER.lower()], now=int(time.time())
        )
    # The policy's backoff: base after the first failure, twice that after the second.
    assert requests[1].at - requests[0].at >= BASE * 0.9
    assert requests[2].at - requests[1].at >= 2 * BASE * 0.9
    sub = Webhooks(store).get(added.subscription.id)
    assert sub.health == "ok"
    assert sub.cursor_seq == store.last_event_seq()


async def test_a_failing_receiver_is_visible_with_its_last_error_and_attempts(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_receiver() as receiver:
        receiver.fail_all = True
        sub_id = Webhooks(store).add(receiver.url, actor="test").subscription.id
        receive(store, 1)
        await deliver_until(store, lambda: len(receiver.requests) >= 2, policy=POLICY)

    sub = Webhooks(store).get(sub_id)
    assert sub.health == "failing"
    assert sub.attempts >= 2
    assert sub.failing_since is not None
    assert sub.next_try_at > sub.failing_since
    assert sub.last_error is not None
    assert "HTTP 500: receiver is down for maintenance" in sub.last_error

    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ECMS_GATEWAY_CONFIG", raising=False)
    assert main(["webhooks", "list"]) == 0
    listing = capsys.readouterr().out
    assert "failing" in listing
    assert "HTTP 500" in listing
    assert main(["webhooks", "deliveries", str(sub_id)]) == 0
    log = capsys.readouterr().out
    assert "failed" in log
    assert "receiver is down for maintenance" in log


async def test_a_redirect_is_not_followed_and_says_where_it_points(store: Store) -> None:
    with running_receiver(script=[302]) as receiver:
        sub_id = Webhooks(store).add(receiver.url, actor="test").subscription.id
        receive(store, 1)
        await deliver_until(store, lambda: len(receiver.requests) >= 1, policy=POLICY)
    assert len(receiver.requests) == 1
    sub = Webhooks(store).get(sub_id)
    assert sub.last_error is not None
    assert "redirects to http://127.0.0.1:1/elsewhere, which is not followed" in sub.last_error
    assert sub.cursor_seq < store.last_event_seq()


async def test_an_unreachable_receiver_is_a_failure_in_words(store: Store) -> None:
    with running_receiver() as receiver:
        url = receiver.url
    sub_id = Webhooks(store).add(url, actor="test").subscription.id  # nothing listens there any more
    receive(store, 1)
    hooks = Webhooks(store)
    await deliver_until(store, lambda: hooks.get(sub_id).attempts >= 1, policy=POLICY)
    error = hooks.get(sub_id).last_error
    assert error is not None
    assert "cannot reach 127.0.0.1" in error
