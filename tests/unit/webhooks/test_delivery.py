"""Webhook delivery with a scripted poster over a real (SQLite) store: the public event shape, order,
the cursor that only moves after a 2xx, retries by the policy, pausing, filters and the service API."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest

from ecms_gateway.engine import Store
from ecms_gateway.errors import InputError, NotFound
from ecms_gateway.webhooks import (
    SIGNATURE_HEADER,
    EventType,
    SubscriptionState,
    Webhooks,
    verify,
)
from ecms_gateway.webhooks.testing import ScriptedPoster
from tests.unit.webhooks.support import Clock, deliverer_of, receive, submit

pytestmark = pytest.mark.anyio


def _bodies(poster: ScriptedPoster) -> list[dict[str, object]]:
    return [json.loads(p.body) for p in poster.posted]


async def test_events_after_the_subscription_are_posted_in_order_with_the_public_shape(store: Store) -> None:
    receive(store, 0)  # before the subscription: not delivered
    hooks = Webhooks(store)
    added = hooks.add("https://saraban.example.go.th/hook", actor="test")
    first = receive(store, 1)
    store.register_inbound(first, actor="clerk:somchai")
    sent = submit(store, 2)
    poster = ScriptedPoster()

    assert await deliverer_of(store, poster).run_once() == 3

    bodies = _bodies(poster)
    assert [b["type"] for b in bodies] == ["letter.received", "letter.state_changed", "letter.submitted"]
    assert [b["letter_id"] for b in bodies] == [first, first, sent]
    registered = bodies[1]
    assert set(registered) == {
        "id", "type", "at", "letter_id", "direction", "state", "previous_state", "book_no",
        "letter_date", "sender_org", "receiver_org", "channel", "registry_no", "reason",
    }  # fmt: skip
    assert registered["state"] == "registered"
    assert registered["previous_state"] == "received"
    assert registered["registry_no"] == 1
    assert registered["book_no"] == "ศธ 0990/1"
    assert registered["direction"] == "in"
    ids = [b["id"] for b in bodies]
    assert len(set(ids)) == 3
    assert all(str(i).startswith("evt_") for i in ids)
    assert hooks.get(added.subscription.id).cursor_seq == store.last_event_seq()


async def test_every_post_is_signed_with_the_subscription_secret(store: Store, clock: Clock) -> None:
    added = Webhooks(store).add("https://saraban.example.go.th/hook", actor="test")
    receive(store, 1)
    poster = ScriptedPoster()
    await deliverer_of(store, poster).run_once()
    (posted,) = poster.posted
    assert posted.headers["Content-Type"].startswith("application/json")
    assert posted.headers["X-Ecms-Event-Type"] == "letter.received"
    assert posted.headers["X-Ecms-Event-Id"] == json.loads(posted.body)["id"]
    now = int(clock.now.timestamp())
    assert verify(added.secret, posted.body, posted.headers[SIGNATURE_HEADER], now=now)
    assert not verify("whsec_not-the-right-secret", posted.body, posted.headers[SIGNATURE_HEADER], now=now)


async def test_a_failed_post_keeps_the_cursor_and_waits_for_the_policy_then_delivers_the_same_event(
    store: Store, clock: Clock
) -> None:
    hooks = Webhooks(store)
    sub_id = hooks.add("https://saraban.example.go.th/hook", actor="test").subscription.id
    receive(store, 1)
    receive(store, 2)
    poster = ScriptedPoster(script=[500])
    deliverer = deliverer_of(store, poster)

    assert await deliverer.run_once() == 1  # the first POST fails: the second event waits behind it
    failing = hooks.get(sub_id)
    assert failing.health == "failing"
    assert failing.attempts == 1
    assert failing.failing_since == clock.now
    assert failing.next_try_at == clock.now + timedelta(seconds=10)
    assert failing.last_error is not None
    assert "HTTP 500" in failing.last_error

    assert await deliverer.run_once() == 0  # not due yet
    clock.now += timedelta(seconds=10)
    assert await deliverer.run_once() == 2

    bodies = _bodies(poster)
    assert bodies[0]["id"] == bodies[1]["id"]  # the same event again, then the next one
    assert bodies[1]["letter_id"] != bodies[2]["letter_id"]
    healthy = hooks.get(sub_id)
    assert healthy.health == "ok"
    assert healthy.attempts == 0
    assert healthy.failing_since is None
    log = hooks.deliveries(sub_id)
    assert [(d.attempt, d.ok, d.status) for d in reversed(log)] == [
        (1, False, 500),
        (2, True, 200),
        (1, True, 200),
    ]


async def test_a_subscription_the_policy_gives_up_on_is_paused_until_retried(
    store: Store, clock: Clock
) -> None:
    hooks = Webhooks(store)
    sub_id = hooks.add("https://saraban.example.go.th/hook", actor="test").subscription.id
    receive(store, 1)
    poster = ScriptedPoster(script=[503, 503, 503])
    deliverer = deliverer_of(store, poster)
    for _ in range(3):
        await deliverer.run_once()
        clock.now += timedelta(minutes=5)
    paused = hooks.get(sub_id)
    assert paused.state is SubscriptionState.PAUSED
    assert paused.health == "paused"
    assert paused.last_error is not None
    # A sentence, not "...; last error: WebhookFailed: evt_...".
    assert paused.last_error.startswith("gave up after 3 attempts; last error: evt_")
    assert paused.last_error.endswith(": HTTP 503")
    assert "WebhookFailed" not in paused.last_error
    assert await deliverer.run_once() == 0  # paused: nothing is tried

    resumed = hooks.retry_now(sub_id, actor="operator:test")
    assert resumed.state is SubscriptionState.ACTIVE
    assert await deliverer.run_once() == 1
    assert hooks.get(sub_id).health == "ok"
    assert len({p.body for p in poster.posted}) == 1  # the same event all along: nothing skipped


async def test_the_event_filter_skips_other_types_and_still_moves_the_cursor(store: Store) -> None:
    hooks = Webhooks(store)
    sub_id = hooks.add(
        "https://saraban.example.go.th/hook", actor="test", events=["letter.submitted"]
    ).subscription.id
    receive(store, 1)
    submit(store, 2)
    receive(store, 3)
    poster = ScriptedPoster()
    assert await deliverer_of(store, poster).run_once() == 1
    assert [b["type"] for b in _bodies(poster)] == ["letter.submitted"]
    assert hooks.get(sub_id).cursor_seq == store.last_event_seq()


async def test_two_subscriptions_each_get_every_event_and_one_failing_does_not_hold_the_other(
    store: Store,
) -> None:
    hooks = Webhooks(store)
    bad = hooks.add("https://bad.example.go.th/hook", actor="test").subscription.id
    good = hooks.add("https://good.example.go.th/hook", actor="test").subscription.id
    receive(store, 1)
    receive(store, 2)

    @dataclass
    class ByUrl(ScriptedPoster):
        async def post(self, url: str, body: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def,override]
            self.script = [500] if "bad" in url else []
            return await super().post(url, body, headers)

    poster = ByUrl()
    await deliverer_of(store, poster).run_once()
    assert hooks.get(good).cursor_seq == store.last_event_seq()
    assert hooks.get(bad).health == "failing"


def test_the_service_refuses_bad_input_in_words(store: Store) -> None:
    hooks = Webhooks(store)
    with pytest.raises(InputError, match="not a web address"):
        hooks.add("ftp://saraban.example.go.th/x", actor="test")
    with pytest.raises(InputError, match="user name or password"):
        hooks.add("https://user:pw@saraban.example.go.th/x", actor="test")
    with pytest.raises(InputError, match=r"unknown event type letter\.sent"):
        hooks.add("https://saraban.example.go.th/x", actor="test", events=["letter.sent"])
    with pytest.raises(InputError, match="at least 16 characters"):
        hooks.add("https://saraban.example.go.th/x", actor="test", secret="short")
    with pytest.raises(NotFound, match="no webhook 9"):
        hooks.remove(9, actor="test")
    assert hooks.all() == []


def test_a_given_secret_is_kept_and_removal_is_audited(store: Store) -> None:
    hooks = Webhooks(store)
    added = hooks.add(
        "https://saraban.example.go.th/x",
        actor="test",
        secret="a-secret-the-office-chose",
        events=["letter.received"],
    )
    assert added.secret == "a-secret-the-office-chose"
    assert not added.secret_generated
    assert added.subscription.events == (EventType.RECEIVED,)
    hooks.remove(added.subscription.id, actor="operator:test")
    assert hooks.all() == []
    assert store.verify_audit().ok
