"""The client of our node: every operation returns typed values; the queue is drained commit-then-delete."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from ecms_gateway.codec import (
    InboundResponse,
    LetterDocument,
    LetterKey,
    NotifierKind,
    SpecialItemKind,
    read_message,
)
from ecms_gateway.errors import InputError, PermanentTransportError
from ecms_gateway.node import records
from ecms_gateway.node.values import LETTER_KIND, ItemFacts
from ecms_gateway.ports import ReceivedItem
from tests.unit.node.helpers import ORG_A, ORG_B, directory, letter, notifier
from tests.unit.soap.helpers import node_and_clients

pytestmark = pytest.mark.anyio

KEY = LetterKey(
    letter_id="ศธ 0990/123",
    correspondence_date=date(2026, 11, 20),
    sender_department="20990",
    accept_department="20991",
)


async def test_a_letter_goes_from_a_to_b_and_the_notifier_comes_back(tmp_path: Path) -> None:
    _, (a, b) = node_and_clients(tmp_path, ORG_A, ORG_B)
    sent = await a.send(letter(), message_id="mid://20261120.1@a")
    received = await b.poll()
    assert received is not None
    assert received.process_id == sent.process_id
    assert received.item == letter()
    assert read_message(received.raw).message == InboundResponse(
        process_id=received.process_id, process_time=received.process_time, item=letter()
    )
    assert (await b.delete(received.process_id)).process_id == sent.process_id
    assert await b.poll() is None
    await b.send(notifier(NotifierKind.RECEIVE, accept_department="20991"))
    back = await a.poll()
    assert back is not None
    assert back.item == notifier(NotifierKind.RECEIVE, accept_department="20991")
    assert [s.process_status for s in await a.outbound_status()] == ["fetched"]
    assert [s.process_status for s in await a.outbound_status("ศธ ๐๙๙๐/๑๒๓")] == ["fetched"]


async def test_drain_commits_each_item_before_deleting_it_and_stops_when_empty(tmp_path: Path) -> None:
    _, (a, b) = node_and_clients(tmp_path, ORG_A, ORG_B)
    for number in ("ศธ 0990/1", "ศธ 0990/2", "ศธ 0990/3"):
        await a.send(letter(book_no=number))
    committed: list[str] = []

    async def commit(item: ReceivedItem) -> None:
        assert item.process_id not in committed  # each once: it was deleted after the commit
        committed.append(item.process_id)

    assert await b.drain(commit, limit=2) == 2
    assert await b.drain(commit) == 1
    assert await b.drain(commit) == 0
    assert len(committed) == 3


async def test_an_item_whose_commit_fails_stays_in_the_queue(tmp_path: Path) -> None:
    _, (a, b) = node_and_clients(tmp_path, ORG_A, ORG_B)
    sent = await a.send(letter())

    async def broken(_item: ReceivedItem) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        await b.drain(broken)
    head = await b.poll()
    assert head is not None
    assert head.process_id == sent.process_id


async def test_withdraw_and_ask_again(tmp_path: Path) -> None:
    _, (a, b) = node_and_clients(tmp_path, ORG_A, ORG_B)
    sent = await a.send(letter())
    again = await b.ask_again(SpecialItemKind.LETTER, KEY)
    assert again is not None
    assert again.process_id == sent.process_id
    assert await b.ask_again(SpecialItemKind.ACCEPT, KEY) is None
    assert (await a.withdraw(KEY)).process_id == sent.process_id
    assert await b.poll() is None
    assert [s.process_status for s in await a.outbound_status()] == ["withdrawn"]


async def test_time_and_the_lists_come_back_typed(tmp_path: Path) -> None:
    _, (a,) = node_and_clients(tmp_path, ORG_A)
    listing = directory()
    assert await a.ministries() == listing.ministries
    assert await a.organizations() == listing.organizations
    assert await a.secret_codes() == listing.secret_codes
    assert await a.speed_codes() == listing.speed_codes
    assert await a.mime_codes() == listing.mime_codes
    assert (await a.time_check()).endswith("+07:00")


async def test_a_refusal_of_the_node_is_permanent_with_its_code(tmp_path: Path) -> None:
    _, (a,) = node_and_clients(tmp_path, ORG_A)
    with pytest.raises(PermanentTransportError) as raised:
        await a.delete("no-such-id")
    assert raised.value.error_code == "ECMS-301"
    assert "no-such-id" in raised.value.reason


async def test_a_queued_letter_the_model_refuses_comes_out_of_the_queue_to_be_refused_later(
    tmp_path: Path,
) -> None:
    """Polling reads the item's letter only as far as the schema: the poller stores it and deletes
    it, and the inbound processor refuses it with the reason (before, the poll failed for ever and
    the item blocked the queue behind it)."""
    node, (b,) = node_and_clients(tmp_path, ORG_B)
    good = etree.tostring(letter(day=date(2026, 11, 20)).element, encoding="utf-8")
    buddhist_era = good.replace(b">2026-11-20<", b">2569-11-20<")
    assert buddhist_era != good
    facts = ItemFacts(
        kind=LETTER_KIND,
        book_no="ศธ 0990/123",
        book_key="0990/123",
        letter_date=date(2026, 11, 20),
        sender_dept="20990",
        receiver_dept="20991",
    )
    with node.db.write() as conn:
        records.add_inbound(
            conn, process_id="P-1", org_id=ORG_B, facts=facts, payload=buddhist_era, now=datetime.now(UTC)
        )
    received = await b.poll()
    assert received is not None
    assert received.process_id == "P-1"
    assert isinstance(received.item, LetterDocument)
    with pytest.raises(InputError):
        received.item.decode()
    with pytest.raises(InputError):
        read_message(received.raw)
    await b.delete("P-1")
    assert await b.poll() is None
