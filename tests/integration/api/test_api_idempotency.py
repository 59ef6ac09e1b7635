"""Idempotency-Key: a retried submission (or resend) returns the same letter, concurrent ones make one
letter, the same key with another letter is refused, and a refused request does not use the key up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import httpx
import pytest
from ecms_adapters.api.idempotent import ORIGIN_SOURCE, resend_digest

from ecms_gateway.access import Role
from ecms_gateway.engine import LetterQuery, NotifierKind, Store
from ecms_gateway.engine.events import Origin
from ecms_gateway.engine.intake import content_digest
from ecms_gateway.letter.loader import load_letter_dict
from tests.integration.api.letters import (
    base64_body,
    files_of,
    letter_json,
    multipart,
    notify,
    send,
    withdrawal_done,
)
from tests.integration.api.server import ApiServer


def _count(api: ApiServer) -> int:
    return api.store.letters(LetterQuery(), limit=1).total


def test_a_retry_with_the_same_key_returns_the_same_letter(api: ApiServer) -> None:
    letter = letter_json(1)
    files = files_of(letter)
    key = {"Idempotency-Key": "office-7f3a"}
    with api.client() as client:
        first = client.post("/api/v1/letters", files=multipart(letter, files), headers=key)
        # The retry may even come in the other shape: the same letter is the same request.
        again = client.post("/api/v1/letters", json=base64_body(letter, files), headers=key)
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == first.headers["location"]
    assert _count(api) == 1


def test_the_same_key_with_another_letter_is_refused(api: ApiServer) -> None:
    key = {"Idempotency-Key": "k-1"}
    one, two = letter_json(1), letter_json(2)
    with api.client() as client:
        assert (
            client.post("/api/v1/letters", json=base64_body(one, files_of(one)), headers=key).status_code
            == 202
        )
        response = client.post("/api/v1/letters", json=base64_body(two, files_of(two)), headers=key)
    assert response.status_code == 422
    assert "already used for a different letter" in response.json()["error"]
    assert _count(api) == 1


def test_keys_belong_to_their_caller(api: ApiServer) -> None:
    key = {"Idempotency-Key": "shared-name"}
    one, two = letter_json(1), letter_json(2)
    with api.client(Role.CLERK) as clerk, api.client(Role.ADMIN) as admin:
        a = clerk.post("/api/v1/letters", json=base64_body(one, files_of(one)), headers=key)
        b = admin.post("/api/v1/letters", json=base64_body(two, files_of(two)), headers=key)
    assert (a.status_code, b.status_code) == (202, 202)
    assert a.json()["id"] != b.json()["id"]


def test_a_refused_submission_leaves_the_key_free_for_the_corrected_one(api: ApiServer) -> None:
    key = {"Idempotency-Key": "fix-and-retry"}
    broken = letter_json(1, secrecy="top_secret")
    fixed = letter_json(1)
    with api.client() as client:
        assert (
            client.post(
                "/api/v1/letters", json=base64_body(broken, files_of(broken)), headers=key
            ).status_code
            == 422
        )
        assert (
            client.post("/api/v1/letters", json=base64_body(fixed, files_of(fixed)), headers=key).status_code
            == 202
        )


@pytest.mark.anyio
async def test_concurrent_submissions_with_one_key_make_one_letter(api: ApiServer) -> None:
    letter = letter_json(9)
    body = base64_body(letter, files_of(letter, 9, size=100_000))
    results: list[tuple[int, int]] = []

    async def submit(client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v1/letters", json=body, headers={"Idempotency-Key": "burst"})
        results.append((response.status_code, response.json().get("id", -1)))

    async with api.async_client() as client, anyio.create_task_group() as tasks:
        for _ in range(8):
            tasks.start_soon(submit, client)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 7 + [202], results
    assert len({letter_id for _, letter_id in results}) == 1
    assert _count(api) == 1


def test_a_retry_after_a_crash_between_letter_and_key_finds_the_letter(
    api: ApiServer, tmp_path: Path
) -> None:
    """The first request reserved the key and committed the letter (with the key as its origin), then
    the process died before completing the key: the retry, once the reservation is stale, gets that
    letter and no second one."""
    letter = letter_json(1)
    files = files_of(letter)
    package = load_letter_dict(letter, files.get)
    actor = "apikey:clerk-system"
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    with Store(data_dir=tmp_path / "data", clock=lambda: long_ago) as earlier:
        earlier.reserve_idempotency_key(principal=actor, key="crash", digest=content_digest(package))
    first = api.services.submit(
        package, actor=actor, origin=Origin(source=ORIGIN_SOURCE, key=f"{actor} crash")
    )
    with api.client() as client:
        retry = client.post(
            "/api/v1/letters", files=multipart(letter, files), headers={"Idempotency-Key": "crash"}
        )
        again = client.post(
            "/api/v1/letters", files=multipart(letter, files), headers={"Idempotency-Key": "crash"}
        )
    assert retry.status_code in (200, 202), retry.text
    assert retry.json()["id"] == first.letter_id
    assert (again.status_code, again.json()["id"]) == (200, first.letter_id)
    assert _count(api) == 1


def _withdrawn(api: ApiServer, client: httpx.Client, i: int) -> int:
    """Our letter ``i``, sent, rejected by its receiver, withdrawn and the withdrawal confirmed."""
    letter = letter_json(i)
    letter_id = int(client.post("/api/v1/letters", json=base64_body(letter, files_of(letter))).json()["id"])
    send(api.store, letter_id)
    notify(api.store, NotifierKind.REJECT, i)
    assert client.post(f"/api/v1/letters/{letter_id}/withdraw").status_code == 200
    withdrawal_done(api.store)
    return letter_id


def test_a_retried_resend_with_the_same_key_returns_the_letter_the_first_made(api: ApiServer) -> None:
    """The retry of a resend whose answer was lost got 409 duplicate_letter naming the new letter."""
    key = {"Idempotency-Key": "resend-7"}
    corrected = letter_json(7, subject="ขอเชิญประชุม (แก้ไข)")
    files = files_of(corrected)
    with api.client() as client:
        withdrawn = _withdrawn(api, client, 7)
        first = client.post(
            f"/api/v1/letters/{withdrawn}/resend", files=multipart(corrected, files), headers=key
        )
        again = client.post(
            f"/api/v1/letters/{withdrawn}/resend", json=base64_body(corrected, files), headers=key
        )
    assert first.status_code == 202, first.text
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"] != withdrawn
    assert again.headers["location"] == first.headers["location"]
    assert _count(api) == 2


def test_the_same_key_with_another_request_is_refused_as_a_submission_is(api: ApiServer) -> None:
    corrected = letter_json(7, subject="ขอเชิญประชุม (แก้ไข)")
    with api.client() as client:
        withdrawn = _withdrawn(api, client, 7)
        used = letter_json(8)
        submitted = client.post(
            "/api/v1/letters", json=base64_body(used, files_of(used)), headers={"Idempotency-Key": "k-sub"}
        )
        as_it_was = client.post(f"/api/v1/letters/{withdrawn}/resend", headers={"Idempotency-Key": "k-1"})
        other = client.post(
            f"/api/v1/letters/{withdrawn}/resend",
            json=base64_body(corrected, files_of(corrected)),
            headers={"Idempotency-Key": "k-1"},
        )
        a_submissions_key = client.post(
            f"/api/v1/letters/{withdrawn}/resend", headers={"Idempotency-Key": "k-sub"}
        )
    assert (submitted.status_code, as_it_was.status_code) == (202, 202)
    for refused in (other, a_submissions_key):
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "idempotency_key_reused"
        assert "already used for a different letter" in refused.json()["error"]
    assert _count(api) == 3


def test_a_refused_resend_leaves_the_key_free(api: ApiServer) -> None:
    """Before the node confirmed the withdrawal the resend is 409; the same key works once it has."""
    key = {"Idempotency-Key": "too-soon"}
    letter = letter_json(5)
    with api.client() as client:
        letter_id = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter))).json()["id"]
        send(api.store, letter_id)
        notify(api.store, NotifierKind.REJECT, 5)
        client.post(f"/api/v1/letters/{letter_id}/withdraw")
        too_soon = client.post(f"/api/v1/letters/{letter_id}/resend", headers=key)
        withdrawal_done(api.store)
        later = client.post(f"/api/v1/letters/{letter_id}/resend", headers=key)
    assert too_soon.status_code == 409, too_soon.text
    assert later.status_code == 202, later.text


def test_a_resend_retried_after_a_crash_between_letter_and_key_finds_the_letter(
    api: ApiServer, tmp_path: Path
) -> None:
    actor = "apikey:clerk-system"
    with api.client() as client:
        withdrawn = _withdrawn(api, client, 6)
        long_ago = datetime.now(UTC) - timedelta(minutes=10)
        with Store(data_dir=tmp_path / "data", clock=lambda: long_ago) as earlier:
            earlier.reserve_idempotency_key(
                principal=actor, key="crash", digest=resend_digest(withdrawn, None)
            )
        first = api.services.resend(
            withdrawn, actor=actor, origin=Origin(source=ORIGIN_SOURCE, key=f"{actor} crash")
        )
        retry = client.post(f"/api/v1/letters/{withdrawn}/resend", headers={"Idempotency-Key": "crash"})
        again = client.post(f"/api/v1/letters/{withdrawn}/resend", headers={"Idempotency-Key": "crash"})
    assert retry.status_code in (200, 202), retry.text
    assert retry.json()["id"] == first.letter_id
    assert (again.status_code, again.json()["id"]) == (200, first.letter_id)
    assert _count(api) == 2


def test_a_key_over_255_characters_is_a_fault_of_the_header_saying_what_key_to_use(api: ApiServer) -> None:
    letter = letter_json(1)
    with api.client() as client:
        answer = client.post(
            "/api/v1/letters",
            json=base64_body(letter, files_of(letter)),
            headers={"Idempotency-Key": "k" * 256},
        )
    assert answer.status_code == 422, answer.text
    (fault,) = answer.json()["faults"]
    assert fault["where"] == "header.Idempotency-Key"
    assert fault["problem"].startswith("is 256 characters long; use a key of 1 to 255 characters")
    assert "UUID" in fault["problem"]
    assert "String should have" not in fault["problem"]
    assert _count(api) == 0
