"""One state machine per letter: notifiers move outbound letters on, clerks move inbound ones;
illegal transitions are refused, recorded for operators and never applied.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from store_support import make_package

from ecms_gateway.engine import (
    Event,
    LetterState,
    NotifierIn,
    NotifierKind,
    NotifierOutcome,
    NotifierResult,
    SignatureMark,
    Store,
    WorkKind,
    WorkState,
)
from ecms_gateway.errors import IllegalTransition, PermanentFailure, StoreError

DAY = date(2026, 11, 20)


def _notify(
    store: Store, kind: NotifierKind, book_no: str, *, accept_id: str | None = None, dept: str = "20990"
) -> NotifierResult:
    return store.match_notifier(
        NotifierIn(kind=kind, sender_dept=dept, book_no=book_no, letter_date=DAY, accept_id=accept_id),
        actor="ecms",
    )


def _sent(store: Store, i: int) -> int:
    letter_id = store.accept_outbound(make_package(i), actor="clerk", channel="ecms")
    claim = store.claim("ecms", "w")
    assert claim is not None
    assert claim.letter_id == letter_id
    assert store.show(letter_id).letter.state is LetterState.SENDING
    store.complete(claim.work_id, worker="w")
    return letter_id


def test_outbound_happy_path(store: Store) -> None:
    letter_id = _sent(store, 1)
    assert store.show(letter_id).letter.state is LetterState.SENT
    # The notifier writes the book number in Thai digits: it still matches.
    assert _notify(store, NotifierKind.RECEIVE, "ศธ ๐๙๙๐/๑").state is LetterState.DELIVERED
    result = _notify(store, NotifierKind.ACCEPT, "ศธ 0990/1", accept_id="รับ 42/2569")
    assert (result.outcome, result.letter_id, result.state) == (
        NotifierOutcome.APPLIED,
        letter_id,
        LetterState.ACCEPTED,
    )
    detail = store.show(letter_id)
    assert detail.letter.accept_id == "รับ 42/2569"
    assert [h.action for h in detail.history] == [
        "letter.accepted",
        "letter.claim",
        "letter.sent",
        "letter.receive_notified",
        "letter.accept_notified",
    ]


def test_a_late_or_repeated_receipt_is_noted_not_refused(store: Store) -> None:
    letter_id = _sent(store, 1)
    _notify(store, NotifierKind.ACCEPT, "ศธ 0990/1", accept_id="7")  # the answer overtook the receipt
    late = _notify(store, NotifierKind.RECEIVE, "ศธ 0990/1")
    assert (late.outcome, late.state) == (NotifierOutcome.NOTED, LetterState.ACCEPTED)
    other = _sent(store, 2)
    _notify(store, NotifierKind.RECEIVE, "ศธ 0990/2")
    again = _notify(store, NotifierKind.RECEIVE, "ศธ 0990/2")
    assert (again.outcome, again.state) == (NotifierOutcome.NOTED, LetterState.DELIVERED)
    assert store.refused_events() == []
    assert store.show(letter_id).letter.accept_id == "7"
    assert store.show(other).history[-1].action == "notifier.noted"


def test_accept_notifier_for_withdrawn_letter_is_refused_and_recorded(store: Store) -> None:
    letter_id = _sent(store, 1)
    _notify(store, NotifierKind.REJECT, "ศธ 0990/1")
    store.withdraw(letter_id, actor="clerk:somchai", reason="wrong receiver")
    assert [r.kind for r in store.queue()] == [WorkKind.WITHDRAW]  # the withdrawal goes out to the node
    result = _notify(store, NotifierKind.ACCEPT, "ศธ 0990/1", accept_id="99")
    assert (result.outcome, result.state) == (NotifierOutcome.REFUSED, LetterState.WITHDRAWN)
    detail = store.show(letter_id)
    assert detail.letter.state is LetterState.WITHDRAWN
    assert detail.letter.accept_id is None
    [refused] = store.refused_events()
    assert (refused.letter_id, refused.event, refused.state) == (letter_id, "accept_notified", "withdrawn")
    assert detail.refused == (refused,)
    assert store.verify_audit().ok


def test_notifier_prefers_the_live_resend_over_the_withdrawn_letter(store: Store) -> None:
    first = _sent(store, 1)
    _notify(store, NotifierKind.INVALID, "ศธ 0990/1")
    store.withdraw(first, actor="clerk", reason="wrong department")
    second = store.accept_outbound(make_package(1), actor="clerk", channel="ecms", resend_of=first)
    store.complete(_claim(store), worker="w")
    assert _notify(store, NotifierKind.RECEIVE, "ศธ 0990/1").letter_id == second


def _claim(store: Store) -> int:
    claim = store.claim("ecms", "w", kinds=[WorkKind.SEND])
    assert claim is not None
    return claim.work_id


def test_unmatched_notifier_is_kept_for_operators(store: Store) -> None:
    result = _notify(store, NotifierKind.ACCEPT, "ศธ 0990/777", accept_id="5")
    assert (result.outcome, result.letter_id) == (NotifierOutcome.UNMATCHED, None)
    [kept] = store.unmatched_notifiers()
    assert (kept.id, kept.book_no, kept.accept_id, kept.kind) == (
        result.notifier_id,
        "ศธ 0990/777",
        "5",
        NotifierKind.ACCEPT,
    )
    # Same book number and date but another sender department: not our letter either.
    _sent(store, 777)
    assert (
        _notify(store, NotifierKind.RECEIVE, "ศธ 0990/777", dept="20881").outcome is NotifierOutcome.UNMATCHED
    )


def test_clerk_illegal_transition_raises_and_is_recorded(store: Store) -> None:
    letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    pattern = r"withdraw does not apply to outbound letter \d+ in state queued"
    with pytest.raises(IllegalTransition, match=pattern):
        store.withdraw(letter_id, actor="clerk:a", reason="changed my mind")
    assert store.show(letter_id).letter.state is LetterState.QUEUED
    [refused] = store.refused_events()
    assert refused.actor == "clerk:a"
    assert "changed my mind" in refused.reason
    with pytest.raises(StoreError, match="driven by the work queue"):
        store.apply_event(letter_id, Event.SENT, actor="clerk")


def test_inbound_register_reject_invalid(store: Store) -> None:
    ids = []
    for i in (1, 2, 3):
        inbox = store.accept_inbound(f"raw {i}".encode(), channel="ecms", process_id=f"P{i}", actor="poller")
        ids.append(
            store.record_inbound_letter(
                inbox.id, make_package(i), actor="w", signature=SignatureMark.VERIFIED
            ).id
        )
    assert store.register_inbound(ids[0], actor="clerk") == 1
    store.apply_event(ids[1], Event.REJECT, actor="clerk", reason="not ours")
    store.apply_event(ids[2], Event.MARK_INVALID, actor="clerk", reason="wrong department")
    states = [store.show(i).letter.state for i in ids]
    assert states == [LetterState.REGISTERED, LetterState.REJECTED, LetterState.INVALID]
    with pytest.raises(IllegalTransition):
        store.register_inbound(ids[1], actor="clerk")  # a rejected letter gets no receive number
    assert store.show(ids[1]).letter.registry_no is None
    kinds = sorted(r.kind.value for r in store.queue())
    assert kinds == [
        "inbound",
        "inbound",
        "inbound",
        "notify_accept",
        "notify_invalid",
        "notify_receive",
        "notify_receive",
        "notify_receive",
        "notify_reject",
    ]


def test_invalid_accept_id_notifier_is_noted_on_our_inbound_letter(store: Store) -> None:
    inbox = store.accept_inbound(b"raw", channel="ecms", process_id="P1", actor="poller")
    letter_id = store.record_inbound_letter(
        inbox.id, make_package(5), actor="w", signature=SignatureMark.VERIFIED
    ).id
    store.register_inbound(letter_id, actor="clerk")
    result = _notify(store, NotifierKind.INVALID_ACCEPT_ID, "ศธ 0990/5")
    assert (result.outcome, result.letter_id, result.state) == (
        NotifierOutcome.NOTED,
        letter_id,
        LetterState.REGISTERED,
    )


def test_a_letter_given_up_on_that_arrived_all_the_same_goes_on_with_the_receivers_notifier(
    store: Store,
) -> None:
    """The node's answer timed out try after try, so delivery gave up; the node had queued the letter
    and the receiver's ReceiveLetterNotifier comes: the letter is delivered, and its dead send is done,
    so that no redrive sends it a second time."""
    letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    claim = store.claim("ecms", "w")
    assert claim is not None
    store.fail(claim.work_id, worker="w", error=PermanentFailure("the node's answer timed out"))
    assert store.show(letter_id).letter.state is LetterState.FAILED
    assert [row.work_id for row in store.queue(work_state=WorkState.DEAD)] == [claim.work_id]

    result = _notify(store, NotifierKind.RECEIVE, "ศธ 0990/1")
    assert (result.outcome, result.state) == (NotifierOutcome.APPLIED, LetterState.DELIVERED)
    assert store.queue(work_state=WorkState.DEAD) == []
    with pytest.raises(StoreError, match="only dead letters can be redriven"):
        store.redrive([claim.work_id], actor="operator")
    received = [h for h in store.show(letter_id).history if h.action == "letter.receive_notified"]
    assert json.loads(received[0].detail or "{}")["settled_work"] == [claim.work_id]
    assert _notify(store, NotifierKind.ACCEPT, "ศธ 0990/1", accept_id="7").state is LetterState.ACCEPTED
