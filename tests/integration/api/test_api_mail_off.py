"""Letters people sent by mail belong to the saraban mail channel: on a gateway without a [mail]
section every mail-letter route answers 404 ``mail_not_configured`` saying what to configure, as the
web pages do, and never what the store holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ecms_gateway.access import Role
from tests.integration.api.server import ApiServer, make_server
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import keep

BASE = "/api/v1/mail-letters"


@pytest.fixture
def mail_off(tmp_path: Path) -> Iterator[ApiServer]:
    server = make_server(tmp_path, mail=False).start()
    try:
        yield server
    finally:
        server.stop()
        server.store.close()


def test_without_mail_every_mail_letter_route_says_the_channel_is_not_configured(mail_off: ApiServer) -> None:
    record_id = keep(mail_off.store, corpus.gmail_letter())  # kept before the channel was switched off
    asked = [
        ("GET", BASE),
        ("GET", f"{BASE}?state=confirmed"),
        ("GET", f"{BASE}/{record_id}"),
        ("GET", f"{BASE}/{record_id}/files/0"),
        ("POST", f"{BASE}/{record_id}/confirm"),
        ("POST", f"{BASE}/{record_id}/dismiss"),
    ]
    with mail_off.client() as client:
        answers = {path: client.request(method, path, json={"reason": "ไม่ใช่หนังสือ"}) for method, path in asked}
    for path, answer in answers.items():
        assert answer.status_code == 404, path
        body = answer.json()
        assert body["code"] == "mail_not_configured", path
        assert "no saraban mail channel configured" in body["error"]
        assert "[mail] section" in body["error"]
        assert "items" not in body
    assert mail_off.store.mail_letter(record_id).state.value == "pending"  # nothing was dismissed


def test_without_mail_a_caller_without_a_key_is_still_told_to_sign_in_first(mail_off: ApiServer) -> None:
    with mail_off.client(role=None) as client:
        answer = client.get(BASE)
    assert answer.status_code == 401


def test_without_mail_the_letters_themselves_are_still_served(mail_off: ApiServer) -> None:
    with mail_off.client(Role.CLERK) as client:
        answer = client.get("/api/v1/letters")
    assert answer.status_code == 200


def test_with_mail_the_same_list_answers_the_waiting_mail_letters(api: ApiServer) -> None:
    record_id = keep(api.store, corpus.gmail_letter())
    with api.client() as client:
        answer = client.get(BASE)
    assert answer.status_code == 200
    assert [item["id"] for item in answer.json()["items"]] == [record_id]
