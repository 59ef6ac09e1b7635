"""The running gateway keeps its poll status per organisation (poll lag) and counts its work: after a
letter travels, A's status shows a recent good poll, and a node that fails shows as a poll error."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ecms_adapters.observability.recorder import PrometheusRecorder
from prometheus_client import CollectorRegistry

from ecms_gateway.engine import LetterState
from ecms_gateway.errors import TransientTransportError
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.gateway import Gateway
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk
from ecms_gateway.services.context import RuntimeStatus
from tests.unit.runtime.support import ORGS, A, B, agencies, gateway, letter, routing, running, until


def _observed(
    base: Gateway, on_polled: Callable[[str, str | None], None], recorder: PrometheusRecorder
) -> Gateway:
    return Gateway(replace(base.parts, recorder=recorder, on_polled=on_polled))


def test_polls_and_deliveries_are_recorded_while_the_gateway_runs(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    node = MemoryNode(ORGS)
    status, registry = RuntimeStatus(), CollectorRegistry()
    reported: list[str] = []  # every failed poll of A as the runtime reports it (the status keeps the last)

    def polled(org: str, error: str | None) -> None:
        if org == A and error is not None:
            reported.append(error)
        status.polled(org, error)

    a = _observed(gateway(orgs[A], node), polled, PrometheusRecorder(registry))
    letter_id = clerk.submit(
        orgs[A].store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:test"
    ).letter_id

    async def scenario() -> str:
        await until("delivered", lambda: orgs[A].store.show(letter_id).letter.state is LetterState.DELIVERED)
        await until("a good poll", lambda: A in status.last_poll_ok_at)
        # A's polls only: B's poller would otherwise take some of the failures, or all of them.
        node.fail_next(*[TransientTransportError("node down", endpoint="memory")] * 3, on="poll", org=A)
        error = await until("a failed poll", lambda: reported[0] if reported else None)
        # The next poll works and clears it.
        await until("the status cleared", lambda: A not in status.last_poll_error)
        return error

    error = asyncio.run(running([a, gateway(orgs[B], node)], scenario))
    assert "node down" in error
    delivered = registry.get_sample_value(
        "ecms_gateway_deliveries_total", {"channel": "ecms", "kind": "send"}
    )
    assert delivered == 1
