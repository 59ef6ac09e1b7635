"""The runtime in one process: two gateways over an in-memory node exchange letters and notifiers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from ecms_gateway.codec import LetterDocument, build_document
from ecms_gateway.engine import Direction, LetterState, WorkKind, WorkState
from ecms_gateway.errors import InputError, PermanentTransportError, PolicyRefused, TransientTransportError
from ecms_gateway.letter.codes import Secrecy
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk

from .support import ORGS, A, Agency, B, C, agencies, gateway, letter, routing, running, until


def _state(agency: Agency, book_no: str, direction: Direction = Direction.OUT) -> LetterState | None:
    package = letter()
    found = agency.store.find_letter(direction=direction, book_no=book_no, letter_date=package.letter.date)
    return None if found is None else found.state


def _submit(agency: Agency, number: int = 1, receiver: str = B) -> int:
    package = letter(number, sender=agency.org_id, receiver=receiver)
    return clerk.submit(
        agency.store, package, routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:test"
    ).letter_id


def test_letter_is_delivered_registered_and_both_notifiers_come_back(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    letter_id = _submit(a)

    async def exchange() -> None:
        await until("delivered at A", lambda: _state(a, "ศธ 0990/1") is LetterState.DELIVERED or None)
        inbound = b.store.find_letter(
            direction=Direction.IN, book_no="ศธ 0990/1", letter_date=letter().letter.date
        )
        assert inbound is not None
        assert clerk.register(b.store, inbound.id, actor="clerk:b") == 1
        await until("accepted at A", lambda: _state(a, "ศธ 0990/1") is LetterState.ACCEPTED or None)

    asyncio.run(running([gateway(a, node), gateway(b, node)], exchange))
    assert a.store.show(letter_id).letter.accept_id == "1"
    assert node.queues.get(A, []) == node.queues.get(B, []) == []  # every item deleted after storing


def test_auto_register_gives_the_receive_number_without_a_clerk(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    node = MemoryNode(ORGS)
    for number in (1, 2, 3):
        _submit(orgs[A], number)

    async def exchange() -> None:
        for number in (1, 2, 3):
            await until(
                f"letter {number} accepted",
                lambda n=number: _state(orgs[A], f"ศธ 0990/{n}") is LetterState.ACCEPTED or None,  # type: ignore[misc]
            )

    asyncio.run(running([gateway(orgs[A], node), gateway(orgs[B], node, auto_register=True)], exchange))
    numbers = sorted(r.letter_id for r in orgs[B].store.queue(letter_state=LetterState.REGISTERED))
    assert len(set(numbers)) == 3
    accept_ids = sorted(orgs[A].store.show(i).letter.accept_id or "" for i in (1, 2, 3))
    assert accept_ids == ["1", "2", "3"]


def test_two_gateways_on_default_signing_settings_get_each_others_notifiers(tmp_path: Path) -> None:
    """Neither signs its notifiers (the default, as the e-CMS samples): each accepts the other's
    unsigned notifiers, flagged, instead of turning every acknowledgement into a dead letter."""
    orgs = agencies(tmp_path, sign_notifiers=False)
    node = MemoryNode(ORGS)
    letter_id = _submit(orgs[A])

    async def exchange() -> None:
        await until("accepted at A", lambda: _state(orgs[A], "ศธ 0990/1") is LetterState.ACCEPTED or None)

    asyncio.run(running([gateway(orgs[A], node), gateway(orgs[B], node, auto_register=True)], exchange))
    assert orgs[A].store.show(letter_id).letter.accept_id == "1"
    assert orgs[A].store.queue(work_state=WorkState.DEAD) == []
    actions = [entry.action for entry in orgs[A].store.show(letter_id).history]
    assert "letter.receive_notified" in actions
    assert "letter.accept_notified" in actions


def test_transient_errors_are_retried_and_the_letter_reaches_the_node_once(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    node = MemoryNode(ORGS)
    node.fail_next(
        TransientTransportError("cut", endpoint="memory"),
        TransientTransportError("busy", endpoint="memory"),
        on="send",
    )
    letter_id = _submit(orgs[A])

    async def exchange() -> None:
        await until("sent", lambda: _state(orgs[A], "ศธ 0990/1") is LetterState.SENT or None)

    asyncio.run(running([gateway(orgs[A], node, poll_interval_s=3600)], exchange))
    outcomes = [a.outcome for a in orgs[A].store.show(letter_id).attempts if a.kind is WorkKind.SEND]
    assert outcomes.count("done") == 1
    assert len(node.queued(B)) == 1


def test_a_permanent_refusal_makes_a_dead_letter_with_the_reason(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    node = MemoryNode(ORGS)
    node.fail_next(
        PermanentTransportError("receiver unknown here", endpoint="memory", error_code="ECMS-201"), on="send"
    )
    letter_id = _submit(orgs[A])

    async def refuse() -> None:
        await until("failed", lambda: _state(orgs[A], "ศธ 0990/1") is LetterState.FAILED or None)

    asyncio.run(running([gateway(orgs[A], node, poll_interval_s=3600)], refuse))
    [row] = orgs[A].store.queue(work_state=WorkState.DEAD)
    assert row.letter_id == letter_id
    assert "receiver unknown here" in (row.last_error or "")


def test_a_letter_for_an_agency_without_a_node_waits_with_the_reason(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    node = MemoryNode(ORGS)
    submitted = clerk.submit(
        orgs[A].store, letter(1, receiver=C), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:test"
    )
    assert submitted.route.channel == "mail"

    async def hold() -> None:
        await until("held", lambda: orgs[A].store.queue(work_state=WorkState.DEAD) or None)

    asyncio.run(running([gateway(orgs[A], node)], hold))
    [row] = orgs[A].store.queue(work_state=WorkState.DEAD)
    assert row.channel == "mail"
    assert "no saraban mail channel is configured" in (row.last_error or "")
    assert node.queued(C) == []


def test_stopping_releases_the_work_in_hand(tmp_path: Path) -> None:
    """A send that hangs past the shutdown grace is released: ready again, its lease cleared, the
    attempt ended as released, the letter queued again. Its request was archived and may have reached
    the node, so the try counts and the next start sends that same request: one message, not two."""
    orgs = agencies(tmp_path)
    node = MemoryNode(ORGS)
    entered = asyncio.Event()

    gw = gateway(orgs[A], node, shutdown_grace_s=0.2, poll_interval_s=3600)
    client = gw.parts.nodes[A]
    delivered = client.send

    async def hang(*args: Any, **kwargs: Any) -> None:
        await delivered(*args, **kwargs)  # the node queues it; its reply never comes back
        entered.set()
        await asyncio.sleep(3600)

    client.send = hang  # type: ignore[method-assign]
    letter_id = _submit(orgs[A])

    async def body() -> None:
        await asyncio.wait_for(entered.wait(), 20)

    asyncio.run(running([gw], body))
    [row] = orgs[A].store.queue(channel="ecms")
    assert row.state is WorkState.READY
    assert row.lease_owner is None
    assert row.attempts == 1
    detail = orgs[A].store.show(letter_id)
    assert detail.letter.state is LetterState.QUEUED
    [attempt] = detail.attempts
    assert attempt.outcome == "released"
    assert "stopped while it was in hand" in (attempt.error or "")
    assert "may have reached the channel" in (attempt.error or "")
    [archived] = detail.sent

    again = gateway(orgs[A], node, poll_interval_s=3600)

    async def sent() -> None:
        await until("sent again", lambda: _state(orgs[A], "ศธ 0990/1") is LetterState.SENT or None)

    asyncio.run(running([again], sent))
    [message] = orgs[A].store.show(letter_id).sent
    assert (message.id, message.message_id) == (archived.id, archived.message_id)
    assert message.confirmed_at is not None
    assert len(node.queued(B)) == 1  # the node knew the MessageID: the letter is queued once


def test_secrecy_policy_and_unknown_receivers_are_refused_with_the_reason(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    with pytest.raises(PolicyRefused, match="policy sends letters with a secrecy class on paper"):
        clerk.submit(
            orgs[A].store,
            letter(1, secrecy=Secrecy.SECRET),
            routing=routing(),
            secrecy=SecrecyPolicy(),
            actor="clerk",
        )
    with pytest.raises(InputError, match="not in the organisation directory"):
        clerk.submit(
            orgs[A].store,
            letter(2, receiver="2088800000"),
            routing=routing(),
            secrecy=SecrecyPolicy(),
            actor="c",
        )
    assert orgs[A].store.queue() == []


def test_a_notifier_that_overtakes_the_recording_of_the_send_is_applied_after_it(tmp_path: Path) -> None:
    """The node took the letter, B answered, but A has not recorded the send yet: the notifier waits."""
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    package = letter(1)
    letter_id = _submit(a)
    claim = a.store.claim("ecms", "slow-worker")  # A's send is in hand, not yet recorded as sent
    assert claim is not None
    document = build_document(package)
    a.signer().sign_letter(document)
    node.enqueue(A, LetterDocument(element=document), message_id=None)

    async def exchange() -> None:
        def waiting() -> bool:
            inbound = [r for r in a.store.queue(channel="ecms") if r.kind is WorkKind.INBOUND]
            return any("still sending here" in (r.last_error or "") for r in inbound)

        await until("the ReceiveLetterNotifier to wait for the send", waiting)
        a.store.complete(claim.work_id, worker="slow-worker")
        await until("delivered", lambda: a.store.show(letter_id).letter.state is LetterState.DELIVERED)

    asyncio.run(running([gateway(a, node, outbound_workers=1), gateway(b, node)], exchange))
    assert a.store.refused_events() == []
