"""Notifiers built from the store: the receive number and date, the reason, the signature; and the
MessageID that makes a retried request recognisable."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ecms_gateway.codec import NotifierKind, encode
from ecms_gateway.engine import Claim, Event, SignatureMark, WorkKind
from ecms_gateway.runtime.notices import receiver_notice, signed
from ecms_gateway.runtime.outbound import message_id_for

from .support import A, Agency, B, agencies, letter


def _received(tmp_path: Path) -> tuple[dict[str, Agency], int]:
    orgs = agencies(tmp_path)
    store = orgs[B].store
    inbox = store.accept_inbound(b"<raw/>", channel="ecms", process_id="p1", actor="test")
    return orgs, store.record_inbound_letter(
        inbox.id, letter(7), actor="test", signature=SignatureMark.VERIFIED
    ).id


def test_accept_notice_carries_the_receive_number_and_its_date(tmp_path: Path) -> None:
    orgs, letter_id = _received(tmp_path)
    store = orgs[B].store
    store.register_inbound(letter_id, actor="clerk")
    notice = receiver_notice(NotifierKind.ACCEPT, store.show(letter_id), receiving_org=B)
    assert notice.kind is NotifierKind.ACCEPT
    assert notice.letter_id == "ศธ 0990/7"
    assert notice.accept_id == "1"
    assert notice.accept_date is not None
    assert notice.accept_department == B[:5]


def test_the_facts_a_notice_is_built_from_give_the_same_notice_and_say_when_receipt_went(
    tmp_path: Path,
) -> None:
    """``letter_facts`` (one read per notifier) builds the notice ``show`` builds, and tells the
    AcceptLetterNotifier's sender whether the ReceiveLetterNotifier has gone."""
    orgs, letter_id = _received(tmp_path)
    store = orgs[B].store
    store.register_inbound(letter_id, actor="clerk")
    facts = store.letter_facts(letter_id)
    for kind in (NotifierKind.RECEIVE, NotifierKind.ACCEPT):
        assert receiver_notice(kind, facts, receiving_org=B) == receiver_notice(
            kind, store.show(letter_id), receiving_org=B
        )
    assert facts.receive_notified is False
    claim = store.claim("ecms", "w1", kinds=(WorkKind.NOTIFY_RECEIVE,))
    assert claim is not None
    assert claim.letter_id == letter_id
    assert store.letter_facts(letter_id).receive_notified is False  # in hand, not gone yet
    store.complete(claim.work_id, worker="w1")
    assert store.letter_facts(letter_id).receive_notified is True


def test_reject_notice_carries_the_clerks_reason(tmp_path: Path) -> None:
    orgs, letter_id = _received(tmp_path)
    store = orgs[B].store
    store.apply_event(letter_id, Event.REJECT, actor="clerk", reason="ไม่ใช่เรื่องของหน่วยงานนี้")
    notice = receiver_notice(NotifierKind.REJECT, store.show(letter_id), receiving_org=B)
    assert notice.description == "ไม่ใช่เรื่องของหน่วยงานนี้"
    assert notice.accept_id is None


def test_signed_notice_verifies_at_the_sender_and_names_its_signer(tmp_path: Path) -> None:
    orgs, letter_id = _received(tmp_path)
    b, a = orgs[B], orgs[A]
    notice = receiver_notice(NotifierKind.RECEIVE, b.store.show(letter_id), receiving_org=B)
    signed_notice = signed(notice, b.signer(), org_id=B, partner_id=A)
    assert signed_notice.signature is not None
    verified = a.verifier().verify_notifier(encode(signed_notice), org_id=B)
    assert verified.status.value == "verified"


def test_the_message_id_is_the_same_for_every_try_at_one_work_item() -> None:
    first = datetime(2026, 11, 20, 9, 30, 1, 250000, tzinfo=UTC)

    def claim(attempt: int, work_id: int = 42) -> Claim:
        return Claim(
            work_id=work_id,
            kind=WorkKind.SEND,
            channel="ecms",
            letter_id=1,
            inbox_id=None,
            attempt=attempt,
            worker="w",
            lease_until=first,
            first_try_at=first,
        )

    assert (
        message_id_for(claim(1), A)
        == message_id_for(claim(5), A)
        == "mid://20261120.093001250.w42@2099000000.ecms-gateway"
    )
    assert message_id_for(claim(1, work_id=43), A) != message_id_for(claim(1), A)
