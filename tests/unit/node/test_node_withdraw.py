"""Withdrawing a letter, and asking the node again for one item."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ecms_gateway.codec import (
    DeleteRequest,
    ErrorDetail,
    InboundRequest,
    InboundResponse,
    InboundSpecialRequest,
    LetterKey,
    NotifierKind,
    OutboundRequest,
    OutboundResponse,
    OutboundStatusRequest,
    OutboundStatusResponse,
    SpecialItemKind,
    WithdrawRequest,
    WithdrawResponse,
)
from ecms_gateway.node import NodeService
from tests.unit.node.helpers import ORG_A, ORG_B, call, letter, make_node, notifier

pytestmark = pytest.mark.anyio

KEY = LetterKey(
    letter_id="ศธ 0990/123",
    correspondence_date=date(2026, 11, 20),
    sender_department="20990",
    accept_department="20991",
)


async def _statuses(node: NodeService, org: str) -> list[str]:
    status = await call(node, OutboundStatusRequest(), org=org)
    assert isinstance(status, OutboundStatusResponse)
    return [s.process_status for s in status.statuses]


async def test_withdrawing_a_letter_not_yet_fetched_takes_it_out_of_the_queue(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    sent = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert isinstance(sent, OutboundResponse)
    withdrawn = await call(node, WithdrawRequest(key=KEY), org=ORG_A)
    assert isinstance(withdrawn, WithdrawResponse)
    assert withdrawn.process_id == sent.process_id
    assert await call(node, InboundRequest(), org=ORG_B) == InboundResponse()
    assert await _statuses(node, ORG_A) == ["withdrawn"]
    again = await call(node, WithdrawRequest(key=KEY), org=ORG_A)
    assert isinstance(again, WithdrawResponse)


async def test_withdrawing_a_letter_sent_twice_withdraws_both_copies(tmp_path: Path) -> None:
    """Without a MessageID the same letter is queued twice; the older copy was still fetched after."""
    node, _, _ = make_node(tmp_path)
    first = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    second = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert isinstance(first, OutboundResponse)
    assert isinstance(second, OutboundResponse)
    await call(node, DeleteRequest(process_id=first.process_id), org=ORG_B)  # fetched, then sent again
    third = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert isinstance(third, OutboundResponse)
    withdrawn = await call(node, WithdrawRequest(key=KEY), org=ORG_A)
    assert isinstance(withdrawn, WithdrawResponse)
    assert withdrawn.process_id == third.process_id
    assert await call(node, InboundRequest(), org=ORG_B) == InboundResponse()
    assert await _statuses(node, ORG_A) == ["withdrawn-after-fetch", "withdrawn", "withdrawn"]


async def test_withdrawing_a_fetched_letter_is_recorded(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    sent = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert isinstance(sent, OutboundResponse)
    await call(node, DeleteRequest(process_id=sent.process_id), org=ORG_B)
    assert isinstance(await call(node, WithdrawRequest(key=KEY)), WithdrawResponse)
    assert await _statuses(node, ORG_A) == ["withdrawn-after-fetch"]


async def test_withdrawing_an_unknown_letter_or_someone_elses_is_refused(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    unknown = await call(node, WithdrawRequest(key=KEY), org=ORG_A)
    assert isinstance(unknown, ErrorDetail)
    assert unknown.code == "ECMS-302"
    await call(node, OutboundRequest(item=letter()), org=ORG_A)
    not_sender = await call(node, WithdrawRequest(key=KEY), org=ORG_B)
    assert isinstance(not_sender, ErrorDetail)
    assert not_sender.code == "ECMS-206"


async def test_asking_again_returns_a_fetched_item_with_its_process_id(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    sent = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert isinstance(sent, OutboundResponse)
    await call(node, DeleteRequest(process_id=sent.process_id), org=ORG_B)
    again = await call(node, InboundSpecialRequest(item_kind=SpecialItemKind.LETTER, key=KEY), org=ORG_B)
    assert isinstance(again, InboundResponse)
    assert again.process_id == sent.process_id
    assert again.item == letter()
    # A's notifier about it, asked for again by A after fetching it.
    await call(
        node, OutboundRequest(item=notifier(NotifierKind.ACCEPT, accept_department="20991")), org=ORG_B
    )
    head = await call(node, InboundRequest(), org=ORG_A)
    assert isinstance(head, InboundResponse)
    await call(node, DeleteRequest(process_id=head.process_id or ""), org=ORG_A)
    accept = await call(node, InboundSpecialRequest(item_kind=SpecialItemKind.ACCEPT, key=KEY), org=ORG_A)
    assert isinstance(accept, InboundResponse)
    assert accept.process_id == head.process_id


async def test_asking_again_for_an_item_the_node_never_had_gives_an_empty_reply(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    await call(node, OutboundRequest(item=letter()), org=ORG_A)
    for org, kind in ((ORG_A, SpecialItemKind.LETTER), (ORG_B, SpecialItemKind.REJECT)):
        empty = await call(node, InboundSpecialRequest(item_kind=kind, key=KEY), org=org)
        assert empty == InboundResponse()
