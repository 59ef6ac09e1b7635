"""The node's per-organisation queues: enqueue, poll, delete, ProcessIDs, who is asking."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlsec
from lxml import etree

from ecms_gateway.codec import (
    DeleteRequest,
    DeleteResponse,
    ErrorDetail,
    InboundRequest,
    InboundResponse,
    LetterDocument,
    OutboundRequest,
    OutboundResponse,
    OutboundStatusRequest,
    OutboundStatusResponse,
    read_message,
    to_wire,
)
from ecms_gateway.codec.document import DOCUMENT
from tests.unit.codec.helpers import sign_letter, verify_letter
from tests.unit.node.helpers import HERE, ORG_A, ORG_B, ORG_C, THERE, call, directory, letter, make_node

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("inline_reads", [True, False], ids=["reads-on-the-loop", "reads-in-a-thread"])
async def test_a_letter_is_queued_for_its_receiver_and_stays_until_deleted(
    tmp_path: Path, inline_reads: bool
) -> None:
    node, _, _ = make_node(tmp_path, inline_reads=inline_reads)
    sent = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert isinstance(sent, OutboundResponse)
    for _ in range(2):  # polling does not remove the head
        head = await call(node, InboundRequest(), org=ORG_B)
        assert isinstance(head, InboundResponse)
        assert head.process_id == sent.process_id
        assert head.item == letter()
    deleted = await call(node, DeleteRequest(process_id=sent.process_id), org=ORG_B)
    assert isinstance(deleted, DeleteResponse)
    assert deleted.process_id == sent.process_id
    assert await call(node, InboundRequest(), org=ORG_B) == InboundResponse()


async def test_items_come_out_in_the_order_they_were_accepted(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    ids = []
    for number in ("ศธ 0990/1", "ศธ 0990/2", "ศธ 0990/3"):
        sent = await call(node, OutboundRequest(item=letter(book_no=number)), org=ORG_A)
        assert isinstance(sent, OutboundResponse)
        ids.append(sent.process_id)
    polled = []
    while (
        isinstance(head := await call(node, InboundRequest(), org=ORG_B), InboundResponse) and head.process_id
    ):
        polled.append(head.process_id)
        await call(node, DeleteRequest(process_id=head.process_id), org=ORG_B)
    assert polled == ids
    assert len(set(ids)) == 3


async def test_each_organisation_sees_only_its_own_queue(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert await call(node, InboundRequest(), org=ORG_A) == InboundResponse()
    foreign = await call(node, InboundRequest(), org=ORG_B)
    assert isinstance(foreign, InboundResponse)
    assert foreign.process_id is not None
    refused = await call(node, DeleteRequest(process_id=foreign.process_id), org=ORG_A)
    assert isinstance(refused, ErrorDetail)
    assert refused.code == "ECMS-301"
    assert await call(node, InboundRequest(), org=ORG_B) == foreign  # still queued for its owner


async def test_deleting_twice_succeeds_and_an_unknown_process_id_is_refused(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    sent = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert isinstance(sent, OutboundResponse)
    for _ in range(2):
        assert isinstance(
            await call(node, DeleteRequest(process_id=sent.process_id), org=ORG_B), DeleteResponse
        )
    unknown = await call(node, DeleteRequest(process_id="no-such-id"), org=ORG_B)
    assert isinstance(unknown, ErrorDetail)
    assert unknown.code == "ECMS-301"


async def test_a_node_of_several_organisations_needs_org_to_know_who_polls(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    which = await call(node, InboundRequest())
    assert isinstance(which, ErrorDetail)
    assert which.code == "ECMS-202"
    unknown = await call(node, InboundRequest(), org=ORG_C)
    assert isinstance(unknown, ErrorDetail)
    assert unknown.code == "ECMS-201"


async def test_a_node_of_one_organisation_serves_the_plain_url_and_accepts_the_department_code(
    tmp_path: Path,
) -> None:
    node, _, _ = make_node(tmp_path, dir_=directory(orgs=[(ORG_A, THERE), (ORG_B, HERE)]))
    await call(node, OutboundRequest(item=letter()))
    plain = await call(node, InboundRequest())
    by_department = await call(node, InboundRequest(), org="20991")
    assert isinstance(plain, InboundResponse)
    assert plain.item is not None
    assert plain == by_department


async def test_the_same_message_id_again_gets_the_same_process_id_and_one_queue_item(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    first = await call(node, OutboundRequest(item=letter()), org=ORG_A, message_id="mid://20261120.1@a")
    again = await call(node, OutboundRequest(item=letter()), org=ORG_A, message_id="mid://20261120.1@a")
    other = await call(node, OutboundRequest(item=letter()), org=ORG_A, message_id="mid://20261120.2@a")
    assert isinstance(first, OutboundResponse)
    assert isinstance(again, OutboundResponse)
    assert isinstance(other, OutboundResponse)
    assert first.process_id == again.process_id != other.process_id
    status = await call(node, OutboundStatusRequest(), org=ORG_A)
    assert isinstance(status, OutboundStatusResponse)
    assert [s.process_id for s in status.statuses] == [first.process_id, other.process_id]


async def test_a_letter_for_an_organisation_of_another_node_needs_to_naming_that_node(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    refused = await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A)
    assert isinstance(refused, ErrorDetail)
    assert refused.code == "ECMS-203"
    assert THERE in refused.description


async def test_a_letter_for_an_organisation_without_a_node_or_unknown_says_so(tmp_path: Path) -> None:
    """Not "send it with To naming the receiver's node": there is none to name."""
    node, _, _ = make_node(tmp_path, dir_=directory(orgs=[(ORG_A, HERE), (ORG_B, HERE)]))
    no_node = await call(node, OutboundRequest(item=letter(receiver=ORG_C)), org=ORG_A)
    assert isinstance(no_node, ErrorDetail)
    assert no_node.code == "ECMS-203"
    assert "has no e-CMS node in the directory" in no_node.description
    assert "To naming" not in no_node.description
    unknown = await call(node, OutboundRequest(item=letter(receiver="5555500000")), org=ORG_A)
    assert isinstance(unknown, ErrorDetail)
    assert unknown.code == "ECMS-203"
    assert "lists no organisation 5555500000" in unknown.description
    assert "To naming" not in unknown.description


async def test_a_letter_sent_for_another_organisation_than_its_sender_is_refused(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    refused = await call(node, OutboundRequest(item=letter(sender=ORG_A)), org=ORG_B)
    assert isinstance(refused, ErrorDetail)
    assert refused.code == "ECMS-206"


async def test_the_letter_signature_survives_the_queue(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    document = letter().copy_element()
    sign_letter(document)
    await call(node, OutboundRequest(item=LetterDocument(element=document)), org=ORG_A)
    reply = await node.handle(to_wire(InboundRequest()), org=ORG_B)
    received = read_message(reply.body)
    polled = received.payload.find(DOCUMENT)
    assert polled is not None
    verify_letter(polled)
    tampered = etree.fromstring(reply.body.replace("ทดสอบการส่งหนังสือ".encode(), "แก้ไข".encode(), 1))
    with pytest.raises(xmlsec.Error):  # the check above can fail
        verify_letter(tampered.find(f".//{DOCUMENT}"))  # type: ignore[arg-type]


async def test_the_status_follows_the_item_from_queued_to_fetched(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    sent = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert isinstance(sent, OutboundResponse)
    queued = await call(node, OutboundStatusRequest(letter_id="ศธ 0990/123"), org=ORG_A)
    assert isinstance(queued, OutboundStatusResponse)
    assert [(s.process_id, s.process_status) for s in queued.statuses] == [(sent.process_id, "queued")]
    await call(node, DeleteRequest(process_id=sent.process_id), org=ORG_B)
    fetched = await call(node, OutboundStatusRequest(), org=ORG_A)
    assert isinstance(fetched, OutboundStatusResponse)
    assert [s.process_status for s in fetched.statuses] == ["fetched"]
    other = await call(node, OutboundStatusRequest(letter_id="ศธ 0990/999"), org=ORG_A)
    assert other == OutboundStatusResponse()
    assert await call(node, OutboundStatusRequest(), org=ORG_B) == OutboundStatusResponse()


async def test_a_poll_reply_built_from_the_stored_bytes_equals_the_encoded_one(tmp_path: Path) -> None:
    """The node puts the queued item's stored bytes into the reply instead of decoding and encoding it
    again: the reply is schema-valid and, canonicalised, the same XML ``to_wire`` builds."""
    node, _, _ = make_node(tmp_path)
    document = letter().copy_element()
    sign_letter(document)
    sent = await call(node, OutboundRequest(item=LetterDocument(element=document)), org=ORG_A)
    assert isinstance(sent, OutboundResponse)
    reply = await node.handle(to_wire(InboundRequest()), org=ORG_B)
    read = read_message(reply.body)  # parses and validates the whole reply
    assert isinstance(read.message, InboundResponse)
    assert read.envelope is not None
    encoded = to_wire(read.message, message_id=read.envelope.message_id)
    assert etree.tostring(etree.fromstring(reply.body), method="c14n") == etree.tostring(
        etree.fromstring(encoded), method="c14n"
    )
    assert read.message.process_id == sent.process_id
