"""Values the engine's services take and return (frozen, keyword-only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from ecms_gateway.engine.sent_values import SentMessage
from ecms_gateway.engine.states import Direction, Event, LetterState, WorkKind, WorkState
from ecms_gateway.errors import IllegalTransition
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.letter.codes import Secrecy, Speed


@dataclass(frozen=True, kw_only=True)
class Accepted:
    """The id of what was accepted; ``created`` is False when it had been accepted before (idempotent).
    ``receive_no``: the receive number when the letter was registered as it was recorded."""

    id: int
    created: bool
    receive_no: int | None = None


@dataclass(frozen=True, kw_only=True)
class Claim:
    """A work item a worker holds until ``lease_until``; ``attempt`` counts from 1."""

    work_id: int
    kind: WorkKind
    channel: str
    letter_id: int | None
    inbox_id: int | None
    attempt: int
    worker: str
    lease_until: datetime
    first_try_at: datetime


@dataclass(frozen=True, kw_only=True)
class Confirmation:
    """The channel took archived message ``sent_id`` and answered ``answer`` ("ProcessID ...", "SMTP ...");
    recorded with the completion of the work item that sent it."""

    sent_id: int
    answer: str


@dataclass(frozen=True, kw_only=True)
class Done:
    """What a worker's handler returns for a work item it did: the note for the audit log and, for a
    message the channel took, its confirmation."""

    note: str | None
    confirmation: Confirmation | None = None


@dataclass(frozen=True, kw_only=True)
class Transition:
    """A state change that was applied."""

    letter_id: int
    event: Event
    before: LetterState
    after: LetterState


@dataclass(frozen=True, kw_only=True)
class Refusal:
    """An event that did not fit the letter's state; recorded in ``refused_event``, not applied."""

    letter_id: int
    event: Event
    state: LetterState
    reason: str

    def error(self) -> IllegalTransition:
        """The error that says this refusal (the reason in English, the code for a clerk's page)."""
        params = fault_params(
            "store.illegal_transition",
            letter_id=self.letter_id,
            event=self.event.value,
            state=self.state.value,
        )
        return IllegalTransition(self.reason, fault_code="store.illegal_transition", fault_params=params)


class NotifierKind(StrEnum):
    """The e-CMS notifiers about a letter."""

    RECEIVE = "receive"  # ReceiveLetterNotifier: the receiver has it
    ACCEPT = "accept"  # AcceptLetterNotifier: registered with receive number AcceptID
    REJECT = "reject"  # RejectLetterNotifier: refused
    INVALID = "invalid"  # InvalidLetterNotifier: wrong letter or wrong receiver
    INVALID_ACCEPT_ID = "invalid_accept_id"  # InvalidAcceptIDNotifier: our receive number was wrong


class SignatureMark(StrEnum):
    """How a received letter's sender was established; clerks must see anything but ``verified``."""

    VERIFIED = "verified"  # a valid signature by a signer trusted for the sending organisation
    UNSIGNED_ACCEPTED = (
        "unsigned_accepted"  # no signature; kept because the partner's policy is accept-and-flag
    )
    BY_PERSON = "by_person"  # a letter a person mailed, entered by a clerk: no e-CMS signature to check
    LEGACY = "legacy"  # recorded before the gateway kept this mark: see the letter's audit history


@dataclass(frozen=True, kw_only=True)
class NotifierIn:
    """A decoded notifier; (sender_dept, book_no, letter_date) names the letter it is about."""

    kind: NotifierKind
    sender_dept: str
    book_no: str
    letter_date: date
    accept_id: str | None = None
    inbox_id: int | None = None
    reason: str | None = None  # why the receiver rejected it or found it invalid, when it says


class NotifierOutcome(StrEnum):
    """What became of a notifier."""

    APPLIED = "applied"  # it moved its letter on
    REFUSED = "refused"  # its letter's state did not allow it (see refused events)
    NOTED = "noted"  # recorded on the letter without a state change
    UNMATCHED = "unmatched"  # no letter has its key; kept for operators


@dataclass(frozen=True, kw_only=True)
class NotifierResult:
    notifier_id: int
    outcome: NotifierOutcome
    letter_id: int | None
    state: LetterState | None


@dataclass(frozen=True, kw_only=True)
class QueueRow:
    """One line of ``ecms-gateway queue``."""

    work_id: int
    kind: WorkKind
    channel: str
    state: WorkState
    letter_id: int | None
    book_no: str | None
    letter_state: LetterState | None
    attempts: int
    created_at: datetime
    next_try_at: datetime
    lease_owner: str | None
    lease_until: datetime | None
    last_error: str | None


@dataclass(frozen=True, kw_only=True)
class LetterSummary:
    id: int
    direction: Direction
    state: LetterState
    channel: str
    sender_org: str
    receiver_org: str
    book_no: str
    letter_date: date
    subject: str
    speed: Speed
    secrecy: Secrecy
    registry_year: int | None
    registry_no: int | None
    registered_at: datetime | None  # when the receive number was given (inbound)
    accept_id: str | None
    created_at: datetime
    updated_at: datetime
    signature: SignatureMark | None = None  # inbound letters only (ours are signed by us)


