"""Letter events as the public JSON POSTed to webhooks: a stable shape that receivers can rely on.

    {"id": "evt_42", "type": "letter.state_changed", "at": "2026-03-02T08:15:00.123456+00:00",
     "letter_id": 7, "direction": "in", "state": "registered", "previous_state": "received",
     "book_no": "ศธ 04001/123", "letter_date": "2026-03-01", "sender_org": "2099100000",
     "receiver_org": "2099000000", "channel": "ecms", "registry_no": 15, "reason": null}

``id`` is the same for every delivery of the event (retries, every subscription): dedupe on it.
Subjects and files are not sent; fetch the letter through the API when you need them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from ecms_gateway.engine.states import Direction

if TYPE_CHECKING:  # the command line lists the event types without loading the store
    from ecms_gateway.engine.events import LetterEvent


class EventType(StrEnum):
    """What a webhook can subscribe to."""

    RECEIVED = "letter.received"  # a new inbound letter was recorded (state received)
    SUBMITTED = "letter.submitted"  # a new outbound letter was accepted into the outbox (state queued)
    STATE_CHANGED = "letter.state_changed"  # a later change of state (not a worker's own steps)


ALL_TYPES: Final = tuple(EventType)


def event_type(event: LetterEvent) -> EventType:
    if not event.created:
        return EventType.STATE_CHANGED
    return EventType.RECEIVED if event.direction is Direction.IN else EventType.SUBMITTED


def event_id(seq: int) -> str:
    """The event's id: its place in the gateway's audit chain, unique and never reused."""
    return f"evt_{seq}"


def payload(event: LetterEvent) -> dict[str, Any]:
    """The public JSON object of ``event`` (keys are always present; unknown values are null)."""
    return {
        "id": event_id(event.seq),
        "type": event_type(event).value,
        "at": event.at.isoformat(timespec="microseconds"),
        "letter_id": event.letter_id,
        "direction": event.direction.value,
        "state": event.state.value,
        "previous_state": None if event.previous_state is None else event.previous_state.value,
        "book_no": event.book_no,
        "letter_date": event.letter_date.isoformat(),
        "sender_org": event.sender_org,
        "receiver_org": event.receiver_org,
        "channel": event.channel,
        "registry_no": event.registry_no,
        "reason": event.reason,
    }


def encode(event: LetterEvent) -> bytes:
    """The exact body that is signed and sent (UTF-8 JSON, Thai as is)."""
    return json.dumps(payload(event), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_types(names: str | Sequence[str] | None) -> tuple[EventType, ...]:
    """Event types from a comma list or list of names; empty or None means all of them.

    Raises ``ValueError`` naming the unknown type and the known ones.
    """
    if names is None:
        return ALL_TYPES
    items = names.split(",") if isinstance(names, str) else list(names)
    wanted = [item.strip() for item in items if item.strip()]
    unknown = [name for name in wanted if name not in EventType._value2member_map_]
    if unknown:
        known = ", ".join(t.value for t in EventType)
        raise ValueError(f"unknown event type {', '.join(unknown)}; the types are: {known}")
    return tuple(t for t in EventType if t.value in wanted) or ALL_TYPES
