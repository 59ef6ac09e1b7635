"""Persist, then send, on the e-CMS channel (the in-memory node): a message is archived before its
first try, and a retry after a lost reply sends the archived bytes, not a message built and signed
again; the archive holds what the node took, confirmed with its ProcessID. A redrive starts a new
message; a signing key replaced between tries does not change what is sent again."""

from __future__ import annotations

import asyncio
import base64
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ecms_gateway.codec import LetterDocument, read_message
from ecms_gateway.engine import Claim, Direction, LetterState, Store, WorkKind
from ecms_gateway.errors import PermanentTransportError, TransientTransportError
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.runtime.gateway import OUTBOUND_KINDS
from ecms_gateway.runtime.outbound import Outbound
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.runtime.worker import WorkLoop
from ecms_gateway.services import clerk
from ecms_gateway.signing import KeyRef, OutboundSigner, SigningConfig, write_new_key
from ecms_gateway.xml.namespaces import DS
from ecms_gateway.xml.parser import parse_xml

from .support import ORGS, A, Agency, B, agencies, gateway, letter, routing, running, until

LOST = TransientTransportError("connection closed before the whole reply (the node took the request)")


def _ticking() -> Callable[[], datetime]:
    """Each look at the clock is a minute later: a letter built and signed again would differ."""
    minutes = itertools.count()
    return lambda: datetime(2026, 11, 20, 3, 0, tzinfo=UTC) + timedelta(minutes=next(minutes))


def _loop(agency: Agency, node: MemoryNode, signer: OutboundSigner | None = None) -> WorkLoop:
    outbound = Outbound(
        store=agency.store,
        nodes={agency.org_id: node.client(agency.org_id)},
        signer=signer or agency.signer(),
        routing=routing,
        secrecy=SecrecyPolicy(),
        clock=_ticking(),
    )
    return WorkLoop(
        store=agency.store,
        channel="ecms",
        kinds=OUTBOUND_KINDS,
        name=f"{agency.org_id}/out-1",
        handler=outbound.handle,
        idle_s=0.01,
        lease=timedelta(minutes=5),
        wake=Pulse(),
    )


async def _try(loop: WorkLoop, store: Store, kind: WorkKind = WorkKind.SEND) -> Claim:
    """Claim the item once it is due (after a retry's backoff) and do it, as the work loop does."""
    claim = await until("the work to be due", lambda: store.claim("ecms", loop.name, kinds=(kind,)))
    await loop.do(claim)
    return claim


def test_a_letter_whose_reply_was_lost_is_sent_again_as_archived(tmp_path: Path) -> None:
    a = agencies(tmp_path)[A]
    node = MemoryNode(ORGS)
    letter_id = clerk.submit(
        a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:a"
    ).letter_id
    node.fail_next(LOST, on="send", org=A, after=True)
    loop = _loop(a, node)

    async def tries() -> None:
        await _try(loop, a.store)
        await _try(loop, a.store)

    asyncio.run(tries())
    first, again = node.envelopes
    assert again == first  # neither built nor signed again, though a minute went by
    [queued] = node.queued(B)  # the node took the first and answered the repeat from its receipt
    assert isinstance(queued, LetterDocument)
    detail = a.store.show(letter_id)
    assert detail.letter.state is LetterState.SENT
    assert [x.outcome for x in detail.attempts] == ["retry", "done"]
    [sent] = detail.sent
    assert a.store.load_sent(sent.id) == first
    read = read_message(first)
    assert read.envelope is not None
    assert sent.message_id == read.envelope.message_id
    assert sent.confirmation == f"ProcessID {node.receipts[sent.message_id]}"
    assert sent.confirmed_at is not None


