"""A give-up carries why as data (kind, tries or time tried, the last error) beside its English
sentence, and reads back the same from that data or, for an older entry, from the sentence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecms_gateway.engine.retry import Dead, GiveUp, RetryPolicy, given_up
from ecms_gateway.errors import PermanentFailure, TransientFailure

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=3, max_age=timedelta(hours=1), rand=lambda: 0.0)


def _dead(error: Exception, attempt: int, tried: timedelta = timedelta(0)) -> Dead:
    decision = POLICY.decide(error, attempt, T0, T0 + tried)
    assert isinstance(decision, Dead)
    return decision


def _data(dead: Dead) -> tuple[object, ...]:
    return (dead.reason, dead.why, dead.said, dead.attempts, dead.tried_for)


@pytest.mark.parametrize(
    ("dead", "why", "sentence"),
    [
        (
            _dead(PermanentFailure("no such receiver"), 1),
            GiveUp.PERMANENT,
            "permanent failure: no such receiver",
        ),
        (_dead(TransientFailure("busy"), 3), GiveUp.ATTEMPTS, "gave up after 3 attempts; last error: busy"),
        (
            _dead(TransientFailure("busy"), 1, timedelta(hours=2)),
            GiveUp.TOO_LONG,
            "gave up after trying for 2h 0m; last error: busy",
        ),
    ],
)
def test_the_decision_keeps_its_kind_and_the_sentence_stays_as_operators_know_it(
    dead: Dead, why: GiveUp, sentence: str
) -> None:
    assert (dead.why, dead.reason) == (why, sentence)
    assert _data(given_up(dead.reason, dead.detail())) == _data(dead)  # from the audit entry's detail
    assert _data(given_up(dead.reason)) == _data(dead)  # from the sentence alone (an older entry)


def test_the_detail_is_data_a_page_words_in_its_own_language() -> None:
    dead = _dead(TransientFailure("busy; try later"), 3)
    assert dead.detail() == {"give_up": "attempts", "said": "busy; try later", "attempts": 3}


def test_the_detail_wins_over_the_sentence() -> None:
    dead = given_up("whatever was written", {"give_up": "attempts", "said": "busy", "attempts": 7})
    assert (dead.why, dead.attempts, dead.said) == (GiveUp.ATTEMPTS, 7, "busy")


@pytest.mark.parametrize("reason", ["refused by the letter's state", "gave up, somehow", ""])
def test_a_reason_that_is_no_give_up_reads_as_none(reason: str) -> None:
    assert given_up(reason, {"give_up": "bored"}).why is None
    assert Dead(reason=reason).detail() == {}
