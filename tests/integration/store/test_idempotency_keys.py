"""Idempotency keys of API submissions in the store: one reservation per (caller, key) even when
requests race, the letter found again, another letter refused, a failed submission's key freed, and
a reservation left by a crash taken over once it is stale."""

from __future__ import annotations

import threading

from store_support import Backend, FakeClock, make_package

from ecms_gateway.engine.idempotency import KeyOutcome
from ecms_gateway.engine.intake import content_digest

DIGEST = "a" * 64


def test_the_first_reservation_wins_and_the_letter_is_found_again(backend: Backend) -> None:
    with backend.open() as store:
        assert (
            store.reserve_idempotency_key(principal="apikey:x", key="k", digest=DIGEST).outcome
            is KeyOutcome.NEW
        )
        pending = store.reserve_idempotency_key(principal="apikey:x", key="k", digest=DIGEST)
        assert pending.outcome is KeyOutcome.PENDING
        letter_id = store.accept_outbound(make_package(1), actor="apikey:x", channel="ecms")
        store.complete_idempotency_key(principal="apikey:x", key="k", letter_id=letter_id)
        done = store.reserve_idempotency_key(principal="apikey:x", key="k", digest=DIGEST)
        assert (done.outcome, done.letter_id) == (KeyOutcome.DONE, letter_id)
        other = store.reserve_idempotency_key(principal="apikey:x", key="k", digest="b" * 64)
        assert (other.outcome, other.letter_id) == (KeyOutcome.MISMATCH, letter_id)
        # Another caller's key of the same name is its own.
        assert (
            store.reserve_idempotency_key(principal="user:y", key="k", digest=DIGEST).outcome
            is KeyOutcome.NEW
        )


def test_a_released_key_can_be_reserved_again_but_a_completed_one_is_kept(backend: Backend) -> None:
    with backend.open() as store:
        store.reserve_idempotency_key(principal="p", key="k", digest=DIGEST)
        store.release_idempotency_key(principal="p", key="k")
        assert (
            store.reserve_idempotency_key(principal="p", key="k", digest="c" * 64).outcome is KeyOutcome.NEW
        )
        letter_id = store.accept_outbound(make_package(2), actor="p", channel="ecms")
        store.complete_idempotency_key(principal="p", key="k", letter_id=letter_id)
        store.release_idempotency_key(principal="p", key="k")
        assert (
            store.reserve_idempotency_key(principal="p", key="k", digest="c" * 64).outcome is KeyOutcome.DONE
        )


def test_a_reservation_left_by_a_crash_is_taken_over_once_stale(backend: Backend) -> None:
    clock = FakeClock()
    with backend.open(clock=clock) as store:
        store.reserve_idempotency_key(principal="p", key="k", digest=DIGEST)
        clock.advance(seconds=30)
        assert (
            store.reserve_idempotency_key(principal="p", key="k", digest=DIGEST).outcome is KeyOutcome.PENDING
        )
        clock.advance(minutes=5)
        assert store.reserve_idempotency_key(principal="p", key="k", digest=DIGEST).outcome is KeyOutcome.NEW
        assert (
            store.reserve_idempotency_key(principal="p", key="k", digest=DIGEST).outcome is KeyOutcome.PENDING
        )


def test_racing_reservations_of_one_key_give_exactly_one_winner(backend: Backend) -> None:
    digest = content_digest(make_package(3))
    with backend.open() as store:
        outcomes: list[KeyOutcome] = []
        start = threading.Barrier(8)

        def reserve() -> None:
            start.wait()
            outcomes.append(store.reserve_idempotency_key(principal="p", key="race", digest=digest).outcome)

        threads = [threading.Thread(target=reserve) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == sorted([KeyOutcome.NEW] + [KeyOutcome.PENDING] * 7)
