"""Webhooks through the API (operators): register a URL (the generated secret shown once, a chosen
one never echoed), list them with their delivery health, see deliveries, retry, remove; and a whole
round trip: a receiver on 127.0.0.1 registered here gets a signed event for a letter submitted here
once the gateway's webhook loop runs."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ecms_gateway.access import Role
from ecms_gateway.engine import RetryPolicy
from ecms_gateway.webhooks import SIGNATURE_HEADER, verify
from tests.integration.api.letters import base64_body, files_of, letter_json
from tests.integration.api.server import ApiServer
from tests.integration.webhooks.receiver import deliver_until, running_receiver

HOOKS = "/api/v1/webhooks"
# Retries an hour apart: a failing receiver is tried once while a test looks.
SLOW = RetryPolicy(base=timedelta(hours=1), cap=timedelta(hours=1), max_attempts=50, rand=lambda: 1.0)
FAST = RetryPolicy(base=timedelta(milliseconds=200), cap=timedelta(seconds=1), max_attempts=50)


def _add(api: ApiServer, **body: Any) -> dict[str, Any]:
    with api.client(Role.OPERATOR) as client:
        response = client.post(HOOKS, json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    assert response.headers["location"] == answer["webhook"]["href"]
    return answer


def test_the_generated_secret_is_shown_once_and_never_listed(api: ApiServer) -> None:
    added = _add(api, url="https://saraban.example.go.th/hooks/ecms", events=["letter.received"])
    secret = added["secret"]
    assert secret.startswith("whsec_")
    hook = added["webhook"]
    assert hook["url"] == "https://saraban.example.go.th/hooks/ecms"
    assert hook["events"] == ["letter.received"]
    assert hook["health"] == "ok"
    assert hook["created_by"] == "apikey:operator-system"
    with api.client(Role.OPERATOR) as client:
        listing = client.get(HOOKS)
        one = client.get(hook["href"])
    assert [h["id"] for h in listing.json()] == [hook["id"]]
    assert one.json()["next_try_at"] is None  # nothing waits for a retry
    for answer in (listing, one):
        assert secret not in answer.text
        assert "secret" not in answer.text


def test_a_chosen_secret_is_never_echoed_and_every_type_is_the_default(api: ApiServer) -> None:
    chosen = "our-own-signing-secret-2026"
    added = _add(api, url="http://127.0.0.1:8999/hook", secret=chosen)
    assert added["secret"] is None
    assert chosen not in json.dumps(added)
    assert added["webhook"]["events"] == ["letter.received", "letter.submitted", "letter.state_changed"]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"url": "ftp://files.example/x"}, "is not a web address"),
        ({"url": "https://user:pw@example.go.th/h"}, "no user name or password"),
        ({"url": "https://example.go.th/h", "secret": "short"}, "at least 16 characters"),
        ({"url": "https://example.go.th/h", "events": ["letter.lost"]}, "the request has faults"),
        ({"url": "https://example.go.th/h", "events": []}, "the request has faults"),
        ({}, "the request has faults"),
    ],
    ids=["scheme", "credentials in the URL", "short secret", "unknown event", "no events", "no URL"],
)
def test_a_webhook_that_cannot_work_is_422_saying_why(
    api: ApiServer, body: dict[str, Any], said: str
) -> None:
    with api.client(Role.OPERATOR) as client:
        response = client.post(HOOKS, json=body)
        listing = client.get(HOOKS).json()
    assert response.status_code == 422, response.text
    assert said in response.text
    assert response.json()["code"] == "invalid"
    assert listing == []


def test_a_misspelt_field_is_a_fault_not_dropped(api: ApiServer) -> None:
    """`evnts` left out would have subscribed to every event; a redrive body's `reson` lost the reason."""
    with api.client(Role.OPERATOR) as client:
        hook = client.post(HOOKS, json={"url": "https://127.0.0.1:9/hook", "evnts": ["letter.received"]})
        redrive = client.post("/api/v1/queue/redrive", json={"all_dead": True, "reson": "fixed"})
        listing = client.get(HOOKS).json()
    for answer, field in ((hook, "evnts"), (redrive, "reson")):
        assert answer.status_code == 422, answer.text
        assert any(fault["where"].endswith(field) for fault in answer.json()["faults"]), answer.text
    assert listing == []


