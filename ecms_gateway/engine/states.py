"""One state machine per letter, across channels, written as a table of allowed transitions.

An event that is not in the table for the letter's direction and state is refused: the engine
records it for operators and leaves the letter as it was.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Direction(StrEnum):
    """Which way a letter travels."""

    OUT = "out"  # we send it (outbox)
    IN = "in"  # we received it (inbox)


class LetterState(StrEnum):
    """Where a letter is in its life."""

    QUEUED = "queued"  # outbound: accepted and committed, waiting for a worker
    SENDING = "sending"  # outbound: a worker holds it under a lease and is delivering it
    SENT = "sent"  # outbound: the node took it; no notifier yet
    DELIVERED = "delivered"  # outbound: ReceiveLetterNotifier came, it reached the receiver
    ACCEPTED = "accepted"  # outbound: AcceptLetterNotifier came with the receiver's receive number
    REJECTED = "rejected"  # either: the receiver refused it (RejectLetterNotifier / our clerk rejected)
    INVALID = "invalid"  # either: wrong letter or wrong receiver (InvalidLetterNotifier / our clerk)
    WITHDRAWN = "withdrawn"  # outbound: withdrawn after a rejection; may be resent as a new send
    FAILED = "failed"  # outbound: delivery gave up (dead letter); an operator can redrive it
    RECEIVED = "received"  # inbound: stored, waiting for a clerk to register it
    REGISTERED = "registered"  # inbound: registered with our receive number (เลขทะเบียนรับ)


class Event(StrEnum):
    """What can happen to a letter."""

    CLAIM = "claim"  # a worker took the send work item
    SENT = "sent"  # the worker delivered it to the node
    RETRY_LATER = "retry_later"  # a transient failure: back to the queue until the next try
    RELEASE = "release"  # the worker stopped before trying it: back to the queue, no try counted
    GIVE_UP = "give_up"  # permanent failure or retries exhausted: dead letter
    REDRIVE = "redrive"  # an operator sends a dead letter again
    RECEIVE_NOTIFIED = "receive_notified"  # ReceiveLetterNotifier arrived
    ACCEPT_NOTIFIED = "accept_notified"  # AcceptLetterNotifier arrived (with AcceptID)
    REJECT_NOTIFIED = "reject_notified"  # RejectLetterNotifier arrived
    INVALID_NOTIFIED = "invalid_notified"  # InvalidLetterNotifier arrived
    BOUNCED = "bounced"  # the receiver's mail system returned our mailed letter: it did not arrive
    WITHDRAW = "withdraw"  # a clerk withdraws a rejected/invalid letter from the receiver
    REGISTER = "register"  # a clerk registers an inbound letter (gives the receive number)
    REJECT = "reject"  # a clerk rejects an inbound letter
    MARK_INVALID = "mark_invalid"  # a clerk marks an inbound letter as wrong / misaddressed
    SENT_AGAIN = "sent_again"  # a letter we refused came again, as a new item: its sender resent it


_S = LetterState
_E = Event
TRANSITIONS: Final[dict[tuple[Direction, LetterState, Event], LetterState]] = {
    (Direction.OUT, _S.QUEUED, _E.CLAIM): _S.SENDING,
    (Direction.OUT, _S.SENDING, _E.SENT): _S.SENT,
    (Direction.OUT, _S.SENDING, _E.RETRY_LATER): _S.QUEUED,
    (Direction.OUT, _S.SENDING, _E.RELEASE): _S.QUEUED,
    (Direction.OUT, _S.SENDING, _E.GIVE_UP): _S.FAILED,
    (Direction.OUT, _S.FAILED, _E.REDRIVE): _S.QUEUED,
    (Direction.OUT, _S.SENT, _E.BOUNCED): _S.FAILED,
    (Direction.OUT, _S.SENT, _E.RECEIVE_NOTIFIED): _S.DELIVERED,
    (Direction.OUT, _S.SENT, _E.ACCEPT_NOTIFIED): _S.ACCEPTED,  # the ReceiveLetterNotifier may come late
    (Direction.OUT, _S.DELIVERED, _E.ACCEPT_NOTIFIED): _S.ACCEPTED,
    (Direction.OUT, _S.SENT, _E.REJECT_NOTIFIED): _S.REJECTED,
    (Direction.OUT, _S.DELIVERED, _E.REJECT_NOTIFIED): _S.REJECTED,
    (Direction.OUT, _S.SENT, _E.INVALID_NOTIFIED): _S.INVALID,
    (Direction.OUT, _S.DELIVERED, _E.INVALID_NOTIFIED): _S.INVALID,
    # Delivery gave up (a timeout, a node that answered too late), yet the letter arrived: the
    # receiver's notifier is the proof, and the letter goes on from there (its dead send is settled).
    (Direction.OUT, _S.FAILED, _E.RECEIVE_NOTIFIED): _S.DELIVERED,
    (Direction.OUT, _S.FAILED, _E.ACCEPT_NOTIFIED): _S.ACCEPTED,
    (Direction.OUT, _S.FAILED, _E.REJECT_NOTIFIED): _S.REJECTED,
    (Direction.OUT, _S.FAILED, _E.INVALID_NOTIFIED): _S.INVALID,
    (Direction.OUT, _S.REJECTED, _E.WITHDRAW): _S.WITHDRAWN,
    (Direction.OUT, _S.INVALID, _E.WITHDRAW): _S.WITHDRAWN,
    (Direction.IN, _S.RECEIVED, _E.REGISTER): _S.REGISTERED,
    (Direction.IN, _S.RECEIVED, _E.REJECT): _S.REJECTED,
    (Direction.IN, _S.RECEIVED, _E.MARK_INVALID): _S.INVALID,
    # The sender withdrew the refused letter and sent it again unchanged: it waits for a clerk again.
    (Direction.IN, _S.REJECTED, _E.SENT_AGAIN): _S.RECEIVED,
    (Direction.IN, _S.INVALID, _E.SENT_AGAIN): _S.RECEIVED,
}


NOTIFIED: Final = frozenset(
    {Event.RECEIVE_NOTIFIED, Event.ACCEPT_NOTIFIED, Event.REJECT_NOTIFIED, Event.INVALID_NOTIFIED}
)
"""The receiver's notifiers: each proves the letter arrived."""


