"""``/metrics`` through a real HTTP server after real store activity: only an operator (or admin),
by API key or web session, may read it (the REST API's own guard), and the text parses with
Prometheus's own parser into the queue, letters, attempts and failures, poll lag, certificate and
request-latency series the work produced."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from ecms_adapters.api import create_app
from ecms_adapters.api.deps import SESSION_COOKIE
from ecms_adapters.observability import gateway_observability
from prometheus_client.parser import text_string_to_metric_families

from ecms_gateway.access import Role
from ecms_gateway.engine import Claim, RetryPolicies, RetryPolicy, Store, WorkKind
from ecms_gateway.errors import TransientTransportError
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.runtime.worker import WorkLoop
from ecms_gateway.services.context import RuntimeStatus, Services
from ecms_gateway.signing import KeyRef, OutboundSigner, SigningConfig, write_new_key
from ecms_gateway.signing.trust import TrustStore
from tests.unit.runtime.support import ORGS, A, letter, routing

from .conftest import serving

pytestmark = pytest.mark.anyio

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _get(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def _work(store: Store, loop: WorkLoop) -> None:
    """Two letters: the first is sent, the second fails for now (the node is down)."""
    for _ in range(2):
        claim = await asyncio.to_thread(store.claim, "ecms", loop.name, kinds=(WorkKind.SEND,))
        assert claim is not None
        await loop.do(claim)


async def test_an_operator_scrapes_the_work_the_store_and_the_runtime_did(tmp_path: Path) -> None:
    keys = write_new_key(A, tmp_path / "keys")
    signer = OutboundSigner(SigningConfig(keys={A: KeyRef(org_id=A, key=keys.key, cert=keys.cert)}))
    slow = RetryPolicies(default=RetryPolicy(base=timedelta(hours=1), cap=timedelta(hours=1)))
    with Store(data_dir=tmp_path / "data", policies=slow) as store:
        operator = store.access.new_api_key("prometheus", role=Role.OPERATOR, actor="test").token
        clerk = store.access.new_api_key("saraban", role=Role.CLERK, actor="test").token
        status = RuntimeStatus()
        status.polled(A, None)
        observability = gateway_observability(
            store=store,
            readings=store,
            nodes={A: MemoryNode(ORGS).client(A)},
            signer=signer,
            trust=TrustStore(),
            files=tmp_path / "data" / "files",
            status=status,
        )
        store.accept_outbound(letter(1), actor="test", channel="ecms")
        store.accept_outbound(letter(2), actor="test", channel="ecms")
        outcomes = iter([None, TransientTransportError("connection refused", endpoint="http://node")])

        async def handler(claim: Claim) -> str:
            error = next(outcomes)
            if error is not None:
                raise error
            return f"sent letter {claim.letter_id}"

        loop = WorkLoop(
            store=store,
            channel="ecms",
            kinds=(WorkKind.SEND,),
            name="test/out-1",
            handler=handler,
            idle_s=0.01,
            lease=timedelta(minutes=5),
            wake=Pulse(),
            recorder=observability.recorder,
        )
        await _work(store, loop)
        services = Services(
            store=store,
            settings=RuntimeSettings(
                orgs=(ServedOrg(org_id=A, node_url="http://node"),), secrecy=SecrecyPolicy()
            ),
            routing=routing,
            status=status,
        )
        app = create_app(services, extra=(observability.install_metrics, observability.install_health))
        store.access.add_user("dang", role=Role.OPERATOR, password="ผู้ดูแล-123456", actor="test")
        store.access.add_user("somsri", role=Role.CLERK, password="สารบรรณ-123456", actor="test")
        async with serving(app) as url, httpx.AsyncClient(base_url=url, trust_env=False) as http:
            anonymous = await http.get("/metrics")
            assert anonymous.status_code == 401
            assert anonymous.headers["www-authenticate"].startswith("Bearer")
            weak = await http.get("/metrics", headers={"Authorization": f"Bearer {clerk}"})
            assert weak.status_code == 403
            assert "operator" in weak.json()["error"]
            assert (await http.get("/metrics", headers={"Authorization": "Bearer forged"})).status_code == 401
            # A signed-in operator reads it in the browser; a clerk's session is too weak.
            operator_session = store.access.login("dang", "ผู้ดูแล-123456").token
            clerk_session = store.access.login("somsri", "สารบรรณ-123456").token
            by_session = await http.get(
                "/metrics", headers={"Cookie": f"{SESSION_COOKIE}={operator_session}"}
            )
            assert by_session.status_code == 200
            weak_session = await http.get("/metrics", headers={"Cookie": f"{SESSION_COOKIE}={clerk_session}"})
            assert weak_session.status_code == 403
            assert (await http.get("/readyz")).status_code == 200
            answer = await http.get("/metrics", headers={"Authorization": f"Bearer {operator}"})
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
            samples = _parse(answer.text)
            again = _parse((await http.get("/metrics", headers={"Authorization": f"Bearer {operator}"})).text)

    send = {"channel": "ecms", "kind": "send"}
    assert _get(samples, "ecms_gateway_attempts_total", **send) == 2
    assert _get(samples, "ecms_gateway_deliveries_total", **send) == 1
    failure = {**send, "reason": "ecms_transient", "outcome": "retry"}
    assert _get(samples, "ecms_gateway_failures_total", **failure) == 1
    # The second letter waits for its retry: one ready item, queued moments ago.
    assert _get(samples, "ecms_gateway_queue_items", state="ready", **send) == 1
    assert 0 <= _get(samples, "ecms_gateway_queue_oldest_age_seconds", state="ready", **send) < 600
    assert _get(samples, "ecms_gateway_store_up") == 1
    letters = {k: v for k, v in samples.items() if k[0] == "ecms_gateway_letters"}
    assert sum(letters.values()) == 2
    assert 0 <= _get(samples, "ecms_gateway_poll_lag_seconds", org=A) < 600
    assert _get(samples, "ecms_gateway_poll_failing", org=A) == 0
    certificate = [v for (name, labels), v in samples.items() if name == "ecms_gateway_certificate_days_left"]
    assert len(certificate) == 1
    assert 360 < certificate[0] <= 365
    # Requests are timed under their route, never their raw path; the first scrape shows in the second.
    timed = {dict(labels)["route"] for (name, labels) in again if name.endswith("duration_seconds_count")}
    assert {"/metrics", "/readyz"} <= timed
    assert (
        _get(
            again,
            "ecms_gateway_http_request_duration_seconds_count",
            method="GET",
            route="/metrics",
            status="4xx",
        )
        == 4
    )
