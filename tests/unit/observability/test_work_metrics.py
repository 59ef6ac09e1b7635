"""The work loop counts each attempt, each item done and each failure by reason class and outcome, and
every line logged while an item is in hand names its letter and work item."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from ecms_adapters.observability.recorder import PrometheusRecorder
from prometheus_client import CollectorRegistry

from ecms_gateway.engine import Claim, RetryPolicies, RetryPolicy, Store, WorkKind
from ecms_gateway.errors import (
    LetterInvalid,
    PermanentMailError,
    PermanentTransportError,
    SignatureMissing,
    TransientMailError,
    TransientTransportError,
    TrustError,
)
from ecms_gateway.logs import JsonFormatter, current_context
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.recorder import REASONS, Outcome, reason_class
from ecms_gateway.runtime.worker import Handler, WorkLoop
from tests.unit.runtime.support import letter


def _loop(store: Store, handler: Handler, recorder: PrometheusRecorder) -> WorkLoop:
    return WorkLoop(
        store=store,
        channel="ecms",
        kinds=(WorkKind.SEND,),
        name="test/out-1",
        handler=handler,
        idle_s=0.01,
        lease=timedelta(minutes=5),
        wake=Pulse(),
        recorder=recorder,
    )


def _store(tmp_path: Path, *, max_attempts: int = 5) -> Store:
    tick = timedelta(milliseconds=1)
    policy = RetryPolicy(base=tick, cap=tick, max_attempts=max_attempts)
    return Store(data_dir=tmp_path, policies=RetryPolicies(default=policy))


async def _take_one(loop: WorkLoop) -> Claim:
    claim = await asyncio.to_thread(loop.store.claim, "ecms", loop.name, kinds=(WorkKind.SEND,))
    assert claim is not None
    await loop.do(claim)
    return claim


def _value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def test_a_delivered_letter_counts_one_attempt_and_one_delivery(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    seen: list[dict[str, int | str]] = []

    async def handler(claim: Claim) -> str:
        seen.append(await asyncio.to_thread(current_context))
        return "sent"

    with _store(tmp_path) as store:
        letter_id = store.accept_outbound(letter(), actor="test", channel="ecms")
        claim = asyncio.run(_take_one(_loop(store, handler, PrometheusRecorder(registry))))
    labels = {"channel": "ecms", "kind": "send"}
    assert _value(registry, "ecms_gateway_attempts_total", **labels) == 1
    assert _value(registry, "ecms_gateway_deliveries_total", **labels) == 1
    assert seen == [{"letter_id": letter_id, "work_id": claim.work_id}]


def test_failures_are_counted_by_reason_class_then_dead_when_the_policy_gives_up(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())  # formats at emit time, while the item is in hand

    async def node_down(claim: Claim) -> str:
        logging.getLogger("some.library").warning("connection refused")
        raise TransientTransportError("connection refused", endpoint="http://127.0.0.1:1/")

    with _store(tmp_path, max_attempts=2) as store:
        letter_id = store.accept_outbound(letter(), actor="test", channel="ecms")
        loop = _loop(store, node_down, PrometheusRecorder(registry))

        async def twice() -> None:
            await _take_one(loop)
            await asyncio.sleep(0.05)  # past the 1 ms backoff
            await _take_one(loop)

        library = logging.getLogger("some.library")
        library.addHandler(handler)
        try:
            asyncio.run(twice())
        finally:
            library.removeHandler(handler)
    failures = "ecms_gateway_failures_total"
    labels = {"channel": "ecms", "kind": "send", "reason": "ecms_transient"}
    assert _value(registry, failures, **labels, outcome="retry") == 1
    assert _value(registry, failures, **labels, outcome="dead") == 1
    assert _value(registry, "ecms_gateway_attempts_total", channel="ecms", kind="send") == 2
    assert _value(registry, "ecms_gateway_deliveries_total", channel="ecms", kind="send") == 0
    entries = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert len(entries) == 2
    assert all(entry["letter_id"] == letter_id and "work_id" in entry for entry in entries)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (TransientTransportError("timeout", endpoint="x"), "ecms_transient"),
        (PermanentTransportError("refused", endpoint="x"), "ecms_refused"),
        (TransientMailError("421", server="x"), "mail_transient"),
        (PermanentMailError("550", server="x"), "mail_refused"),
        (SignatureMissing("present", "unsigned", org_id=None, action="sign it"), "signature"),
        (TrustError("chain", "no CA", org_id=None, action="pin it"), "trust"),
        (LetterInvalid([]), "invalid_input"),
        (RuntimeError("bug"), "unexpected"),
    ],
)
def test_each_error_has_one_bounded_reason_class(error: Exception, reason: str) -> None:
    assert reason_class(error) == reason
    assert reason in REASONS


def test_outcomes_are_few_and_fixed() -> None:
    assert {o.value for o in Outcome} == {"retry", "dead", "released", "lost", "unrecorded"}