def test_a_signing_key_replaced_between_tries_does_not_change_what_is_sent_again(tmp_path: Path) -> None:
    a = agencies(tmp_path)[A]
    node = MemoryNode(ORGS)
    clerk.submit(a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:a")
    node.fail_next(LOST, on="send", org=A, after=True)
    new_cert = write_new_key(A, tmp_path / "new-key").cert
    replaced = SigningConfig(
        keys={A: KeyRef(org_id=A, key=tmp_path / "new-key" / f"{A}.key.pem", cert=new_cert)},
        trust_dir=a.signing.trust_dir,
        default_partner=a.signing.default_partner,
    )

    async def tries() -> None:
        await _try(_loop(a, node), a.store)
        await _try(_loop(a, node, OutboundSigner(replaced)), a.store)  # restarted with the new key

    asyncio.run(tries())
    first, again = node.envelopes
    assert again == first
    signers = _certificates(again)
    assert signers == [_der(a.signing.keys[A].cert)]  # signed with the key of the first try
    assert _der(new_cert) not in signers


def _der(pem: Path) -> bytes:
    return x509.load_pem_x509_certificate(pem.read_bytes()).public_bytes(serialization.Encoding.DER)


def _certificates(envelope: bytes) -> list[bytes]:
    """The certificates in the signature's ds:KeyInfo."""
    tree = parse_xml(envelope)
    return [base64.b64decode(c.text or "") for c in tree.iter(f"{{{DS}}}X509Certificate")]


def test_a_redriven_letter_is_built_again_and_the_refused_message_stays_unconfirmed(tmp_path: Path) -> None:
    a = agencies(tmp_path)[A]
    node = MemoryNode(ORGS)
    letter_id = clerk.submit(
        a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:a"
    ).letter_id
    node.fail_next(PermanentTransportError("ECMS-203: the receiver is not served here"), on="send", org=A)
    loop = _loop(a, node)

    async def tries() -> None:
        await _try(loop, a.store)
        assert a.store.letter_state(letter_id) is LetterState.FAILED
        [work] = {x.work_id for x in a.store.show(letter_id).attempts}
        a.store.redrive([work], actor="operator")
        await _try(loop, a.store)

    asyncio.run(tries())
    refused, delivered = a.store.show(letter_id).sent
    assert (refused.confirmed_at, delivered.confirmation) == (
        None,
        f"ProcessID {next(iter(node.receipts.values()))}",
    )
    assert refused.message_id != delivered.message_id  # a new run of tries, a new message
    assert a.store.load_sent(delivered.id) == node.envelopes[-1]
    assert a.store.letter_state(letter_id) is LetterState.SENT


def test_notifiers_and_a_withdrawal_whose_replies_were_lost_are_sent_again_as_archived(
    tmp_path: Path,
) -> None:
    """B's ReceiveLetterNotifier and RejectLetterNotifier, and A's withdrawal, each lose the node's
    reply once: every request the node saw twice is the archived one."""
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    letter_id = clerk.submit(
        a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:a"
    ).letter_id
    node.fail_next(LOST, on="send", org=B, after=True)  # the ReceiveLetterNotifier's reply
    key = letter(1).letter

    async def life() -> None:
        found = await until(
            "received at B",
            lambda: b.store.find_letter(direction=Direction.IN, book_no=key.book_no, letter_date=key.date),
        )
        await until("delivered at A", lambda: a.store.letter_state(letter_id) is LetterState.DELIVERED)
        # A has it once the node queued it; B's retry of it (its reply was lost) may still be to come:
        # the next lost reply is for the RejectLetterNotifier only once that retry is confirmed.
        await until("confirmed at B", lambda: any(m.confirmation for m in b.store.show(found.id).sent))
        node.fail_next(LOST, on="send", org=B, after=True)  # the RejectLetterNotifier's reply
        clerk.reject(b.store, found.id, reason="ขาดสิ่งที่ส่งมาด้วย", actor="clerk:b")
        await until("rejected at A", lambda: a.store.letter_state(letter_id) is LetterState.REJECTED)
        node.fail_next(LOST, on="withdraw", org=A, after=True)
        clerk.withdraw(a.store, letter_id, actor="clerk:a")
        await until(
            "withdrawn at the node",
            lambda: any(
                x.kind is WorkKind.WITHDRAW and x.outcome == "done" for x in a.store.show(letter_id).attempts
            ),
        )

    asyncio.run(running([gateway(a, node), gateway(b, node)], life))
    inbound = b.store.find_letter(direction=Direction.IN, book_no=key.book_no, letter_date=key.date)
    assert inbound is not None
    sent_by_b = b.store.show(inbound.id).sent
    assert [m.what.value for m in sent_by_b] == ["notifier:receive", "notifier:reject"]
    withdrawal = a.store.show(letter_id).sent[-1]
    assert withdrawal.what.value == "withdraw"
    archived = {b.store.load_sent(m.id) for m in sent_by_b} | {a.store.load_sent(withdrawal.id)}
    assert set(node.envelopes) >= archived
    for envelope in archived:  # each was sent twice (the reply lost once), the same bytes both times
        assert node.envelopes.count(envelope) == 2
    assert all(m.confirmation and m.confirmation.startswith("ProcessID ") for m in (*sent_by_b, withdrawal))
    assert len(node.receipts) == 3  # the letter and B's two notifiers, each queued once


def test_an_invalid_accept_id_notifier_whose_reply_was_lost_is_sent_again_as_archived(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    letter_id = clerk.submit(
        a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:a"
    ).letter_id

    async def life() -> None:
        await until("accepted at A", lambda: a.store.letter_state(letter_id) is LetterState.ACCEPTED)
        node.fail_next(LOST, on="send", org=A, after=True)
        clerk.report_wrong_accept_id(a.store, letter_id, reason="เลขรับซ้ำกับหนังสืออื่น", actor="clerk:a")
        await until(
            "the report sent",
            lambda: any(
                x.kind is WorkKind.NOTIFY_INVALID_ACCEPT_ID and x.outcome == "done"
                for x in a.store.show(letter_id).attempts
            ),
        )

    asyncio.run(running([gateway(a, node, auto_register=False), gateway(b, node, auto_register=True)], life))
    report = a.store.show(letter_id).sent[-1]
    assert report.what.value == "notifier:invalid_accept_id"
    archived = a.store.load_sent(report.id)
    assert node.envelopes.count(archived) == 2
    assert report.confirmation == f"ProcessID {node.receipts[report.message_id]}"
