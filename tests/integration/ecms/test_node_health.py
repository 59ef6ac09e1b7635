"""A running ``ecms-gateway node`` answers ``/healthz`` (alive) and ``/readyz`` (its database answers, its
directory lists organisations here) outside the SOAP path, in the shape of the gateway's."""

from __future__ import annotations

import httpx

from tests.integration.ecms.nodes import NodeProcess


def _origin(node: NodeProcess) -> str:
    return f"http://127.0.0.1:{node.port}"


def test_healthz_says_the_node_is_alive(shared_node: NodeProcess) -> None:
    response = httpx.get(f"{_origin(shared_node)}/healthz", trust_env=False)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "alive"
    assert body["uptime_seconds"] >= 0


def test_readyz_names_the_database_and_the_directory_checks(shared_node: NodeProcess) -> None:
    response = httpx.get(f"{_origin(shared_node)}/readyz", trust_env=False)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert [(c["name"], c["ok"], c["reason"]) for c in body["checks"]] == [
        ("database", True, None),
        ("directory", True, None),
    ]


def test_a_post_to_a_health_path_is_not_taken_for_soap(shared_node: NodeProcess) -> None:
    response = httpx.post(f"{_origin(shared_node)}/readyz", content=b"<x/>", trust_env=False)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
