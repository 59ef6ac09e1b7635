"""Relay: a request whose WS-Addressing To names another node is committed, forwarded byte for byte,
and retried with backoff until the other node takes it or refuses it for good."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from ecms_gateway.codec import (
    ErrorDetail,
    InboundRequest,
    InboundResponse,
    LetterKey,
    Message,
    OutboundRequest,
    OutboundResponse,
    OutboundStatusRequest,
    OutboundStatusResponse,
    WithdrawRequest,
    WithdrawResponse,
    read_message,
    to_wire,
)
from ecms_gateway.errors import PermanentTransportError, TransientTransportError, TransportError
from ecms_gateway.node import NodeService
from tests.unit.node.helpers import (
    HERE,
    ORG_A,
    ORG_B,
    ORG_C,
    THERE,
    ScriptedRelay,
    call,
    decoded,
    directory,
    letter,
    make_node,
)

pytestmark = pytest.mark.anyio

TO_C = LetterKey(
    letter_id="ศธ 0990/123",
    correspondence_date=date(2026, 11, 20),
    sender_department="20990",
    accept_department="21990",
)


async def _statuses(node: NodeService) -> list[str]:
    status = await call(node, OutboundStatusRequest(), org=ORG_A)
    assert isinstance(status, OutboundStatusResponse)
    return [s.process_status for s in status.statuses]


@dataclass
class Held:
    """The first forward, once it has ``started``, waits for ``release`` before it goes on."""

    started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


def hold_first_forward(relay: ScriptedRelay) -> Held:
    """A destination slow to answer the first request it gets; the scripted relay's own after that."""
    held = Held()
    forward = relay.forward

    async def slow_first(url: str, envelope: bytes) -> Message:
        if not held.started.is_set():
            held.started.set()
            await held.release.wait()
        return await forward(url, envelope)

    relay.forward = slow_first  # type: ignore[method-assign]
    return held


async def test_a_letter_for_another_node_is_forwarded_as_it_came(tmp_path: Path) -> None:
    node, relay, _ = make_node(tmp_path)
    request = to_wire(OutboundRequest(item=letter(receiver=ORG_C)), to=THERE + "/", message_id="mid://1@a")
    reply = decoded(await node.handle(request, org=ORG_A))
    assert isinstance(reply, OutboundResponse)
    assert relay.forwarded == [(THERE, request)]
    assert await _statuses(node) == ["relayed"]
    assert await call(node, InboundRequest(), org=ORG_A) == InboundResponse()


async def test_a_node_that_is_down_gets_the_letter_later_with_backoff(tmp_path: Path) -> None:
    node, relay, clock = make_node(tmp_path)
    relay.failures = [TransientTransportError("connection refused", endpoint=THERE)] * 2
    accepted = await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    assert isinstance(accepted, OutboundResponse)  # accepted and committed all the same
    assert await _statuses(node) == ["relaying"]
    clock.advance(timedelta(seconds=2))  # the first wait: 2 s
    assert await node.relay_due() == 1  # fails again
    clock.advance(timedelta(seconds=3))
    assert await node.relay_due() == 0  # the second wait is 4 s
    clock.advance(timedelta(seconds=1))
    assert await node.relay_due() == 1
    assert await _statuses(node) == ["relayed"]
    assert len(relay.forwarded) == 1
    assert await node.relay_due() == 0


async def test_each_failed_relay_try_is_logged_with_its_reason_and_next_try(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    node, relay, clock = make_node(tmp_path)
    relay.failures = [
        TransientTransportError("connection refused", endpoint=THERE),
        PermanentTransportError("not ours", endpoint=THERE, error_code="ECMS-203"),
    ]
    caplog.set_level(logging.WARNING, logger="ecms_gateway.node")
    accepted = await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    assert isinstance(accepted, OutboundResponse)
    retry = (clock() + timedelta(seconds=2)).isoformat(timespec="seconds")
    assert [r.getMessage() for r in caplog.records] == [
        f"relay {accepted.process_id} to {THERE} failed (try 1): e-CMS node ({THERE}): connection refused; "
        f"next try at {retry}"
    ]
    caplog.clear()
    clock.advance(timedelta(seconds=2))
    assert await node.relay_due() == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"relay {accepted.process_id} to {THERE} refused for good: e-CMS node ({THERE}) [ECMS-203]: not ours"
    ]


async def test_a_destination_that_refuses_for_good_fails_the_request_with_its_code(tmp_path: Path) -> None:
    node, relay, _ = make_node(tmp_path)
    relay.failures = [PermanentTransportError("not ours", endpoint=THERE, error_code="ECMS-203")]
    refused = await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    assert isinstance(refused, ErrorDetail)
    assert refused.code == "ECMS-203"
    assert THERE in refused.description
    assert await _statuses(node) == ["failed"]


