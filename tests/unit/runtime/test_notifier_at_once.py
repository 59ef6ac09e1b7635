"""A polled notifier that can be applied at once is verified, stored and matched in one transaction
(no inbound work item); one that cannot (its letter still being sent, a signature that does not
verify, something that is no notifier) is stored as inbound work, as every item was before."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ecms_gateway.codec import LetterDocument, NotifierKind, build_document
from ecms_gateway.engine import LetterState, SignatureMark, WorkKind
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.ports import ReceivedItem
from ecms_gateway.runtime.inbound import InboundProcessor
from ecms_gateway.runtime.notices import receiver_notice, signed
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk
from ecms_gateway.store.tables import AUDIT, INBOX, NOTIFIER, WORK
from ecms_gateway.xml.parser import XmlLimits

from .support import NODE_URL, ORGS, A, Agency, B, agencies, letter, routing


def _processor(agency: Agency) -> InboundProcessor:
    return InboundProcessor(
        store=agency.store,
        verifier=agency.verifier(),
        settings=RuntimeSettings(orgs=(ServedOrg(org_id=agency.org_id, node_url=NODE_URL),)),
        limits=XmlLimits(),
    )


def _submitted(a: Agency, node: MemoryNode) -> int:
    """Letter 1 submitted at A and taken by the node (its sending not recorded at A yet)."""
    letter_id = clerk.submit(
        a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:test"
    ).letter_id
    document = build_document(letter(1))
    a.signer().sign_letter(document)
    node.enqueue(A, LetterDocument(element=document), message_id=None)
    return letter_id


def _sent_letter(a: Agency, node: MemoryNode) -> int:
    """Letter 1 sent by A through the node, its sending recorded."""
    letter_id = _submitted(a, node)
    claim = a.store.claim("ecms", "w1")
    assert claim is not None
    a.store.complete(claim.work_id, worker="w1")
    return letter_id


def _receive_notifier(b: Agency, node: MemoryNode, *, signer_of: Agency | None = None) -> ReceivedItem:
    """B's ReceiveLetterNotifier about letter 1, as A polls it from the node."""
    inbox = b.store.accept_inbound(b"<raw/>", channel="ecms", process_id="in-1", actor="test")
    received = b.store.record_inbound_letter(
        inbox.id, letter(1), actor="test", signature=SignatureMark.VERIFIED
    )
    notice = receiver_notice(NotifierKind.RECEIVE, b.store.show(received.id), receiving_org=B)
    by = signer_of or b
    notice = signed(notice, by.signer(), org_id=by.org_id, partner_id=B if by.org_id == A else A)
    node.enqueue(B, notice, message_id=None)

    async def poll() -> ReceivedItem:
        item = await node.client(A).poll()
        assert item is not None
        return item

    return asyncio.run(poll())


def _counts(agency: Agency) -> tuple[int, int, int]:
    """Inbox items, inbound work items, notifier records."""
    with agency.store.db.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(INBOX)).scalar_one(),
            conn.execute(
                select(func.count()).select_from(WORK).where(WORK.c.kind == WorkKind.INBOUND.value)
            ).scalar_one(),
            conn.execute(select(func.count()).select_from(NOTIFIER)).scalar_one(),
        )


def test_a_notifier_is_stored_and_applied_in_one_step_and_only_once(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    letter_id = _sent_letter(a, node)
    item = _receive_notifier(b, node)
    processor = _processor(a)

    done = processor.at_once(item, actor="poller:test")
    assert done is not None
    assert "applied" in done.note
    assert a.store.show(letter_id).letter.state is LetterState.DELIVERED
    assert _counts(a) == (1, 0, 1)  # stored, no inbound work, one notifier record
    with a.store.db.read() as conn:
        detail = conn.execute(select(AUDIT.c.detail).where(AUDIT.c.action == "inbox.received")).scalar_one()
    assert '"matched_at_once":true' in detail

    # The delete was lost and the node gives the same item again: stored before, not applied twice.
    again = processor.at_once(item, actor="poller:test")
    assert again is not None
    assert "stored before" in again.note
    assert _counts(a) == (1, 0, 1)
    assert a.store.verify_audit().ok


def test_a_notifier_whose_letter_is_still_being_sent_is_left_to_the_inbound_worker(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    _submitted(a, node)
    assert a.store.claim("ecms", "slow-worker") is not None  # sending, not recorded as sent yet
    item = _receive_notifier(b, node)

    with caplog.at_level(logging.INFO):
        assert _processor(a).at_once(item, actor="poller:test") is None
    assert "still sending here" in caplog.text
    assert _counts(a) == (0, 0, 0)  # nothing stored here: the poller stores it as inbound work


def test_a_notifier_signed_by_someone_else_is_left_to_the_inbound_worker(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The worker then refuses it with the reason (a dead letter), as before."""
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    letter_id = _sent_letter(a, node)
    item = _receive_notifier(b, node, signer_of=a)  # A's key, not B's

    with caplog.at_level(logging.INFO):
        assert _processor(a).at_once(item, actor="poller:test") is None
    assert f"trust check 'chain' failed for organisation {B}" in caplog.text
    assert _counts(a) == (0, 0, 0)
    assert a.store.show(letter_id).letter.state is LetterState.SENT
