"""The client adapter against a real node process on 127.0.0.1: the whole choreography, and a restart
that loses nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig

from ecms_gateway.codec import (
    LetterDocument,
    LetterKey,
    Notifier,
    NotifierKind,
    SpecialItemKind,
    build_document,
)
from ecms_gateway.letter.model import Party
from ecms_gateway.node import load_directory
from ecms_gateway.ports import ReceivedItem
from tests.integration.ecms.conftest import ORG_A, ORG_B
from tests.integration.ecms.nodes import NodeProcess
from tests.unit.codec.helpers import make_package

pytestmark = pytest.mark.anyio

DAY = date(2026, 11, 20)


def letter(book_no: str) -> LetterDocument:
    package = make_package(sender_org=ORG_A)
    update = {"receiver": Party(org_id=ORG_B), "book_no": book_no}
    package = dataclasses.replace(package, letter=package.letter.model_copy(update=update))
    return LetterDocument(element=build_document(package))


def key(book_no: str) -> LetterKey:
    return LetterKey(
        letter_id=book_no, correspondence_date=DAY, sender_department="20990", accept_department="20991"
    )


def notice(kind: NotifierKind, book_no: str) -> Notifier:
    return Notifier(
        kind=kind,
        letter_id=book_no,
        correspondence_date=DAY,
        subject="ทดสอบการส่งหนังสือ",
        accept_department="20991",
        accept_id="๒๑๔๕" if kind is NotifierKind.ACCEPT else None,
        accept_date="2026-11-21" if kind is NotifierKind.ACCEPT else None,
    )


def clients(node: NodeProcess) -> tuple[EcmsSoapClient, EcmsSoapClient]:
    return (
        EcmsSoapClient(SoapClientConfig(url=f"{node.url}?org={ORG_A}")),
        EcmsSoapClient(SoapClientConfig(url=f"{node.url}?org={ORG_B}")),
    )


class Inbox:
    """Stands for the gateway's store: commit keeps the item (the client deletes it afterwards)."""

    def __init__(self) -> None:
        self.items: list[ReceivedItem] = []

    async def commit(self, item: ReceivedItem) -> None:
        self.items.append(item)


async def test_a_letter_and_its_notifiers_travel_through_the_node(shared_node: NodeProcess) -> None:
    a, b = clients(shared_node)
    async with a, b:
        sent = await a.send(letter("ศธ 0990/1"))
        b_inbox, a_inbox = Inbox(), Inbox()
        assert await b.drain(b_inbox.commit) == 1
        assert [i.process_id for i in b_inbox.items] == [sent.process_id]
        assert b_inbox.items[0].item == letter("ศธ 0990/1")
        assert await b.poll() is None  # deleted after the commit
        for kind in (NotifierKind.RECEIVE, NotifierKind.ACCEPT):
            await b.send(notice(kind, "ศธ ๐๙๙๐/๑"))
        assert await a.drain(a_inbox.commit) == 2
        assert [i.item for i in a_inbox.items] == [
            notice(k, "ศธ ๐๙๙๐/๑") for k in (NotifierKind.RECEIVE, NotifierKind.ACCEPT)
        ]
        [status] = await a.outbound_status()
        assert (status.process_id, status.process_status) == (sent.process_id, "fetched")
        again = await b.ask_again(SpecialItemKind.LETTER, key("ศธ 0990/1"))
        assert again is not None
        assert again.process_id == sent.process_id
        # A second letter, rejected and withdrawn before B fetched it.
        second = await a.send(letter("ศธ 0990/2"))
        assert (await a.withdraw(key("ศธ 0990/2"))).process_id == second.process_id
        assert await b.poll() is None
        assert [s.process_status for s in await a.outbound_status("ศธ 0990/2")] == ["withdrawn"]


async def test_the_lists_and_the_clock_come_from_the_running_node(shared_node: NodeProcess) -> None:
    expected = load_directory(shared_node.directory)
    a, _ = clients(shared_node)
    async with a:
        assert await a.organizations() == expected.organizations
        assert await a.ministries() == expected.ministries
        assert await a.secret_codes() == expected.secret_codes
        assert await a.speed_codes() == expected.speed_codes
        assert await a.mime_codes() == expected.mime_codes
        clock = datetime.fromisoformat(await a.time_check())
        assert clock.utcoffset() == timedelta(hours=7)


async def test_queued_items_survive_a_killed_node(shared_node: NodeProcess) -> None:
    a, b = clients(shared_node)
    async with a:
        first = await a.send(letter("ศธ 0990/11"))
        second = await a.send(letter("ศธ 0990/12"))
    shared_node.kill()  # SIGKILL right after the replies: only what was committed can survive
    shared_node.start()
    inbox = Inbox()
    async with b:
        assert await b.drain(inbox.commit) == 2
    assert [i.process_id for i in inbox.items] == [first.process_id, second.process_id]
    assert inbox.items[1].item == letter("ศธ 0990/12")
    shared_node.stop()
    shared_node.start()
    a, b = clients(shared_node)
    async with a, b:
        assert await b.poll() is None  # the deletes survived too
        assert [s.process_status for s in await a.outbound_status()] == ["fetched", "fetched"]
