"""Health and limits: /healthz and /readyz answer anyone, a submission before the directory is loaded
is 503 with Retry-After, and an oversized body is 413."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ecms_gateway.config import HttpSection
from tests.integration.api.letters import base64_body, files_of, letter_json, multipart
from tests.integration.api.server import ApiServer, make_server


@pytest.fixture
def unready(tmp_path: Path) -> Iterator[ApiServer]:
    """A gateway whose directory is not loaded yet and whose request bodies may be 0.1 MB at most."""
    server = make_server(tmp_path, routing=lambda: None, section=HttpSection(port=0, max_request_mb=0.1))
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.store.close()


def test_healthz_and_readyz_answer_without_credentials(api: ApiServer) -> None:
    """Observability's probes, added through create_app's hooks, need no key."""
    with api.client(None) as client:
        health = client.get("/healthz")
        ready = client.get("/readyz")
    assert health.status_code == 200
    assert health.json()["status"] == "alive"
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_before_the_directory_is_loaded_submissions_wait(unready: ApiServer) -> None:
    letter = letter_json(1)
    with unready.client() as client:
        response = client.post("/api/v1/letters", json=base64_body(letter, files_of(letter)))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert "directory" in response.json()["error"]


def test_a_body_over_the_limit_is_413_whether_announced_or_streamed(unready: ApiServer) -> None:
    letter = letter_json(1)
    big = files_of(letter, size=200_000)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        yield b'{"letter": {}, "files": {"a": "'
        yield b"A" * 300_000
        yield b'"}}'

    with unready.client() as client:
        announced = client.post("/api/v1/letters", files=multipart(letter, big))
        streamed = client.post(
            "/api/v1/letters", content=chunks(), headers={"content-type": "application/json"}
        )
    for response in (announced, streamed):
        assert response.status_code == 413
        assert "http.max_request_mb" in response.json()["error"]
