"""Two node processes: a letter goes from A's node to C's node (WS-Addressing To), the notifier back;
a node that is down gets its letter once it is up again (store and forward)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import date
from pathlib import Path

import pytest
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig

from ecms_gateway.codec import LetterDocument, LetterKey, Notifier, NotifierKind, build_document
from ecms_gateway.letter.model import Party
from ecms_gateway.ports import EcmsNode, ReceivedItem
from tests.integration.ecms.conftest import ORG_A, ORG_C, NodeFactory
from tests.integration.ecms.nodes import free_port, node_url, write_directory
from tests.unit.codec.helpers import make_package

pytestmark = pytest.mark.anyio

ARRIVAL_DEADLINE_S = 30.0


def letter_to_c() -> LetterDocument:
    package = make_package(sender_org=ORG_A)
    package = dataclasses.replace(
        package, letter=package.letter.model_copy(update={"receiver": Party(org_id=ORG_C)})
    )
    return LetterDocument(element=build_document(package))


async def wait_for_item(client: EcmsNode) -> ReceivedItem:
    """Poll until an item arrives (the relay works in the background); fail after a deadline."""
    deadline = time.monotonic() + ARRIVAL_DEADLINE_S
    while time.monotonic() < deadline:
        item = await client.poll()
        if item is not None:
            return item
        await asyncio.sleep(0.2)
    raise AssertionError(f"nothing arrived within {ARRIVAL_DEADLINE_S} s")


async def test_a_letter_crosses_two_nodes_and_the_notifier_comes_back(
    tmp_path: Path, make_node: NodeFactory
) -> None:
    port_1, port_2 = free_port(), free_port()
    directory = write_directory(
        tmp_path / "directory.json", {ORG_A: node_url(port_1), ORG_C: node_url(port_2)}
    )
    node_1 = make_node("node-1", directory, port_1).start()
    node_2 = make_node("node-2", directory, port_2).start()
    async with (
        EcmsSoapClient(SoapClientConfig(url=node_1.url)) as a,
        EcmsSoapClient(SoapClientConfig(url=node_2.url)) as c,
    ):
        sent = await a.send(letter_to_c(), to=node_2.url)
        assert [s.process_status for s in await a.outbound_status()] == ["relayed"]
        received = await c.poll()  # relayed before the reply: already there
        assert received is not None
        assert received.item == letter_to_c()
        assert received.process_id != sent.process_id  # each node numbers its own items
        await c.delete(received.process_id)
        receipt = Notifier(
            kind=NotifierKind.RECEIVE,
            letter_id="ศธ ๐๙๙๐/๑๒๓",
            correspondence_date=date(2026, 11, 20),
            subject="ทดสอบการส่งหนังสือ",
            accept_department="21990",
        )
        await c.send(receipt, to=node_1.url)
        back = await a.poll()
        assert back is not None
        assert back.item == receipt


async def test_a_letter_for_a_node_that_is_down_arrives_when_it_is_up(
    tmp_path: Path, make_node: NodeFactory
) -> None:
    port_1, port_2 = free_port(), free_port()
    directory = write_directory(
        tmp_path / "directory.json", {ORG_A: node_url(port_1), ORG_C: node_url(port_2)}
    )
    node_1 = make_node("node-1", directory, port_1).start()
    node_2 = make_node("node-2", directory, port_2)  # not started yet
    async with EcmsSoapClient(SoapClientConfig(url=node_1.url)) as a:
        accepted = await a.send(letter_to_c(), to=node_2.url)
        assert accepted.process_id
        assert [s.process_status for s in await a.outbound_status()] == ["relaying"]
        node_1.kill()  # the pending relay is committed: it survives this too
        node_1.start()
        node_2.start()
        async with EcmsSoapClient(SoapClientConfig(url=node_2.url)) as c:
            received = await wait_for_item(c)
        assert received.item == letter_to_c()
        # node 1 records the relay once node 2's reply is in: that may come just after the poll.
        deadline = time.monotonic() + ARRIVAL_DEADLINE_S
        while [s.process_status for s in await a.outbound_status()] != ["relayed"]:
            assert time.monotonic() < deadline, "node 1 never recorded the relay"
            await asyncio.sleep(0.1)


async def test_a_letter_relayed_then_sent_again_while_its_node_was_down_is_withdrawn_there(
    tmp_path: Path, make_node: NodeFactory
) -> None:
    """Withdrawing stopped the copy still waiting and sent nothing on: C still fetched the first copy."""
    port_1, port_2 = free_port(), free_port()
    directory = write_directory(
        tmp_path / "directory.json", {ORG_A: node_url(port_1), ORG_C: node_url(port_2)}
    )
    node_1 = make_node("node-1", directory, port_1).start()
    node_2 = make_node("node-2", directory, port_2).start()
    async with EcmsSoapClient(SoapClientConfig(url=node_1.url)) as a:
        await a.send(letter_to_c(), to=node_2.url)
        node_2.stop()
        await a.send(letter_to_c(), to=node_2.url)  # sent again: waits for node 2
        key = LetterKey(
            letter_id="ศธ ๐๙๙๐/๑๒๓",
            correspondence_date=date(2026, 11, 20),
            sender_department=ORG_A[:5],
            accept_department=ORG_C[:5],
        )
        await a.withdraw(key)
        node_2.start()
        deadline = time.monotonic() + ARRIVAL_DEADLINE_S
        while [s.process_status for s in await a.outbound_status()] != ["relayed", "withdrawn", "relayed"]:
            assert time.monotonic() < deadline, "the withdrawal never reached node 2"
            await asyncio.sleep(0.1)
    async with EcmsSoapClient(SoapClientConfig(url=node_2.url)) as c:
        assert await c.poll() is None