def test_an_unknown_webhook_is_404_and_a_removed_one_is_gone(api: ApiServer) -> None:
    hook = _add(api, url="https://example.go.th/h")["webhook"]
    with api.client(Role.OPERATOR) as client:
        removed = client.delete(hook["href"])
        after = [
            client.get(hook["href"]),
            client.delete(hook["href"]),
            client.get(f"{hook['href']}/deliveries"),
            client.post(f"{hook['href']}/retry"),
        ]
        listing = client.get(HOOKS).json()
    assert removed.status_code == 204
    assert [r.status_code for r in after] == [404, 404, 404, 404]
    assert f"there is no webhook {hook['id']}" in after[0].json()["error"]
    assert listing == []


def test_patch_changes_the_events_keeps_the_rest_and_never_echoes_the_secret(api: ApiServer) -> None:
    hook = _add(api, url="https://example.go.th/h", events=["letter.received"])["webhook"]
    chosen = "a-new-secret-of-our-own-2026"
    with api.client(Role.OPERATOR) as client:
        changed = client.patch(hook["href"], json={"events": ["letter.submitted", "letter.received"]})
        rotated = client.patch(hook["href"], json={"secret": chosen})
        shown = client.get(hook["href"]).json()
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["letter.received", "letter.submitted"]
    assert {k: v for k, v in changed.json().items() if k != "events"} == {
        k: v for k, v in hook.items() if k != "events"
    }
    assert rotated.status_code == 200, rotated.text
    assert chosen not in rotated.text
    assert shown["events"] == ["letter.received", "letter.submitted"]
    assert api.store.audit_lines(limit=1)[0].action == "webhook.changed"


@pytest.mark.parametrize(
    ("body", "faults"),
    [
        ({"events": ["letter.lost"], "secret": "short"}, {"events.0", "secret"}),
        ({"events": []}, {"events"}),
        ({"events": None}, {"events"}),
        ({"url": "https://example.go.th/other"}, {"url"}),
        ({"evnts": ["letter.received"]}, {"evnts"}),
        ({}, {"body"}),
    ],
    ids=["unknown event and short secret", "no events", "null", "a URL", "misspelt", "nothing"],
)
def test_a_patch_that_cannot_work_is_422_with_every_fault_and_changes_nothing(
    api: ApiServer, body: dict[str, Any], faults: set[str]
) -> None:
    hook = _add(api, url="https://example.go.th/h", events=["letter.received"])["webhook"]
    with api.client(Role.OPERATOR) as client:
        response = client.patch(hook["href"], json=body)
        after = client.get(hook["href"]).json()
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid"
    assert {f["where"] for f in response.json()["faults"]} == faults
    assert after == hook


def test_a_patch_says_why_in_words(api: ApiServer) -> None:
    hook = _add(api, url="https://example.go.th/h")["webhook"]
    with api.client(Role.OPERATOR) as client:
        url = client.patch(hook["href"], json={"url": "https://example.go.th/other"}).json()
        nothing = client.patch(hook["href"], json={}).json()
        short = client.patch(hook["href"], json={"secret": "short"}).json()
        unknown = client.patch(f"{HOOKS}/4242", json={"events": ["letter.received"]})
    [url_fault], [nothing_fault], [short_fault] = url["faults"], nothing["faults"], short["faults"]
    assert "register the new URL with POST /api/v1/webhooks, then DELETE this webhook" in url_fault["problem"]
    assert nothing_fault["problem"] == "changes nothing: give events, secret or both"
    assert "at least 16 characters" in short_fault["problem"]
    assert unknown.status_code == 404
    assert "GET /api/v1/webhooks lists" in unknown.json()["error"]


def test_clerks_may_not_register_webhooks(api: ApiServer) -> None:
    with api.client(Role.CLERK) as client:
        response = client.post(HOOKS, json={"url": "https://example.go.th/h"})
    assert response.status_code == 403
    assert api.store.audit_lines(limit=1)[0].action != "webhook.added"


def _submit(api: ApiServer, i: int) -> int:
    letter = letter_json(i)
    with api.client(Role.CLERK) as client:
        response = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter, i)))
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


