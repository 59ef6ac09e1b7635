"""The transition table: what may happen to a letter in each state, and what may not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecms_gateway.engine.states import (
    FOLLOW_UP_WORK,
    TRANSITIONS,
    Direction,
    Event,
    LetterState,
    WorkKind,
    allowed_events,
    next_state,
)

S, E = LetterState, Event
OUT_STATES = {
    S.QUEUED,
    S.SENDING,
    S.SENT,
    S.DELIVERED,
    S.ACCEPTED,
    S.REJECTED,
    S.INVALID,
    S.WITHDRAWN,
    S.FAILED,
}
IN_STATES = {S.RECEIVED, S.REGISTERED, S.REJECTED, S.INVALID}


def _reachable(direction: Direction, start: LetterState) -> set[LetterState]:
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for event in allowed_events(direction, state):
            after = next_state(direction, state, event)
            if after is not None and after not in seen:
                seen.add(after)
                todo.append(after)
    return seen


def test_every_outbound_state_is_reachable_from_queued() -> None:
    assert _reachable(Direction.OUT, S.QUEUED) == OUT_STATES


def test_every_inbound_state_is_reachable_from_received() -> None:
    assert _reachable(Direction.IN, S.RECEIVED) == IN_STATES


def test_table_stays_within_each_direction() -> None:
    for (direction, before, _), after in TRANSITIONS.items():
        allowed = OUT_STATES if direction is Direction.OUT else IN_STATES
        assert before in allowed
        assert after in allowed


@pytest.mark.parametrize(
    ("direction", "state", "event", "after"),
    [
        (Direction.OUT, S.QUEUED, E.CLAIM, S.SENDING),
        (Direction.OUT, S.SENDING, E.SENT, S.SENT),
        (Direction.OUT, S.SENT, E.RECEIVE_NOTIFIED, S.DELIVERED),
        (Direction.OUT, S.DELIVERED, E.ACCEPT_NOTIFIED, S.ACCEPTED),
        (Direction.OUT, S.SENT, E.ACCEPT_NOTIFIED, S.ACCEPTED),
        (Direction.OUT, S.DELIVERED, E.REJECT_NOTIFIED, S.REJECTED),
        (Direction.OUT, S.REJECTED, E.WITHDRAW, S.WITHDRAWN),
        (Direction.OUT, S.INVALID, E.WITHDRAW, S.WITHDRAWN),
        (Direction.OUT, S.SENDING, E.GIVE_UP, S.FAILED),
        (Direction.OUT, S.FAILED, E.REDRIVE, S.QUEUED),
        # Given up on, yet it arrived: the receiver's notifier moves it on.
        (Direction.OUT, S.FAILED, E.RECEIVE_NOTIFIED, S.DELIVERED),
        (Direction.OUT, S.FAILED, E.ACCEPT_NOTIFIED, S.ACCEPTED),
        (Direction.OUT, S.FAILED, E.REJECT_NOTIFIED, S.REJECTED),
        (Direction.OUT, S.FAILED, E.INVALID_NOTIFIED, S.INVALID),
        (Direction.IN, S.RECEIVED, E.REGISTER, S.REGISTERED),
        (Direction.IN, S.RECEIVED, E.REJECT, S.REJECTED),
        (Direction.IN, S.RECEIVED, E.MARK_INVALID, S.INVALID),
    ],
)
def test_allowed_transitions(
    direction: Direction, state: LetterState, event: Event, after: LetterState
) -> None:
    assert next_state(direction, state, event) is after


@pytest.mark.parametrize(
    ("direction", "state", "event"),
    [
        (Direction.OUT, S.WITHDRAWN, E.ACCEPT_NOTIFIED),  # the example
        (Direction.OUT, S.ACCEPTED, E.REJECT_NOTIFIED),
        (Direction.OUT, S.QUEUED, E.WITHDRAW),
        (Direction.OUT, S.SENT, E.WITHDRAW),  # only after a rejection
        (Direction.OUT, S.WITHDRAWN, E.REDRIVE),
        (Direction.OUT, S.QUEUED, E.REGISTER),  # an inbound event on an outbound letter
        (Direction.IN, S.REJECTED, E.REGISTER),
        (Direction.IN, S.REGISTERED, E.REGISTER),
        (Direction.IN, S.RECEIVED, E.ACCEPT_NOTIFIED),
    ],
)
def test_refused_transitions(direction: Direction, state: LetterState, event: Event) -> None:
    assert next_state(direction, state, event) is None
    assert event not in allowed_events(direction, state)


@given(st.sampled_from(Direction), st.sampled_from(LetterState), st.sampled_from(Event))
def test_next_state_is_exactly_the_table(direction: Direction, state: LetterState, event: Event) -> None:
    assert next_state(direction, state, event) == TRANSITIONS.get((direction, state, event))


def test_terminal_states_allow_nothing() -> None:
    assert allowed_events(Direction.OUT, S.ACCEPTED) == ()
    assert allowed_events(Direction.OUT, S.WITHDRAWN) == ()
    assert allowed_events(Direction.IN, S.REGISTERED) == ()


def test_follow_up_work_tells_the_other_side() -> None:
    assert FOLLOW_UP_WORK[(Direction.IN, E.REGISTER)] is WorkKind.NOTIFY_ACCEPT
    assert FOLLOW_UP_WORK[(Direction.OUT, E.WITHDRAW)] is WorkKind.WITHDRAW
    for direction, event in FOLLOW_UP_WORK:
        assert any(d is direction and e is event for d, _, e in TRANSITIONS)
