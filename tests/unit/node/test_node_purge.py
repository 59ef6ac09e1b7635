"""Purging a node: what was fetched, withdrawn, relayed or refused longer ago than the retention goes;
what is still waiting to be fetched or relayed stays, however old."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ecms_gateway.codec import (
    DeleteRequest,
    InboundRequest,
    InboundResponse,
    OutboundRequest,
    OutboundResponse,
    OutboundStatusRequest,
    OutboundStatusResponse,
)
from ecms_gateway.durations import parse_age
from ecms_gateway.errors import ConfigError, TransientTransportError
from ecms_gateway.node import NodeService
from ecms_gateway.node.purge import purge_finished
from tests.unit.node.helpers import ORG_A, ORG_B, ORG_C, THERE, call, letter, make_node

pytestmark = pytest.mark.anyio

DAYS_90 = timedelta(days=90)


async def _send(node: NodeService, book_no: str, *, to: str | None = None, receiver: str = ORG_B) -> str:
    sent = await call(
        node, OutboundRequest(item=letter(book_no=book_no, receiver=receiver)), org=ORG_A, to=to
    )
    assert isinstance(sent, OutboundResponse)
    return sent.process_id


async def _fetch(node: NodeService) -> str:
    head = await call(node, InboundRequest(), org=ORG_B)
    assert isinstance(head, InboundResponse)
    assert head.process_id is not None
    await call(node, DeleteRequest(process_id=head.process_id), org=ORG_B)
    return head.process_id


async def _statuses(node: NodeService) -> dict[str, str]:
    status = await call(node, OutboundStatusRequest(), org=ORG_A)
    assert isinstance(status, OutboundStatusResponse)
    return {s.letter_id: s.process_status for s in status.statuses}


async def test_finished_items_and_receipts_go_and_waiting_ones_stay(tmp_path: Path) -> None:
    node, relay, clock = make_node(tmp_path)
    await _send(node, "ศธ ๐๙๙๐/๑")
    await _fetch(node)  # fetched: finished
    await _send(node, "ศธ ๐๙๙๐/๒", to=THERE, receiver=ORG_C)  # relayed: finished
    relay.failures = [TransientTransportError("connection refused", endpoint=THERE)]
    await _send(node, "ศธ ๐๙๙๐/๓", to=THERE, receiver=ORG_C)  # relaying: waiting
    waiting = await _send(node, "ศธ ๐๙๙๐/๔")  # queued: waiting
    clock.advance(DAYS_90 + timedelta(seconds=1))

    purged = purge_finished(node.db, before=clock() - DAYS_90, batch=1)  # one row a transaction

    assert (purged.queue_items, purged.receipts) == (1, 2)
    assert (purged.waiting_items, purged.waiting_relays) == (1, 1)
    assert await _statuses(node) == {"ศธ ๐๙๙๐/๓": "relaying", "ศธ ๐๙๙๐/๔": "queued"}
    assert await _fetch(node) == waiting  # the waiting item is served, bytes and all
    clock.advance(timedelta(minutes=5))
    assert await node.relay_due() == 1  # and the relay job is still tried
    assert len(relay.forwarded) == 2


async def test_nothing_finished_within_the_retention_goes(tmp_path: Path) -> None:
    node, _, clock = make_node(tmp_path)
    await _send(node, "ศธ ๐๙๙๐/๑")
    clock.advance(DAYS_90)  # sent long ago ...
    await _fetch(node)  # ... but fetched now: the fetch is what counts
    purged = purge_finished(node.db, before=clock() - DAYS_90)
    assert (purged.queue_items, purged.receipts) == (0, 0)
    assert await _statuses(node) == {"ศธ ๐๙๙๐/๑": "fetched"}


async def test_a_local_receipt_stays_while_its_queue_item_waits(tmp_path: Path) -> None:
    node, _, clock = make_node(tmp_path)
    await _send(node, "ศธ ๐๙๙๐/๑")
    clock.advance(DAYS_90 * 2)
    purged = purge_finished(node.db, before=clock() - DAYS_90)
    assert (purged.queue_items, purged.receipts, purged.waiting_items) == (0, 0, 1)
    assert await _statuses(node) == {"ศธ ๐๙๙๐/๑": "queued"}


@pytest.mark.parametrize(
    ("text", "age"),
    [("90d", timedelta(days=90)), ("12h", timedelta(hours=12)), ("2d 3h", timedelta(days=2, hours=3))],
)
def test_ages_are_read_in_the_units_the_project_writes(text: str, age: timedelta) -> None:
    assert parse_age(text, option="--older-than") == age


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("90", "--older-than '90' is not a length of time"),
        ("3 months", "--older-than '3 months' is not a length of time"),
        ("0d", "--older-than '0d' is no time at all"),
    ],
)
def test_an_age_that_is_not_one_is_refused_with_what_to_write(text: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as raised:
        parse_age(text, option="--older-than")
    assert "e.g. 90d" in str(raised.value)