async def test_to_naming_no_node_of_the_directory_is_refused(tmp_path: Path) -> None:
    node, relay, _ = make_node(tmp_path)
    refused = await call(
        node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to="http://evil.test/x"
    )
    assert isinstance(refused, ErrorDetail)
    assert refused.code == "ECMS-204"
    assert relay.forwarded == []


async def test_withdrawing_a_relayed_letter_forwards_the_withdrawal_to_that_node(tmp_path: Path) -> None:
    node, relay, _ = make_node(tmp_path)
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    withdrawn = await call(node, WithdrawRequest(key=TO_C), org=ORG_A)
    assert isinstance(withdrawn, WithdrawResponse)
    url, forwarded = relay.forwarded[-1]
    read = read_message(forwarded)
    assert url == THERE
    assert read.message == WithdrawRequest(key=TO_C)
    assert read.envelope is not None
    assert read.envelope.to == THERE


async def test_withdrawing_a_letter_still_waiting_for_its_node_stops_it_here(tmp_path: Path) -> None:
    node, relay, clock = make_node(tmp_path)
    relay.failures = [TransientTransportError("down", endpoint=THERE)]
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    assert isinstance(await call(node, WithdrawRequest(key=TO_C), org=ORG_A), WithdrawResponse)
    clock.advance(timedelta(hours=1))
    assert await node.relay_due() == 0
    assert relay.forwarded == []
    assert await _statuses(node) == ["withdrawn"]


async def test_the_relay_gives_up_after_the_policys_last_try(tmp_path: Path) -> None:
    node, relay, clock = make_node(tmp_path)
    relay.failures = [TransientTransportError("down", endpoint=THERE)] * 5
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    for _ in range(4):
        clock.advance(timedelta(minutes=5))
        assert await node.relay_due() == 1
    assert await _statuses(node) == ["failed"]
    clock.advance(timedelta(hours=1))
    assert await node.relay_due() == 0
    assert relay.forwarded == []


async def test_a_node_that_never_answers_holds_up_only_its_own_relays(tmp_path: Path) -> None:
    """The relay worker forwarded every due job in one line: a node that took connections and never
    answered held every other node's jobs for its timeout, one job after another."""
    elsewhere = "http://node-c.test/ecms-ws01/service2"
    node, relay, clock = make_node(
        tmp_path, dir_=directory(orgs=[(ORG_A, HERE), (ORG_B, elsewhere), (ORG_C, THERE)])
    )
    relay.failures = [TransientTransportError("connection refused", endpoint=THERE)] * 2
    for receiver, to in ((ORG_C, THERE), (ORG_B, elsewhere)):
        accepted = await call(node, OutboundRequest(item=letter(receiver=receiver)), org=ORG_A, to=to)
        assert isinstance(accepted, OutboundResponse)
    assert await _statuses(node) == ["relaying", "relaying"]
    hanging = asyncio.Event()
    answered = asyncio.Event()
    forward = relay.forward

    async def forward_or_hang(url: str, envelope: bytes) -> Message:
        if url == THERE:
            hanging.set()
            await asyncio.Event().wait()  # never answers
        reply = await forward(url, envelope)
        answered.set()
        return reply

    relay.forward = forward_or_hang  # type: ignore[method-assign]
    clock.advance(timedelta(seconds=2))
    worker = asyncio.create_task(node.relay_due())
    try:
        await asyncio.wait_for(answered.wait(), timeout=30)  # a guard against hanging, not a measure
        assert hanging.is_set()
        assert [url for url, _ in relay.forwarded] == [elsewhere]
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


async def test_a_destination_still_busy_is_left_to_its_task_and_the_others_go_on(tmp_path: Path) -> None:
    """The relay worker waited for its slowest destination before the next round: a node that never
    answered held the new jobs of every other node for its timeout, round after round. A round now
    starts what is due for the nodes not busy, one job at a time per node, and does not wait."""
    elsewhere = "http://node-c.test/ecms-ws01/service2"
    node, relay, clock = make_node(
        tmp_path, dir_=directory(orgs=[(ORG_A, HERE), (ORG_B, elsewhere), (ORG_C, THERE)])
    )
    relay.failures = [TransientTransportError("connection refused", endpoint=THERE)] * 3
    for book_no in ("ศธ 0990/1", "ศธ 0990/2"):
        await call(node, OutboundRequest(item=letter(receiver=ORG_C, book_no=book_no)), org=ORG_A, to=THERE)
    tries_there = 0
    hanging = asyncio.Event()
    forward = relay.forward

    async def forward_or_hang(url: str, envelope: bytes) -> Message:
        nonlocal tries_there
        if url == THERE:
            tries_there += 1
            hanging.set()
            await asyncio.Event().wait()  # never answers
        return await forward(url, envelope)

    relay.forward = forward_or_hang  # type: ignore[method-assign]
    clock.advance(timedelta(seconds=2))
    try:
        assert await node.start_relays() == 2  # both of THERE's jobs, to its own task
        await asyncio.wait_for(hanging.wait(), timeout=30)  # a guard against hanging, not a measure
        # A letter for the other node, due while THERE's first job is still in hand.
        await call(node, OutboundRequest(item=letter(receiver=ORG_B)), org=ORG_A, to=elsewhere)
        clock.advance(timedelta(seconds=2))
        assert await node.start_relays() == 1  # THERE's jobs are not taken again
        for _ in range(1000):
            if relay.forwarded:
                break
            await asyncio.sleep(0.01)
        assert [url for url, _ in relay.forwarded] == [elsewhere]
        assert tries_there == 1  # one job at a time per node
    finally:
        await node.stop_relays()
    assert await _statuses(node) == ["relaying", "relaying", "relayed"]
    relay.forward = forward  # type: ignore[method-assign]
    assert await node.relay_due() == 2  # cut short by the stop: still pending, tried again
    assert await _statuses(node) == ["relayed", "relayed", "relayed"]


