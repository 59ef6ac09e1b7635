"""Changing a webhook in one step (``Webhooks.change``): the event waiting for delivery is kept (removing
the webhook and adding it again lost it and every event in between), the new types and secret apply
from it on, a delivery under way stops after the POST it is making, and bad input is refused whole."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from ecms_gateway.engine import Store
from ecms_gateway.errors import NotFound, RequestInvalid
from ecms_gateway.store.tables import AUDIT
from ecms_gateway.webhooks import SIGNATURE_HEADER, EventType, PostResult, Webhooks, verify
from ecms_gateway.webhooks.testing import ScriptedPoster
from tests.unit.webhooks.support import Clock, deliverer_of, receive, submit

pytestmark = pytest.mark.anyio
URL = "https://saraban.example.go.th/hook"
OLD_SECRET, NEW_SECRET = "the-first-signing-secret", "the-second-signing-secret"


def _types(poster: ScriptedPoster) -> list[str]:
    return [json.loads(p.body)["type"] for p in poster.posted]


async def test_the_waiting_event_is_kept_and_the_new_types_and_secret_apply_from_it(
    store: Store, clock: Clock
) -> None:
    hooks = Webhooks(store)
    sub_id = hooks.add(URL, actor="test", events=["letter.received"], secret=OLD_SECRET).subscription.id
    receive(store, 1)
    poster = ScriptedPoster(script=[503])
    await deliverer_of(store, poster).run_once()  # the receiver is down: the event waits

    changed = hooks.change(
        sub_id, actor="operator:test", events=["letter.received", "letter.submitted"], secret=NEW_SECRET
    )
    submit(store, 2)
    clock.now += timedelta(minutes=1)
    await deliverer_of(store, poster).run_once()

    assert changed.events == (EventType.RECEIVED, EventType.SUBMITTED)
    assert changed.attempts == 1  # still the same event's tries
    assert _types(poster) == ["letter.received", "letter.received", "letter.submitted"]
    assert poster.posted[0].body == poster.posted[1].body  # the waiting event, not lost by the change
    now = int(clock.now.timestamp())
    for posted in poster.posted[1:]:
        assert verify(NEW_SECRET, posted.body, posted.headers[SIGNATURE_HEADER], now=now)
        assert not verify(OLD_SECRET, posted.body, posted.headers[SIGNATURE_HEADER], now=now)
    assert hooks.get(sub_id).health == "ok"


async def test_a_delivery_under_way_stops_after_the_post_it_is_making(store: Store) -> None:
    """The deliverer holds the old types while it goes through the chain; the change takes its lease,
    so the letter received after the first one is not POSTed under the types it no longer has."""
    hooks = Webhooks(store)
    sub_id = hooks.add(URL, actor="test").subscription.id
    receive(store, 1)
    receive(store, 2)
    submit(store, 3)

    @dataclass
    class ChangesWhilePosting(ScriptedPoster):
        async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> PostResult:
            if not self.posted:
                hooks.change(sub_id, actor="operator:test", events=["letter.submitted"])
            return await super().post(url, body, headers)

    poster = ChangesWhilePosting()
    await deliverer_of(store, poster).run_once()
    assert _types(poster) == ["letter.received"]  # the one on its way; then it stopped
    await deliverer_of(store, poster).run_once()
    assert _types(poster) == ["letter.received", "letter.submitted"]


def test_every_fault_is_refused_at_once_and_nothing_changes(store: Store) -> None:
    hooks = Webhooks(store)
    sub_id = hooks.add(URL, actor="test", events=["letter.received"]).subscription.id
    with pytest.raises(RequestInvalid) as refused:
        hooks.change(sub_id, actor="test", events=["letter.sent"], secret="short")
    assert [f.where for f in refused.value.faults] == ["events", "secret"]
    assert "unknown event type letter.sent" in str(refused.value)
    assert hooks.get(sub_id).events == (EventType.RECEIVED,)
    with pytest.raises(NotFound, match="no webhook 9"):
        hooks.change(9, actor="test", events=["letter.received"])


def test_the_change_is_audited_without_the_secret(store: Store) -> None:
    hooks = Webhooks(store)
    sub_id = hooks.add(URL, actor="test").subscription.id
    hooks.change(sub_id, actor="operator:test", events=["letter.state_changed"], secret=NEW_SECRET)
    [entry] = store.audit_lines(limit=1)
    assert (entry.action, entry.actor) == ("webhook.changed", "operator:test")
    with store.db.read() as conn:
        kept = [dict(row) for row in conn.execute(select(AUDIT)).mappings()]
    assert NEW_SECRET not in repr(kept)
    assert store.verify_audit().ok
