"""The REST API while PostgreSQL is out of reach: 503 ``store_unavailable`` with ``Retry-After`` and a
sentence saying to send it again with the same Idempotency-Key (not 500 ``internal`` with a traceback in
the log); sent again once the server answers, the letter is taken once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_support import CutProxy

from ecms_gateway.engine import Store
from tests.integration.api.letters import files_of, letter_json, multipart
from tests.integration.api.server import ApiServer, make_server

pytestmark = pytest.mark.postgres


@pytest.fixture
def api_on_proxy(proxied: tuple[Store, CutProxy], tmp_path: Path) -> Iterator[tuple[ApiServer, CutProxy]]:
    store, proxy = proxied
    server = make_server(tmp_path, store=store).start()  # its API keys are made while the server answers
    try:
        yield server, proxy
    finally:
        server.stop()


def test_a_letter_sent_while_the_database_is_out_of_reach_is_answered_503_and_taken_once_after(
    api_on_proxy: tuple[ApiServer, CutProxy], caplog: pytest.LogCaptureFixture
) -> None:
    api, proxy = api_on_proxy
    letter = letter_json(1)
    files = files_of(letter)
    key = {"Idempotency-Key": "office-77"}
    proxy.cut()
    with caplog.at_level(logging.INFO), api.client() as client:
        down = client.post("/api/v1/letters", files=multipart(letter, files), headers=key)
        listed = client.get("/api/v1/letters")
    for answer in (down, listed):
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
        body = answer.json()
        assert body["code"] == "store_unavailable"
        assert "send it again in 5 s (a letter with the same Idempotency-Key" in body["error"]
    assert all(r.exc_info is None for r in caplog.records)  # one line each, no traceback

    proxy.mend()
    with api.client() as client:
        # As a client following Retry-After does: a connection the pool kept from before may fail once.
        for _ in range(3):
            first = client.post("/api/v1/letters", files=multipart(letter, files), headers=key)
            if first.status_code != 503:
                break
        again = client.post("/api/v1/letters", files=multipart(letter, files), headers=key)
    assert first.status_code in (200, 202), first.text
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