def _withdrawals(relay_forwarded: list[tuple[str, bytes]]) -> list[str]:
    """The nodes the withdrawals among ``relay_forwarded`` went to, in order."""
    return [url for url, sent in relay_forwarded if isinstance(read_message(sent).message, WithdrawRequest)]


async def test_withdrawing_a_letter_relayed_once_and_resent_while_its_node_was_down_reaches_that_node(
    tmp_path: Path,
) -> None:
    """The newest copy, still waiting here, was stopped and the withdrawal went nowhere: the copy the
    other node had taken stayed there, never withdrawn."""
    node, relay, clock = make_node(tmp_path)
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    relay.failures = [TransientTransportError("down", endpoint=THERE)]
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)  # sent again
    withdrawn = await call(node, WithdrawRequest(key=TO_C), org=ORG_A)
    assert isinstance(withdrawn, WithdrawResponse)
    assert _withdrawals(relay.forwarded) == [THERE]
    clock.advance(timedelta(hours=1))
    assert await node.relay_due() == 0  # the copy still waiting is stopped
    assert await _statuses(node) == ["relayed", "withdrawn", "relayed"]


async def test_withdrawing_a_letter_stops_an_older_copy_still_waiting_for_its_node(tmp_path: Path) -> None:
    """Only the newest copy was looked at: an older one still waiting here was relayed after the
    withdrawal had gone, and the receiver got the letter its sender had withdrawn."""
    node, relay, clock = make_node(tmp_path)
    relay.failures = [TransientTransportError("down", endpoint=THERE)]
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)  # sent again
    withdrawn = await call(node, WithdrawRequest(key=TO_C), org=ORG_A)
    assert isinstance(withdrawn, WithdrawResponse)
    clock.advance(timedelta(hours=1))
    assert await node.relay_due() == 0
    assert len(relay.forwarded) == 2  # the second copy, then the withdrawal; never the first copy
    assert _withdrawals(relay.forwarded) == [THERE]
    assert await _statuses(node) == ["withdrawn", "relayed", "relayed"]


async def test_withdrawing_a_letter_relayed_to_two_nodes_reaches_both(tmp_path: Path) -> None:
    """The receiver moved to another node between the two sends: the withdrawal reached the newest
    copy's node only, and the first node kept the letter."""
    elsewhere = "http://node-c.test/ecms-ws01/service2"
    node, relay, _ = make_node(tmp_path)
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    node.use_directory(directory(orgs=[(ORG_A, HERE), (ORG_B, HERE), (ORG_C, elsewhere)]))
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=elsewhere)
    withdrawn = await call(node, WithdrawRequest(key=TO_C), org=ORG_A)
    assert isinstance(withdrawn, WithdrawResponse)
    assert await node.relay_due() == 1  # the node the reply did not wait for
    assert _withdrawals(relay.forwarded) == [elsewhere, THERE]
    for url, sent in relay.forwarded[2:]:
        read = read_message(sent)
        assert read.envelope is not None
        assert read.envelope.to == url


async def test_a_withdrawal_passing_through_to_the_receivers_node_stops_a_copy_still_waiting_here(
    tmp_path: Path,
) -> None:
    """A gateway sends its withdrawal with To naming the receiver's node: the node forwarded it as it
    came and then relayed the copy it was still trying to deliver."""
    node, relay, clock = make_node(tmp_path)
    relay.failures = [TransientTransportError("down", endpoint=THERE)]
    await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE)
    withdrawn = await call(node, WithdrawRequest(key=TO_C), org=ORG_A, to=THERE)
    assert isinstance(withdrawn, WithdrawResponse)
    clock.advance(timedelta(hours=1))
    assert await node.relay_due() == 0
    assert _withdrawals(relay.forwarded) == [THERE]
    assert len(relay.forwarded) == 1
    assert await _statuses(node) == ["withdrawn", "relayed"]


