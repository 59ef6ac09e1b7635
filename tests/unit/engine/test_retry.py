"""The retry policy: exponential backoff with full jitter, cap, attempt and age limits, permanent errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecms_gateway.engine.retry import Dead, RetryAt, RetryPolicies, RetryPolicy, describe, is_permanent
from ecms_gateway.errors import LetterInvalid, PermanentFailure, PolicyRefused, TransientFailure

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def policy(rand: float = 1.0, **kwargs: object) -> RetryPolicy:
    return RetryPolicy(rand=lambda: rand, **kwargs)  # type: ignore[arg-type]


def test_backoff_doubles_up_to_the_cap() -> None:
    p = policy(base=timedelta(seconds=10), cap=timedelta(seconds=100), max_attempts=50)
    waits = []
    for attempt in range(1, 7):
        decision = p.decide(TransientFailure("x"), attempt, T0, T0)
        assert isinstance(decision, RetryAt)
        waits.append((decision.at - T0).total_seconds())
    assert waits == [10, 20, 40, 80, 100, 100]


@given(attempt=st.integers(1, 200), rand=st.floats(0, 1))
def test_full_jitter_stays_between_zero_and_the_limit(attempt: int, rand: float) -> None:
    p = policy(
        rand,
        base=timedelta(seconds=5),
        cap=timedelta(hours=1),
        max_attempts=1000,
        max_age=timedelta(days=999),
    )
    decision = p.decide(OSError("reset"), attempt, T0, T0)
    assert isinstance(decision, RetryAt)
    assert T0 <= decision.at <= T0 + p.backoff_limit(attempt)
    assert p.backoff_limit(attempt) <= timedelta(hours=1)


def test_zero_jitter_retries_at_once() -> None:
    decision = policy(0.0).decide(TransientFailure("x"), 1, T0, T0)
    assert decision == RetryAt(at=T0, reason="x")


def test_max_attempts() -> None:
    p = policy(max_attempts=3)
    assert isinstance(p.decide(TransientFailure("x"), 2, T0, T0), RetryAt)
    assert p.decide(TransientFailure("down"), 3, T0, T0) == Dead(
        reason="gave up after 3 attempts; last error: down"
    )


def test_max_age() -> None:
    p = policy(max_attempts=100, max_age=timedelta(hours=2))
    assert isinstance(p.decide(TransientFailure("x"), 2, T0, T0 + timedelta(hours=1, minutes=59)), RetryAt)
    dead = p.decide(TransientFailure("x"), 2, T0, T0 + timedelta(hours=2))
    assert isinstance(dead, Dead)
    assert dead.reason == "gave up after trying for 2h 0m; last error: x"


@pytest.mark.parametrize(
    "error", [PermanentFailure("unknown receiver"), LetterInvalid([]), PolicyRefused("top secret")]
)
def test_permanent_errors_are_dead_at_once(error: Exception) -> None:
    assert is_permanent(error)
    decision = policy().decide(error, 1, T0, T0)
    assert isinstance(decision, Dead)
    assert decision.reason.startswith("permanent failure: ")


@pytest.mark.parametrize(
    "error", [TransientFailure("busy"), TimeoutError(), ConnectionRefusedError(), ValueError("bug")]
)
def test_other_errors_are_transient(error: Exception) -> None:
    assert not is_permanent(error)


def test_policy_per_channel() -> None:
    mail = policy(max_attempts=2)
    policies = RetryPolicies(per_channel={"mail": mail})
    assert policies.for_channel("mail") is mail
    assert policies.for_channel("ecms") == RetryPolicy()


def test_describe_is_one_line() -> None:
    assert describe(TransientFailure("a\n  b")) == "a b"
    assert describe(TimeoutError()) == "timed out"


def test_nonsense_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="cap"):
        RetryPolicy(base=timedelta(minutes=2), cap=timedelta(minutes=1))
