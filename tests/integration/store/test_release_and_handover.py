"""Releasing a claimed item untried (graceful shutdown), and completing an item together with the claim
of the next one in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store_support import Backend, FakeClock, encode_raw, make_package

from ecms_gateway.engine import (
    LetterState,
    RetryPolicies,
    RetryPolicy,
    SignatureMark,
    Store,
    WorkKind,
    WorkState,
)
from ecms_gateway.errors import LeaseLost

LEASE = timedelta(minutes=1)


def test_released_items_never_use_up_attempts(backend: Backend, clock: FakeClock) -> None:
    """With max_attempts=2, three restarts that each release the letter leave it ready and queued."""
    with backend.open(clock=clock, policies=RetryPolicies(default=RetryPolicy(max_attempts=2))) as store:
        letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
        for worker in ("w1", "w2", "w3"):
            claim = store.claim("ecms", worker, lease=LEASE)
            assert claim is not None
            assert claim.attempt == 1
            assert store.show(letter_id).letter.state is LetterState.SENDING
            store.release(claim.work_id, worker=worker, reason="released: stopping")
            [row] = store.queue()
            assert (row.state, row.attempts, row.lease_owner) == (WorkState.READY, 0, None)
            assert row.next_try_at == clock.now  # ready at once, no backoff
            assert store.show(letter_id).letter.state is LetterState.QUEUED
        claim = store.claim("ecms", "w4", lease=LEASE)
        assert claim is not None
        store.complete(claim.work_id, worker="w4")
        detail = store.show(letter_id)
        assert detail.letter.state is LetterState.SENT
        assert [(a.number, a.worker, a.outcome) for a in detail.attempts] == [
            (1, "w1", "released"),
            (1, "w2", "released"),
            (1, "w3", "released"),
            (1, "w4", "done"),
        ]
        moves = [h.action for h in detail.history if h.action.startswith("letter.")]
        assert moves[-8:] == [
            "letter.claim",
            "letter.release",
            "letter.claim",
            "letter.release",
            "letter.claim",
            "letter.release",
            "letter.claim",
            "letter.sent",
        ]
        assert store.verify_audit().ok


def test_a_release_after_a_real_try_keeps_the_count_and_the_first_try(
    backend: Backend, clock: FakeClock
) -> None:
    """A failed try still counts, the released one does not; max_age still runs from the first try."""
    policy = RetryPolicy(base=timedelta(seconds=1), cap=timedelta(seconds=1), max_attempts=5)
    with backend.open(clock=clock, policies=RetryPolicies(default=policy)) as store:
        store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
        first = store.claim("ecms", "w1", lease=LEASE)
        assert first is not None
        store.fail(first.work_id, worker="w1", error=TimeoutError("slow node"))
        clock.advance(seconds=2)
        second = store.claim("ecms", "w2", lease=LEASE)
        assert second is not None
        assert second.attempt == 2
        store.release(second.work_id, worker="w2")
        [row] = store.queue()
        assert row.attempts == 1
        third = store.claim("ecms", "w3", lease=LEASE)
        assert third is not None
        assert third.attempt == 2
        assert third.first_try_at == first.first_try_at


def test_release_by_a_worker_that_lost_the_lease_changes_nothing(store: Store, clock: FakeClock) -> None:
    store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    first = store.claim("ecms", "w1", lease=LEASE)
    assert first is not None
    clock.advance(minutes=2)
    second = store.claim("ecms", "w2", lease=LEASE)
    assert second is not None
    with pytest.raises(LeaseLost, match="held by w2"):
        store.release(first.work_id, worker="w1")
    [row] = store.queue()
    assert (row.state, row.lease_owner, row.attempts) == (WorkState.LEASED, "w2", 2)


def test_a_released_inbound_item_is_audited_and_ready_again(store: Store) -> None:
    raw = encode_raw(make_package(1))
    accepted = store.accept_inbound(raw, channel="ecms", process_id="P1", actor="poller")
    claim = store.claim("ecms", "w1", kinds=(WorkKind.INBOUND,))
    assert claim is not None
    assert claim.inbox_id == accepted.id
    store.release(claim.work_id, worker="w1", reason="released: stopping")
    again = store.claim("ecms", "w2", kinds=(WorkKind.INBOUND,))
    assert again is not None
    assert (again.work_id, again.attempt) == (claim.work_id, 1)
    assert store.verify_audit().ok


def test_complete_and_claim_finishes_one_and_takes_the_next(store: Store) -> None:
    first_letter = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    second_letter = store.accept_outbound(make_package(2), actor="clerk", channel="ecms")
    claim = store.claim("ecms", "w", lease=LEASE)
    assert claim is not None
    assert claim.letter_id == first_letter
    following = store.complete_and_claim(claim.work_id, worker="w", channel="ecms", lease=LEASE, note="ok")
    assert following is not None
    assert (following.letter_id, following.attempt, following.worker) == (second_letter, 1, "w")
    assert store.show(first_letter).letter.state is LetterState.SENT
    assert store.show(second_letter).letter.state is LetterState.SENDING
    assert store.complete_and_claim(following.work_id, worker="w", channel="ecms", lease=LEASE) is None
    assert store.show(second_letter).letter.state is LetterState.SENT
    assert [r.state for r in store.queue(work_state=WorkState.DONE)] == [WorkState.DONE, WorkState.DONE]
    assert store.verify_audit().ok


def test_complete_and_claim_takes_only_the_kinds_asked_for(store: Store) -> None:
    store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    store.accept_inbound(encode_raw(make_package(2)), channel="ecms", process_id="P2", actor="poller")
    claim = store.claim("ecms", "w", kinds=(WorkKind.SEND,))
    assert claim is not None
    assert store.complete_and_claim(claim.work_id, worker="w", channel="ecms", kinds=(WorkKind.SEND,)) is None
    [inbound] = [r for r in store.queue() if r.kind is WorkKind.INBOUND]
    assert inbound.state is WorkState.READY


def test_complete_and_claim_with_a_lost_lease_claims_nothing(store: Store, clock: FakeClock) -> None:
    """The completion and the claim are one transaction: when completing fails, nothing is taken."""
    store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    store.accept_outbound(make_package(2), actor="clerk", channel="ecms")
    first = store.claim("ecms", "w1", lease=LEASE)
    assert first is not None
    clock.advance(minutes=2)
    taken_over = store.claim("ecms", "w2", lease=LEASE)
    assert taken_over is not None
    assert taken_over.work_id == first.work_id
    with pytest.raises(LeaseLost):
        store.complete_and_claim(first.work_id, worker="w1", channel="ecms", lease=LEASE)
    rows = store.queue()
    assert [(r.state, r.lease_owner) for r in rows] == [(WorkState.LEASED, "w2"), (WorkState.READY, None)]


@pytest.mark.parametrize("look_first", [True, False], ids=["looking first", "woken"])
def test_a_claim_takes_the_same_item_whether_it_looks_first_or_not(
    backend: Backend, clock: FakeClock, look_first: bool
) -> None:
    """A worker woken for a new item skips the read-only look for due work: same claims, same order,
    nothing when the queue is empty or the item is not due yet."""
    with backend.open(clock=clock) as store:
        assert store.claim("ecms", "w1", look_first=look_first) is None
        first = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
        second = store.accept_outbound(make_package(2), actor="clerk", channel="ecms")
        taken = store.claim("ecms", "w1", lease=LEASE, look_first=look_first)
        assert taken is not None
        assert taken.letter_id == first
        assert store.claim("mail", "w1", look_first=look_first) is None  # another channel's queue
        store.fail(taken.work_id, worker="w1", error=TimeoutError("node busy"))  # due again later
        again = store.claim("ecms", "w2", lease=LEASE, look_first=look_first)
        assert again is not None
        assert again.letter_id == second
        assert store.claim("ecms", "w3", lease=LEASE, look_first=look_first) is None


def _received_and_registered(store: Store) -> int:
    """A letter received and registered at once: its ReceiveLetterNotifier and AcceptLetterNotifier
    are both queued."""
    package = make_package(7)
    inbox = store.accept_inbound(encode_raw(package), channel="ecms", process_id="p7", actor="poller")
    recorded = store.record_inbound_letter(
        inbox.id, package, actor="in-1", signature=SignatureMark.VERIFIED, register_as="auto-register"
    )
    inbound = store.claim("ecms", "in-1", kinds=(WorkKind.INBOUND,))
    assert inbound is not None
    store.complete(inbound.work_id, worker="in-1")
    return recorded.id


def test_an_answer_about_a_letter_waits_until_its_receipt_has_gone(
    backend: Backend, clock: FakeClock
) -> None:
    """Two workers: while one sends the ReceiveLetterNotifier, the other does not take the
    AcceptLetterNotifier (its sender must see them in that order); once the receipt is done it is due."""
    with backend.open(clock=clock) as store:
        letter_id = _received_and_registered(store)
        receipt = store.claim("ecms", "out-1", lease=LEASE)
        assert receipt is not None
        assert (receipt.kind, receipt.letter_id) == (WorkKind.NOTIFY_RECEIVE, letter_id)
        assert store.claim("ecms", "out-2", lease=LEASE) is None
        assert store.claim("ecms", "out-2", lease=LEASE, look_first=False) is None
        answer = store.complete_and_claim(receipt.work_id, worker="out-1", channel="ecms", lease=LEASE)
        assert answer is not None
        assert (answer.kind, answer.letter_id) == (WorkKind.NOTIFY_ACCEPT, letter_id)


def test_an_answer_goes_once_its_receipt_is_a_dead_letter(backend: Backend, clock: FakeClock) -> None:
    """A receipt that will not go (dead letter) does not hold the answer back for ever."""
    policies = RetryPolicies(default=RetryPolicy(max_attempts=1))
    with backend.open(clock=clock, policies=policies) as store:
        letter_id = _received_and_registered(store)
        receipt = store.claim("ecms", "out-1", lease=LEASE)
        assert receipt is not None
        assert receipt.kind is WorkKind.NOTIFY_RECEIVE
        store.fail(receipt.work_id, worker="out-1", error=TimeoutError("node down"))
        answer = store.claim("ecms", "out-2", lease=LEASE)
        assert answer is not None
        assert (answer.kind, answer.letter_id) == (WorkKind.NOTIFY_ACCEPT, letter_id)