@pytest.mark.anyio
async def test_a_receiver_registered_here_gets_a_signed_event_for_a_letter_submitted_here(
    api: ApiServer,
) -> None:
    with running_receiver() as receiver:
        added = _add(api, url=receiver.url, events=["letter.submitted"])
        letter_id = _submit(api, 1)
        await deliver_until(api.store, lambda: len(receiver.accepted()) == 1, policy=FAST)

    [request] = receiver.requests
    event = json.loads(request.body)
    assert event["type"] == "letter.submitted"
    assert event["letter_id"] == letter_id
    assert event["book_no"] == "ศธ 0990/1"
    assert verify(
        added["secret"], request.body, request.headers[SIGNATURE_HEADER.lower()], now=int(time.time())
    )
    with api.client(Role.OPERATOR) as client:
        hook = client.get(added["webhook"]["href"]).json()
        deliveries = client.get(f"{added['webhook']['href']}/deliveries").json()
    assert hook["health"] == "ok"
    assert hook["last_success_at"] is not None
    assert [(d["event_id"], d["status"], d["ok"]) for d in deliveries] == [(event["id"], 200, True)]


@pytest.mark.anyio
async def test_a_failing_webhook_shows_why_and_when_and_retry_wakes_the_gateway(api: ApiServer) -> None:
    with running_receiver() as receiver:
        receiver.fail_all = True
        hook = _add(api, url=receiver.url)["webhook"]
        _submit(api, 1)
        await deliver_until(api.store, lambda: len(receiver.requests) >= 1, policy=SLOW)

        with api.client(Role.OPERATOR) as client:
            [failing] = client.get(HOOKS).json()
            [delivery] = client.get(f"{hook['href']}/deliveries").json()
            wakes = api.wakes.count
            retried = client.post(f"{hook['href']}/retry")
        assert failing["health"] == "failing"
        assert failing["attempts"] == 1
        assert failing["failing_since"] is not None
        next_try = datetime.fromisoformat(failing["next_try_at"])
        assert next_try > datetime.now(UTC) + timedelta(minutes=30)  # the policy's hour
        assert "HTTP 500: receiver is down for maintenance" in failing["last_error"]
        assert (delivery["status"], delivery["ok"]) == (500, False)
        assert retried.status_code == 200
        assert datetime.fromisoformat(retried.json()["next_try_at"]) <= datetime.now(UTC)
        assert api.wakes.count == wakes + 1

        receiver.fail_all = False  # the receiver is back: the retried event goes through at once
        await deliver_until(api.store, lambda: len(receiver.accepted()) == 1, policy=SLOW)
    with api.client(Role.OPERATOR) as client:
        assert client.get(hook["href"]).json()["health"] == "ok"


@pytest.mark.anyio
async def test_a_patch_keeps_the_waiting_event_and_signs_it_with_the_new_secret(api: ApiServer) -> None:
    """Removing the webhook and adding it again lost the event it was retrying and those in between."""
    new_secret = "the-rotated-signing-secret"
    with running_receiver() as receiver:
        receiver.fail_all = True
        hook = _add(api, url=receiver.url, events=["letter.submitted"])["webhook"]
        letter_id = _submit(api, 1)
        await deliver_until(api.store, lambda: len(receiver.requests) >= 1, policy=SLOW)
        with api.client(Role.OPERATOR) as client:
            changed = client.patch(
                hook["href"],
                json={"events": ["letter.submitted", "letter.state_changed"], "secret": new_secret},
            )
            client.post(f"{hook['href']}/retry")
        receiver.fail_all = False
        await deliver_until(api.store, lambda: len(receiver.accepted()) == 1, policy=SLOW)
    assert changed.status_code == 200, changed.text
    assert changed.json()["health"] == "failing"  # the waiting event is still waiting: nothing skipped
    [first, *_] = receiver.requests
    [delivered] = receiver.accepted()
    assert delivered.body == first.body  # the event it was retrying, not lost by the change
    assert json.loads(delivered.body)["letter_id"] == letter_id
    signature = delivered.headers[SIGNATURE_HEADER.lower()]
    assert verify(new_secret, delivered.body, signature, now=int(time.time()))