class LetterOrder(StrEnum):
    """How a list of letters is sorted."""

    NEWEST = "newest"  # most recently accepted first
    OLDEST = "oldest"  # first accepted first (working through a list from its start)
    URGENT = "urgent"  # most urgent first (ด่วนที่สุด), then the oldest first within a speed
    WAITING = "waiting"  # longest in its state first (the letters to follow up at the top)


DUE_STATES: Final = (LetterState.SENT, LetterState.DELIVERED, LetterState.RECEIVED)
"""The states a list of letters due for follow-up (``--due``, ``due=true``) looks in when none is
named: ours the receiver has not registered yet, and those we received and have not registered."""


@dataclass(frozen=True, kw_only=True)
class LetterQuery:
    """Which letters a list shows; every criterion given must hold."""

    direction: Direction | None = None
    states: tuple[LetterState, ...] = ()
    org: str | None = None  # sender or receiver organisation id
    date_from: date | None = None  # letter date, inclusive
    date_to: date | None = None  # letter date, inclusive
    text: str | None = None  # in the book number or the subject; Thai and Arabic digits match alike
    # In its state since the time given for its speed or before (``FollowUpPolicy.cutoffs``): due now.
    waiting_before: Mapping[Speed, datetime] | None = None
    order: LetterOrder = LetterOrder.NEWEST


@dataclass(frozen=True, kw_only=True)
class LetterPage:
    """One page of a letter list and the number of letters matching in all."""

    items: tuple[LetterSummary, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True, kw_only=True)
class QueueStat:
    """Work not done yet, per state, channel and kind: how much and since when."""

    state: WorkState
    channel: str
    kind: WorkKind
    count: int
    oldest_at: datetime  # creation time of the oldest item in the group


@dataclass(frozen=True, kw_only=True)
class HourActivity:
    """Per hour: letters sent (first delivered), received, work items given up (dead), send latency."""

    hour: datetime  # the start of the hour, UTC
    sent: int
    received: int
    failed: int
    latency_p50_s: float | None  # from acceptance into the outbox to delivery, for the letters sent
    latency_p95_s: float | None


@dataclass(frozen=True, kw_only=True)
class HistoryEntry:
    """An audit entry about a letter: who did what, when and why."""

    seq: int
    at: datetime
    actor: str
    action: str
    reason: str | None
    detail: str


@dataclass(frozen=True, kw_only=True)
class AttemptView:
    work_id: int
    kind: WorkKind
    number: int
    worker: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    error: str | None


@dataclass(frozen=True, kw_only=True)
class RefusedView:
    id: int
    letter_id: int | None
    event: str
    state: str
    actor: str
    reason: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class UnmatchedNotifier:
    id: int
    kind: NotifierKind
    sender_dept: str
    book_no: str
    letter_date: date
    accept_id: str | None
    received_at: datetime


@dataclass(frozen=True, kw_only=True)
class LetterDetail:
    """Everything ``ecms-gateway show`` prints about one letter."""

    letter: LetterSummary
    files: tuple[tuple[str, str, int, str], ...]  # name, mime, size, sha256
    history: tuple[HistoryEntry, ...]
    attempts: tuple[AttemptView, ...]
    refused: tuple[RefusedView, ...]
    sent: tuple[SentMessage, ...] = ()  # the messages we sent about it, as archived, oldest first


@dataclass(frozen=True, kw_only=True)
class LetterFacts:
    """What a notifier about a letter is built from: the letter and its history (``show`` without the
    files, attempts and refusals), and whether its ReceiveLetterNotifier has gone already."""

    letter: LetterSummary
    history: tuple[HistoryEntry, ...]
    receive_notified: bool


class ChainBreak(StrEnum):
    """How the audit chain is broken, with the entries each names in ``AuditReport.numbers``: for a face
    that says it in its reader's language (the web's ``audit.break.*``) instead of ``problem``'s English."""

    ALTERED = "altered"  # seq: its content no longer matches its hash
    REHASHED = "rehashed"  # seq altered and its hash recomputed: next no longer links to it
    REMOVED = "removed"  # first to last gone: seq links to an entry that is not there
    REORDERED = "reordered"  # seq belongs after belongs_after, not after placed_after
    OUT_OF_SEQUENCE = "out_of_sequence"  # seq numbered where expected was due
    START_REMOVED = "start_removed"  # seq (1) does not start the chain: entries before it removed
    END_REMOVED = "end_removed"  # first to last cut off the end of the chain
    END_MISMATCH = "end_mismatch"  # seq does not match the recorded end (head) of the chain


@dataclass(frozen=True, kw_only=True)
class AuditReport:
    """The result of walking the audit chain; ``first_bad`` names the first broken entry.

    ``problem`` says what broke in English, as the CLI, the API and evidence exports print it (tests and
    exported evidence rely on its wording); ``kind`` and ``numbers`` say the same as data, so the web
    pages can word it in their reader's language.
    """

    checked: int
    first_bad: int | None = None
    problem: str | None = None
    kind: ChainBreak | None = None
    numbers: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def ok(self) -> bool:
        return self.problem is None
