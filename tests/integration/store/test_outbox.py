"""The outbox: leases, retries by policy, dead letters and redrive; files live in the file store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from store_support import Backend, FakeClock, make_package

from ecms_gateway.engine import Dead, LetterState, RetryAt, RetryPolicies, RetryPolicy, Store, WorkState
from ecms_gateway.errors import LeaseLost, NotFound, PermanentFailure, StoreError, TransientFailure
from ecms_gateway.store.tables import LETTER, LETTER_FILE

LEASE = timedelta(minutes=1)


def test_claim_complete_and_files_in_the_file_store(store: Store, backend: Backend) -> None:
    attachment = bytes(range(256)) * 400  # 100 KB
    letter_id = store.accept_outbound(make_package(1, attachment=attachment), actor="clerk", channel="ecms")
    assert store.claim("mail", "w") is None  # another channel has nothing
    claim = store.claim("ecms", "w", lease=LEASE)
    assert claim is not None
    assert (claim.letter_id, claim.attempt) == (letter_id, 1)
    assert store.claim("ecms", "w2") is None  # held
    store.complete(claim.work_id, worker="w")
    assert store.show(letter_id).letter.state is LetterState.SENT
    with store.db.read() as conn:
        sha = conn.execute(select(LETTER_FILE.c.sha256).where(LETTER_FILE.c.position == 1)).scalar_one()
        row = conn.execute(select(LETTER)).mappings().one()
    assert all(not isinstance(v, bytes) for v in row.values())  # no blobs in rows
    stored = backend.data_dir / "files" / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == attachment
    assert store.load_package(letter_id).attachments[0].content == attachment


def test_expired_lease_is_taken_over_and_the_late_worker_is_told(store: Store, clock: FakeClock) -> None:
    store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    first = store.claim("ecms", "w1", lease=LEASE)
    assert first is not None
    clock.advance(seconds=59)
    assert store.claim("ecms", "w2", lease=LEASE) is None
    clock.advance(seconds=2)
    second = store.claim("ecms", "w2", lease=LEASE)
    assert second is not None
    assert second.work_id == first.work_id
    assert second.attempt == 2
    with pytest.raises(LeaseLost, match="held by w2"):
        store.complete(first.work_id, worker="w1")
    with pytest.raises(LeaseLost):
        store.fail(first.work_id, worker="w1", error=TransientFailure("timeout"))
    store.complete(second.work_id, worker="w2")
    attempts = store.show(first.letter_id or 0).attempts
    assert [(a.worker, a.outcome) for a in attempts] == [("w1", "lost"), ("w2", "done")]


def test_transient_failure_waits_for_backoff(backend: Backend, clock: FakeClock) -> None:
    policy = RetryPolicy(
        base=timedelta(seconds=10), cap=timedelta(minutes=5), max_attempts=3, rand=lambda: 1.0
    )
    with backend.open(clock=clock, policies=RetryPolicies(default=policy)) as store:
        letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
        claim = store.claim("ecms", "w")
        assert claim is not None
        decision = store.fail(claim.work_id, worker="w", error=TransientFailure("connection refused"))
        assert decision == RetryAt(at=clock.now + timedelta(seconds=10), reason="connection refused")
        assert store.show(letter_id).letter.state is LetterState.QUEUED
        assert store.claim("ecms", "w") is None  # not due yet
        clock.advance(seconds=10)
        claim = store.claim("ecms", "w")
        assert claim is not None
        assert claim.attempt == 2
        assert isinstance(store.fail(claim.work_id, worker="w", error=TimeoutError("slow node")), RetryAt)
        clock.advance(seconds=20)
        claim = store.claim("ecms", "w")
        assert claim is not None
        assert claim.attempt == 3
        decision = store.fail(claim.work_id, worker="w", error=TransientFailure("still down"))
        assert isinstance(decision, Dead)
        assert "gave up after 3 attempts" in decision.reason
        detail = store.show(letter_id)
        assert detail.letter.state is LetterState.FAILED
        assert [a.outcome for a in detail.attempts] == ["retry", "retry", "dead"]


def test_permanent_failure_is_dead_at_once_then_redriven(store: Store) -> None:
    letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    claim = store.claim("ecms", "w")
    assert claim is not None
    decision = store.fail(claim.work_id, worker="w", error=PermanentFailure("node says: unknown receiver"))
    assert decision == Dead(reason="permanent failure: node says: unknown receiver")
    [dead] = store.queue(work_state=WorkState.DEAD)
    assert dead.last_error == decision.reason
    assert dead.letter_state is LetterState.FAILED
    assert store.redrive([dead.work_id], actor="operator:a", reason="receiver fixed") == (dead.work_id,)
    assert store.show(letter_id).letter.state is LetterState.QUEUED
    again = store.claim("ecms", "w")
    assert again is not None
    assert again.attempt == 1


def test_bulk_redrive_by_channel(store: Store) -> None:
    for i, channel in enumerate(["ecms", "ecms", "mail"], start=1):
        store.accept_outbound(make_package(i), actor="clerk", channel=channel)
        claim = store.claim(channel, "w")
        assert claim is not None
        store.fail(claim.work_id, worker="w", error=PermanentFailure("no"))
    assert store.redrive(actor="operator", channel="ecms") == (1, 2)
    assert [r.state for r in store.queue()] == [WorkState.READY, WorkState.READY, WorkState.DEAD]
    assert store.redrive(actor="operator") == (3,)


def test_redrive_refuses_items_that_are_not_dead(store: Store) -> None:
    store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    with pytest.raises(StoreError, match=r"not dead: 1 \(ready\); nothing was changed"):
        store.redrive([1], actor="operator")
    with pytest.raises(NotFound, match="no work item 42"):
        store.redrive([1, 42], actor="operator")


def test_worker_lost_too_often_goes_dead(backend: Backend, clock: FakeClock) -> None:
    """A letter that crashes every worker stops being retried once its attempts are used up."""
    policy = RetryPolicy(max_attempts=2)
    with backend.open(clock=clock, policies=RetryPolicies(default=policy)) as store:
        letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
        for worker in ("w1", "w2"):
            assert store.claim("ecms", worker, lease=LEASE) is not None
            clock.advance(minutes=2)
        assert store.claim("ecms", "w3", lease=LEASE) is None
        [dead] = store.queue(work_state=WorkState.DEAD)
        assert "gave up after 2 attempts" in (dead.last_error or "")
        assert store.show(letter_id).letter.state is LetterState.FAILED


def test_a_reason_an_older_version_stored_with_the_class_name_is_shown_without_it(store: Store) -> None:
    """Older gateways stored "permanent failure: PermanentTransportError: e-CMS node ...": the queue,
    the attempts and the history (what the CLI, the API and the web pages read) show the words only."""
    letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    claim = store.claim("ecms", "w")
    assert claim is not None
    older = PermanentFailure(
        "PermanentTransportError: e-CMS node (http://n/ecms): timed out (ReadTimeout: 60 s)"
    )
    store.fail(claim.work_id, worker="w", error=older)
    words = "permanent failure: e-CMS node (http://n/ecms): timed out (60 s)"
    [dead] = store.queue(work_state=WorkState.DEAD)
    assert dead.last_error == words
    detail = store.show(letter_id)
    assert [a.error for a in detail.attempts] == [words]
    assert [h.reason for h in detail.history if h.action == "letter.give_up"] == [words]