async def test_a_job_still_in_its_first_try_is_not_taken_by_the_relay_worker(tmp_path: Path) -> None:
    """A destination slower than ``relay_grace`` (connect, write and read timeouts add up to more):
    the relay worker took the job the request was still trying, and the destination got it twice."""
    node, relay, clock = make_node(tmp_path)
    held = hold_first_forward(relay)
    sent = asyncio.create_task(call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE))
    try:
        await asyncio.wait_for(held.started.wait(), timeout=30)  # a guard against hanging, not a measure
        clock.advance(node.settings.relay_grace + timedelta(seconds=1))
        assert await node.start_relays() == 0
        held.release.set()
        assert isinstance(await asyncio.wait_for(sent, timeout=30), OutboundResponse)
    finally:
        held.release.set()
        await node.stop_relays()
    assert len(relay.forwarded) == 1
    assert await _statuses(node) == ["relayed"]


async def test_a_job_whose_first_try_died_with_the_node_is_the_relay_workers_after_the_grace(
    tmp_path: Path,
) -> None:
    """A job no try has in hand (its request ended with the process before it forwarded it) waits
    for ``relay_grace``, then the relay worker takes it."""
    node, relay, clock = make_node(tmp_path)
    request = to_wire(OutboundRequest(item=letter(receiver=ORG_C)), to=THERE, message_id="mid://1@a")
    outcome = node.ops.outbound(read_message(request), request, node.ops.caller(ORG_A))
    assert outcome.relay is not None  # committed, never tried
    clock.advance(node.settings.relay_grace - timedelta(seconds=1))
    assert await node.relay_due() == 0
    clock.advance(timedelta(seconds=1))
    assert await node.relay_due() == 1
    assert relay.forwarded == [(THERE, request)]
    assert await _statuses(node) == ["relayed"]


async def test_a_withdrawal_while_the_letter_is_being_forwarded_follows_it_to_its_node(
    tmp_path: Path,
) -> None:
    """The withdrawal stopped the copy being forwarded (still pending), which was then recorded
    relayed over it: no withdrawal went to the node that took the copy, and it delivered the letter."""
    node, relay, _ = make_node(tmp_path)
    held = hold_first_forward(relay)
    sent = asyncio.create_task(call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE))
    try:
        await asyncio.wait_for(held.started.wait(), timeout=30)  # a guard against hanging, not a measure
        assert isinstance(await call(node, WithdrawRequest(key=TO_C), org=ORG_A), WithdrawResponse)
        held.release.set()
        assert isinstance(await asyncio.wait_for(sent, timeout=30), OutboundResponse)
    finally:
        held.release.set()
    assert _withdrawals(relay.forwarded) == []
    assert await _statuses(node) == ["relayed", "relaying"]  # the copy is there; its withdrawal queued
    assert await node.relay_due() == 1
    assert [url for url, _ in relay.forwarded] == [THERE, THERE]
    read = read_message(relay.forwarded[1][1])
    assert isinstance(read.message, WithdrawRequest)
    assert read.message.key == LetterKey(
        letter_id="ศธ ๐๙๙๐/๑๒๓",  # as the letter wrote it
        correspondence_date=TO_C.correspondence_date,
        sender_department=TO_C.sender_department,
        accept_department=TO_C.accept_department,
    )
    assert read.envelope is not None
    assert read.envelope.to == THERE
    assert await _statuses(node) == ["relayed", "relayed"]
    assert await node.relay_due() == 0


@pytest.mark.parametrize(
    "failure",
    [
        PermanentTransportError("not ours", endpoint=THERE, error_code="ECMS-203"),
        TransientTransportError("connection reset", endpoint=THERE),
    ],
)
async def test_a_letter_withdrawn_while_being_forwarded_that_does_not_get_there_stays_withdrawn(
    tmp_path: Path, failure: TransportError
) -> None:
    """Refused for good it was recorded failed, over the withdrawal; a try that fails for now is not
    tried again."""
    node, relay, clock = make_node(tmp_path)
    held = hold_first_forward(relay)
    relay.failures = [failure]
    sent = asyncio.create_task(call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A, to=THERE))
    try:
        await asyncio.wait_for(held.started.wait(), timeout=30)  # a guard against hanging, not a measure
        assert isinstance(await call(node, WithdrawRequest(key=TO_C), org=ORG_A), WithdrawResponse)
        held.release.set()
        await asyncio.wait_for(sent, timeout=30)
    finally:
        held.release.set()
    assert await _statuses(node) == ["withdrawn"]
    clock.advance(timedelta(hours=1))
    assert await node.relay_due() == 0
    assert relay.forwarded == []
