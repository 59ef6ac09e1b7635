"""The clerk's actions: reasons are required, a resend waits for the node's withdrawal, a wrong
receive number is reported to the receiver, a letter for someone else is marked invalid."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from ecms_gateway.codec import LetterDocument, Notifier, NotifierKind, build_document
from ecms_gateway.engine import Direction, LetterState, SignatureMark, WorkKind
from ecms_gateway.errors import InputError, StoreError, TransientTransportError
from ecms_gateway.letter.model import FileData
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.settings import MB, MessageLimits
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk

from .support import ORGS, A, B, agencies, gateway, letter, routing, running, until


def test_reject_and_invalid_need_a_reason(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    with pytest.raises(InputError, match="say why"):
        clerk.reject(orgs[B].store, 1, reason="  ", actor="clerk")
    with pytest.raises(InputError, match="say why"):
        clerk.mark_invalid(orgs[B].store, 1, reason="", actor="clerk")


def test_a_letter_to_the_senders_own_organisation_is_refused_before_it_is_accepted(tmp_path: Path) -> None:
    """Nothing would register it: the gateway's own copy came back from the node, failed verification
    (an agency does not trust its own certificate as a partner's) and ended as a dead inbox item."""
    orgs = agencies(tmp_path)
    to_self = letter(sender=A, receiver=A)
    with pytest.raises(InputError, match="is the sender's own organisation") as info:
        clerk.submit(orgs[A].store, to_self, routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")
    assert info.value.fault_code == "routing.to_self"
    assert orgs[A].store.queue() == []


def test_files_too_large_for_the_channel_are_refused_before_the_letter_is_accepted(tmp_path: Path) -> None:
    """Accepted, such a letter would fail for good when the node refused the message; a letter that
    fits goes on. By mail the files travel twice, so less fits than by e-CMS."""
    orgs = agencies(tmp_path)
    limits = MessageLimits(xml_max_bytes=3 * MB, mail_max_bytes=5 * MB)  # room: 1 MB by e-CMS, 1 MB by mail
    base = letter(1)
    big = FileData(name="annex.pdf", mime="application/pdf", content=b"%PDF-" + bytes(MB))
    too_large = replace(base, attachments=(big,))
    with pytest.raises(InputError, match=r"by ecms a letter's files may be 1\.0 MB") as info:
        clerk.submit(
            orgs[A].store, too_large, routing=routing(), secrecy=SecrecyPolicy(), actor="c", limits=limits
        )
    assert info.value.fault_code == "letter.too_large"
    assert orgs[A].store.queue() == []
    fits = replace(base, attachments=(replace(big, content=big.content[: MB // 2]),))
    assert clerk.submit(
        orgs[A].store, fits, routing=routing(), secrecy=SecrecyPolicy(), actor="c", limits=limits
    )
    assert limits.files_room("mail") == 1 * MB


def test_a_sender_this_gateway_does_not_send_for_is_refused_before_it_is_accepted(tmp_path: Path) -> None:
    """It used up a registry number and then died at sending: the gateway has no key to sign for it."""
    orgs = agencies(tmp_path)
    stranger = letter(1, sender="2099500000")
    with pytest.raises(InputError, match="not an organisation this gateway sends for") as info:
        clerk.submit(
            orgs[A].store, stranger, routing=routing(), secrecy=SecrecyPolicy(), actor="c", served={A}
        )
    assert info.value.fault_code == "routing.sender_not_served"
    assert orgs[A].store.queue() == []


def test_a_refused_withdrawal_quotes_no_reason_the_clerk_did_not_give(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    sent = clerk.submit(orgs[A].store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="c")
    with pytest.raises(StoreError, match="event withdraw does not apply") as info:
        clerk.withdraw(orgs[A].store, sent.letter_id, actor="clerk")
    assert "given reason" not in str(info.value)


def test_resending_says_to_withdraw_only_a_letter_that_can_be_withdrawn(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    sent = clerk.submit(orgs[A].store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="c")
    with pytest.raises(StoreError) as info:
        clerk.resend(orgs[A].store, sent.letter_id, routing=routing(), secrecy=SecrecyPolicy(), actor="c")
    assert "withdraw it first" not in str(info.value)
    assert "only after its receiver refused it" in str(info.value)


def test_a_rejected_letter_is_resent_only_after_the_node_withdrew_it(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    first = clerk.submit(a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")
    key = letter(1).letter

    async def exchange() -> None:
        inbound = await until(
            "received at B",
            lambda: b.store.find_letter(direction=Direction.IN, book_no=key.book_no, letter_date=key.date),
        )
        clerk.reject(b.store, inbound.id, reason="ผิดเรื่อง", actor="clerk:b")
        await until(
            "rejected at A", lambda: a.store.show(first.letter_id).letter.state is LetterState.REJECTED
        )

    asyncio.run(running([gateway(a, node), gateway(b, node)], exchange))
    with pytest.raises(StoreError) as rejected:
        clerk.resend(a.store, first.letter_id, routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")
    # The command line's advice apart from the fact, which the API and the web pages say their way.
    assert (
        rejected.value.fact
        == f"letter {first.letter_id} is rejected; only a withdrawn letter can be sent again"
    )
    assert str(rejected.value).endswith(f"withdraw it first: `ecms-gateway withdraw {first.letter_id}`")
    clerk.withdraw(a.store, first.letter_id, actor="clerk:a")
    corrected = letter(1, subject="แก้ไขแล้ว")
    with pytest.raises(StoreError, match="has not confirmed the withdrawal") as unconfirmed:
        clerk.resend(
            a.store,
            first.letter_id,
            routing=routing(),
            secrecy=SecrecyPolicy(),
            actor="clerk",
            corrected=corrected,
        )
    assert "ecms-gateway" not in unconfirmed.value.fact
    assert f"`ecms-gateway show {first.letter_id}`" in str(unconfirmed.value)

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


def test_a_refused_letter_sent_again_unchanged_waits_for_the_receivers_clerk_again(tmp_path: Path) -> None:
    """B rejects, A withdraws and sends the same letter again: B does not take it for the first one
    delivered twice (it would sit at A as sent, never answered) but puts it back before its clerk and
    tells A it arrived; registering it then gives A the receive number."""
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    first = clerk.submit(a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")
    key = letter(1).letter

    def inbound() -> int | None:
        found = b.store.find_letter(direction=Direction.IN, book_no=key.book_no, letter_date=key.date)
        return None if found is None else found.id

    async def reject_then_withdraw() -> None:
        clerk.reject(b.store, await until("received at B", inbound), reason="ผิดเรื่อง", actor="clerk:b")
        await until(
            "rejected at A", lambda: a.store.show(first.letter_id).letter.state is LetterState.REJECTED
        )
        clerk.withdraw(a.store, first.letter_id, actor="clerk:a")
        await until(
            "the withdrawal sent",
            lambda: any(
                x.kind is WorkKind.WITHDRAW and x.outcome == "done" for x in a.store.show(1).attempts
            ),
        )

    asyncio.run(running([gateway(a, node), gateway(b, node)], reject_then_withdraw))
    again = clerk.resend(a.store, first.letter_id, routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")

    async def resent() -> None:
        await until(
            "delivered at A", lambda: a.store.show(again.letter_id).letter.state is LetterState.DELIVERED
        )

    asyncio.run(running([gateway(a, node), gateway(b, node)], resent))
    letter_id = inbound()
    assert letter_id is not None
    shown = b.store.show(letter_id)
    assert shown.letter.state is LetterState.RECEIVED  # one record, back before the clerk
    assert [e.action for e in shown.history if e.action.startswith("letter.")][-1] == "letter.sent_again"
    assert clerk.register(b.store, letter_id, actor="clerk:b") == 1

    async def accepted() -> None:
        await until("accepted at A", lambda: a.store.show(again.letter_id).letter.accept_id == "1" or None)

    asyncio.run(running([gateway(a, node), gateway(b, node)], accepted))


def test_a_wrong_receive_number_is_queued_then_sent_with_retries_and_noted_at_the_receiver(
    tmp_path: Path,
) -> None:
    """The report is committed with its reason and sent by A's worker from the queue: a transient node
    failure is retried by the engine, and the notifier B gets carries the reason and the number."""
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    sent = clerk.submit(a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")
    seen: list[Notifier] = []

    async def accept() -> None:
        await until("accepted", lambda: a.store.show(sent.letter_id).letter.state is LetterState.ACCEPTED)

    asyncio.run(running([gateway(a, node), gateway(b, node, auto_register=True)], accept))
    report = clerk.report_wrong_accept_id(
        a.store, sent.letter_id, reason="  เลขรับซ้ำ\nกับฉบับอื่น ", actor="clerk:a"
    )
    assert (report.accept_id, report.reason) == ("1", "เลขรับซ้ำ กับฉบับอื่น")
    [queued] = [q for q in a.store.queue() if q.kind is WorkKind.NOTIFY_INVALID_ACCEPT_ID]
    assert queued.work_id == report.work_id
    assert queued.letter_id == sent.letter_id
    [entry] = [h for h in a.store.show(sent.letter_id).history if h.action == "letter.invalid_accept_id"]
    assert (entry.actor, entry.reason) == ("clerk:a", "เลขรับซ้ำ กับฉบับอื่น")
    node.fail_next(TransientTransportError("node busy", endpoint="memory"), on="send")

    async def deliver() -> None:
        def arrived() -> bool:
            seen.extend(
                i
                for i in node.queued(B)
                if isinstance(i, Notifier) and i.kind is NotifierKind.INVALID_ACCEPT_ID
            )
            return bool(seen)

        await until("the notifier in B's queue", arrived)

    asyncio.run(running([gateway(a, node)], deliver))
    assert (seen[0].accept_id, seen[0].description) == ("1", "เลขรับซ้ำ กับฉบับอื่น")
    tries = [x for x in a.store.show(sent.letter_id).attempts if x.work_id == report.work_id]
    assert [x.outcome for x in tries] == ["retry", "done"]

    async def noted() -> None:
        await until("noted at B", lambda: any(h.action == "notifier.noted" for h in b.store.show(1).history))

    asyncio.run(running([gateway(b, node, auto_register=True)], noted))
    assert b.store.unmatched_notifiers() == []


def test_a_wrong_receive_number_needs_our_letter_with_a_receive_number_and_a_reason(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    store = orgs[A].store
    sent = clerk.submit(store, letter(2), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk")
    with pytest.raises(StoreError, match="has no receive number"):
        clerk.report_wrong_accept_id(store, sent.letter_id, reason="x", actor="clerk")
    inbox = store.accept_inbound(b"<raw/>", channel="ecms", process_id="p1", actor="test")
    received = store.record_inbound_letter(
        inbox.id, letter(3, sender=B, receiver=A), actor="test", signature=SignatureMark.VERIFIED
    )
    with pytest.raises(StoreError, match="only the sender of a letter"):
        clerk.report_wrong_accept_id(store, received.id, reason="x", actor="clerk")
    with pytest.raises(InputError, match="the receiver is told"):
        clerk.report_wrong_accept_id(store, sent.letter_id, reason=" ", actor="clerk")
    assert not [q for q in store.queue() if q.kind is WorkKind.NOTIFY_INVALID_ACCEPT_ID]


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
