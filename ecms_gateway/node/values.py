"""The node's small values: what it records about an item, queue rows, relay jobs, callers, replies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from ecms_gateway.codec import Message
from ecms_gateway.letter.thai import THAI_TIME

LETTER_KIND = "CorrespondenceLetter"
"""``item_kind`` of a letter (a notifier's is its element name, a withdrawal's its request's)."""


@dataclass(frozen=True, kw_only=True)
class ItemFacts:
    """What the node records about an item: its kind and the letter it is, or is about."""

    kind: str
    book_no: str
    book_key: str
    letter_date: date
    sender_dept: str  # "" when the node cannot tell
    receiver_dept: str  # "" when the node cannot tell


@dataclass(frozen=True, kw_only=True)
class QueuedItem:
    """An item of an organisation's queue, with the bytes of its element."""

    process_id: str
    created_at: datetime
    payload: bytes


@dataclass(frozen=True, kw_only=True)
class CarriedLetter:
    """A letter this node carried (enqueued or forwarded): who sent it to whom."""

    sender_dept: str
    receiver_dept: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class SentLetter:
    """The receipt of a letter a sender handed to this node."""

    id: int
    process_id: str
    route: str
    state: str
    target_url: str | None


@dataclass(frozen=True, kw_only=True)
class RelayJob:
    """A request to forward to another node."""

    id: int
    process_id: str
    target_url: str
    envelope: bytes
    attempts: int
    first_try_at: datetime | None


def process_time(moment: datetime) -> str:
    """``ProcessTime`` as this node writes it: ISO 8601 in Thai time, to the second."""
    return moment.astimezone(THAI_TIME).isoformat(timespec="seconds")


def new_process_id() -> str:
    """A ProcessID unique across nodes and restarts (a gateway keys received items on it)."""
    return uuid.uuid4().hex


@dataclass(frozen=True, kw_only=True)
class Caller:
    """The organisation that calls: named by ``?org=`` (``explicit``) or the only one this node serves."""

    org_id: str | None
    explicit: bool


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """The reply, and the relay job to attempt right away when the request goes to another node.

    ``answer`` is a message to encode and validate, or the reply's bytes built already (a poll's reply
    carries the queued item's stored bytes, see ``node/replies.py``)."""

    answer: Message | bytes
    relay: RelayJob | None = None
