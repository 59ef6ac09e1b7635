"""The clerk's actions: reasons are required, a resend waits for the node's withdrawal, a wrong
receive number is reported to the receiver, a letter for someone else is marked invalid."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ecms_gateway.codec import LetterDocument, Notifier, NotifierKind, build_document
from ecms_gateway.engine import Direction, LetterState, WorkKind
from ecms_gateway.errors import InputError, StoreError
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.accept_id import report_wrong_accept_id
from ecms_gateway.runtime.lookup import find_letter
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk

from .support import ORGS, A, B, agencies, gateway, letter, routing, running, until


def test_reject_and_invalid_need_a_reason(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    with pytest.raises(InputError, match="say why"):
        clerk.reject(orgs[B].store, 1, reason="  ", actor="clerk")
    with pytest.raises(InputError, match="say why"):
        clerk.mark_invalid(orgs[B].store, 1, reason="", actor="clerk")


def test_a_rejected_letter_is_resent_only_after_the_node_withdrew_it(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    first = clerk.submit(a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")
    key = letter(1).letter

    async def exchange() -> None:
        inbound = await until(
            "received at B",
            lambda: find_letter(b.store, direction=Direction.IN, book_no=key.book_no, letter_date=key.date),
        )
        clerk.reject(b.store, inbound.id, reason="ผิดเรื่อง", actor="clerk:b")
        await until(
            "rejected at A", lambda: a.store.show(first.letter_id).letter.state is LetterState.REJECTED
        )

    asyncio.run(running([gateway(a, node), gateway(b, node)], exchange))
    clerk.withdraw(a.store, first.letter_id, actor="clerk:a")
    corrected = letter(1, subject="แก้ไขแล้ว")
    with pytest.raises(StoreError, match="has not confirmed the withdrawal"):
        clerk.resend(
            a.store,
            first.letter_id,
            routing=routing(),
            secrecy=SecrecyPolicy(),
            actor="clerk",
            corrected=corrected,
        )

    async def withdraw() -> None:
        await until(
            "the withdrawal sent",
            lambda: any(
                x.kind is WorkKind.WITHDRAW and x.outcome == "done" for x in a.store.show(1).attempts
            ),
        )

    asyncio.run(running([gateway(a, node)], withdraw))
    again = clerk.resend(
        a.store,
        first.letter_id,
        routing=routing(),
        secrecy=SecrecyPolicy(),
        actor="clerk",
        corrected=corrected,
    )
    assert again.letter_id != first.letter_id
    assert a.store.show(again.letter_id).letter.subject == "แก้ไขแล้ว"
    assert a.store.show(first.letter_id).letter.state is LetterState.WITHDRAWN


def test_a_wrong_receive_number_is_reported_and_noted_at_the_receiver(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    sent = clerk.submit(a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")

    async def exchange() -> None:
        await until("accepted", lambda: a.store.show(sent.letter_id).letter.state is LetterState.ACCEPTED)
        process_id = await report_wrong_accept_id(
            a.store,
            sent.letter_id,
            reason="เลขรับซ้ำกับฉบับอื่น",
            nodes={A: node.client(A)},
            signer=a.signer(),
            routing=routing(),
        )
        assert process_id
        await until(
            "noted at B",
            lambda: any(h.action == "notifier.noted" for h in b.store.show(1).history),
        )

    asyncio.run(running([gateway(a, node), gateway(b, node, auto_register=True)], exchange))
    assert b.store.unmatched_notifiers() == []


def test_a_wrong_receive_number_needs_our_letter_with_a_receive_number(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    node = MemoryNode(ORGS)
    store = orgs[A].store

    def report(letter_id: int) -> None:
        asyncio.run(
            report_wrong_accept_id(
                store,
                letter_id,
                reason="x",
                nodes={A: node.client(A)},
                signer=orgs[A].signer(),
                routing=routing(),
            )
        )

    sent = clerk.submit(store, letter(2), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")
    with pytest.raises(InputError, match="has no receive number"):
        report(sent.letter_id)
    inbox = store.accept_inbound(b"<raw/>", channel="ecms", process_id="p1", actor="test")
    received = store.record_inbound_letter(inbox.id, letter(3, sender=B, receiver=A), actor="test")
    with pytest.raises(InputError, match="only its sender reports"):
        report(received.id)
    assert node.requests == []


def test_a_letter_for_an_organisation_not_served_here_is_marked_invalid(tmp_path: Path) -> None:
    """B's gateway receives a letter addressed to A: it records it and tells the sender it is invalid."""
    orgs = agencies(tmp_path)
    node = MemoryNode(ORGS)
    misaddressed = letter(1, sender=A, receiver=A)
    signed = build_document(misaddressed)
    orgs[A].signer().sign_letter(signed)
    process_id = node.enqueue(A, LetterDocument(element=signed), message_id=None)
    node.queues[B] = node.queues.pop(A)  # the node put it in B's queue by mistake
    assert process_id

    async def process() -> None:
        await until(
            "the InvalidLetterNotifier",
            lambda: any(isinstance(i, Notifier) and i.kind is NotifierKind.INVALID for i in node.queued(A)),
        )

    asyncio.run(running([gateway(orgs[B], node)], process))
    [notice] = [i for i in node.queued(A) if isinstance(i, Notifier) and i.kind is NotifierKind.INVALID]
    assert notice.description == f"addressed to {A}, which this gateway does not serve"
