"""Which organisation a notifier goes to: the node remembers the letters it carried."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.codec import (
    DeleteRequest,
    ErrorDetail,
    InboundRequest,
    InboundResponse,
    NotifierKind,
    OutboundRequest,
    OutboundResponse,
    OutboundStatusRequest,
    OutboundStatusResponse,
)
from ecms_gateway.node import NodeService
from tests.unit.node.helpers import (
    HERE,
    ORG_A,
    ORG_B,
    ORG_C,
    THERE,
    call,
    directory,
    letter,
    make_node,
    notifier,
)

pytestmark = pytest.mark.anyio


async def _deliver(node: NodeService) -> None:
    """A -> B, fetched by B."""
    sent = await call(node, OutboundRequest(item=letter()), org=ORG_A)
    assert isinstance(sent, OutboundResponse)
    await call(node, DeleteRequest(process_id=sent.process_id), org=ORG_B)


async def _head(node: NodeService, org: str) -> InboundResponse:
    head = await call(node, InboundRequest(), org=org)
    assert isinstance(head, InboundResponse)
    return head


async def test_a_receive_notifier_goes_to_the_sender_of_the_letter_it_names(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    await _deliver(node)
    # Thai or Arabic digits in LetterID, no AcceptDepartment: still the same letter.
    sent = await call(node, OutboundRequest(item=notifier(NotifierKind.RECEIVE)))
    assert isinstance(sent, OutboundResponse)
    head = await _head(node, ORG_A)
    assert head.process_id == sent.process_id
    assert head.item == notifier(NotifierKind.RECEIVE)
    assert (await _head(node, ORG_B)).is_empty


async def test_each_notifier_from_the_receiver_reaches_the_sender(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    await _deliver(node)
    kinds = [NotifierKind.RECEIVE, NotifierKind.ACCEPT, NotifierKind.REJECT, NotifierKind.INVALID]
    for kind in kinds:
        await call(node, OutboundRequest(item=notifier(kind, accept_department="20991")), org=ORG_B)
    received = []
    while not (head := await _head(node, ORG_A)).is_empty:
        received.append(head.item)
        await call(node, DeleteRequest(process_id=head.process_id or ""), org=ORG_A)
    assert received == [notifier(kind, accept_department="20991") for kind in kinds]
    status = await call(node, OutboundStatusRequest(), org=ORG_B)
    assert isinstance(status, OutboundStatusResponse)
    assert [s.process_status for s in status.statuses] == ["fetched"] * 4


async def test_an_invalid_accept_id_notifier_goes_to_the_receiver_of_the_letter(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path)
    await _deliver(node)
    await call(node, OutboundRequest(item=notifier(NotifierKind.INVALID_ACCEPT_ID)), org=ORG_A)
    assert (await _head(node, ORG_B)).item == notifier(NotifierKind.INVALID_ACCEPT_ID)
    assert (await _head(node, ORG_A)).is_empty


async def test_an_invalid_accept_id_notifier_for_an_unknown_letter_follows_its_accept_department(
    tmp_path: Path,
) -> None:
    node, _, _ = make_node(tmp_path)
    iai = notifier(NotifierKind.INVALID_ACCEPT_ID, accept_department="2099100000")
    await call(node, OutboundRequest(item=iai), org=ORG_A)
    assert (await _head(node, ORG_B)).item == iai


async def test_a_notifier_about_a_letter_never_carried_is_refused_by_a_node_of_several_organisations(
    tmp_path: Path,
) -> None:
    node, _, _ = make_node(tmp_path)
    refused = await call(node, OutboundRequest(item=notifier(NotifierKind.ACCEPT, accept_department="20991")))
    assert isinstance(refused, ErrorDetail)
    assert refused.code == "ECMS-205"
    assert "send it with WS-Addressing To naming the node of the letter's sender" in refused.description


async def test_an_unroutable_invalid_accept_id_notifier_points_at_the_letters_receiver(
    tmp_path: Path,
) -> None:
    """It goes to the letter's receiver: "the node of the letter's sender" pointed at its own sender."""
    node, _, _ = make_node(tmp_path)
    refused = await call(
        node, OutboundRequest(item=notifier(NotifierKind.INVALID_ACCEPT_ID, accept_department="21990"))
    )
    assert isinstance(refused, ErrorDetail)
    assert refused.code == "ECMS-205"
    assert "the letter's receiver 2199000000 is not served by this node" in refused.description
    assert "naming the node of the letter's receiver" in refused.description


async def test_a_node_of_one_organisation_takes_any_notifier_addressed_to_it(tmp_path: Path) -> None:
    node, _, _ = make_node(tmp_path, dir_=directory(orgs=[(ORG_A, HERE), (ORG_B, THERE)]))
    accepted = await call(
        node, OutboundRequest(item=notifier(NotifierKind.ACCEPT, accept_department="20991"))
    )
    assert isinstance(accepted, OutboundResponse)
    assert (await _head(node, ORG_A)).process_id == accepted.process_id


async def test_a_notifier_follows_the_letter_with_the_same_receiver_when_book_numbers_repeat(
    tmp_path: Path,
) -> None:
    """B and A both sent letter no. 123 of the same day (to each other): AcceptDepartment decides."""
    node, _, _ = make_node(tmp_path)
    await call(node, OutboundRequest(item=letter(sender=ORG_A, receiver=ORG_B)), org=ORG_A)
    await call(node, OutboundRequest(item=letter(sender=ORG_B, receiver=ORG_A)), org=ORG_B)
    for org in (ORG_A, ORG_B):
        head = await _head(node, org)
        await call(node, DeleteRequest(process_id=head.process_id or ""), org=org)
    to_b = notifier(NotifierKind.RECEIVE, accept_department="20990")  # A received B's letter
    await call(node, OutboundRequest(item=to_b), org=ORG_A)
    assert (await _head(node, ORG_B)).item == to_b
    assert (await _head(node, ORG_A)).is_empty


async def test_two_receivers_notifying_with_the_same_message_id_both_reach_the_sender(tmp_path: Path) -> None:
    """MessageIDs are each sender's own (the spec's example ends in @noname): the second notifier about
    a letter sent to two organisations was taken for the first one repeated, and never queued."""
    served_here = directory(orgs=[(ORG_A, HERE), (ORG_B, HERE), (ORG_C, HERE)])
    node, _, _ = make_node(tmp_path, dir_=served_here)
    for receiver in (ORG_B, ORG_C):
        sent = await call(node, OutboundRequest(item=letter(receiver=receiver)), org=ORG_A)
        assert isinstance(sent, OutboundResponse)
    mid = "mid://20261120.100000000@noname"
    from_b = await call(
        node,
        OutboundRequest(item=notifier(NotifierKind.ACCEPT, accept_department="20991")),
        org=ORG_B,
        message_id=mid,
    )
    from_c = await call(
        node,
        OutboundRequest(item=notifier(NotifierKind.ACCEPT, accept_department="21990")),
        org=ORG_C,
        message_id=mid,
    )
    assert isinstance(from_b, OutboundResponse)
    assert isinstance(from_c, OutboundResponse)
    assert from_b.process_id != from_c.process_id
    first = await _head(node, ORG_A)
    await call(node, DeleteRequest(process_id=first.process_id), org=ORG_A)
    second = await _head(node, ORG_A)
    assert [first.process_id, second.process_id] == [from_b.process_id, from_c.process_id]