def next_state(direction: Direction, state: LetterState, event: Event) -> LetterState | None:
    """The state after ``event``, or None when the table does not allow it."""
    return TRANSITIONS.get((direction, state, event))


def allowed_events(direction: Direction, state: LetterState) -> tuple[Event, ...]:
    """The events the table accepts in ``state`` (for messages and the web UI)."""
    return tuple(e for (d, s, e) in TRANSITIONS if d is direction and s is state)


class WorkState(StrEnum):
    """Where a work item is in the outbox/inbox queue."""

    READY = "ready"  # waiting for a worker (at or after next_try_at)
    LEASED = "leased"  # a worker holds it until lease_until; after that another may take it over
    DONE = "done"  # finished; kept for history
    DEAD = "dead"  # gave up (permanent error or retries exhausted); an operator may redrive it


class WorkKind(StrEnum):
    """What a worker does with a work item."""

    SEND = "send"  # deliver an outbound letter
    INBOUND = "inbound"  # decode and apply a received item (letter or notifier)
    NOTIFY_RECEIVE = "notify_receive"  # tell the sender we received their letter
    NOTIFY_ACCEPT = "notify_accept"  # tell the sender our receive number
    NOTIFY_REJECT = "notify_reject"  # tell the sender we rejected their letter
    NOTIFY_INVALID = "notify_invalid"  # tell the sender the letter is wrong / misaddressed
    NOTIFY_INVALID_ACCEPT_ID = "notify_invalid_accept_id"  # tell our letter's receiver: wrong receive number
    WITHDRAW = "withdraw"  # withdraw our rejected letter from the receiver's node


# Work queued when a transition happens: the message that tells the other side.
FOLLOW_UP_WORK: Final[dict[tuple[Direction, Event], WorkKind]] = {
    (Direction.OUT, Event.WITHDRAW): WorkKind.WITHDRAW,  # CorrespondenceDeleteGovernmentDocumentRequest
    (Direction.IN, Event.REGISTER): WorkKind.NOTIFY_ACCEPT,  # AcceptLetterNotifier, our receive number
    (Direction.IN, Event.REJECT): WorkKind.NOTIFY_REJECT,
    (Direction.IN, Event.MARK_INVALID): WorkKind.NOTIFY_INVALID,
    (Direction.IN, Event.SENT_AGAIN): WorkKind.NOTIFY_RECEIVE,  # the sender's new letter is told it arrived
}
