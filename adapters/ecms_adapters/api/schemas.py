"""The JSON shapes the API answers with (they are the OpenAPI document's schemas)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from ecms_gateway.engine import (
    Direction,
    LetterDetail,
    LetterState,
    QueueRow,
    SignatureMark,
    WorkKind,
    WorkState,
)
from ecms_gateway.engine.values import AttemptView, HistoryEntry, LetterSummary, QueueStat
from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.letter.model import Letter
from ecms_gateway.services.clerk import clerk_actions

MAX_ID = 2_147_483_647
"""The databases' integer column: a larger id cannot exist (and would overflow the query)."""
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
LetterJson = Annotated[
    dict[str, Any],
    # The core's model, put into the document by create_app: the body is Letter.to_json_dict(), the
    # exact format v1 a submission takes (absent fields left out, not null).
    WithJsonSchema({"allOf": [{"$ref": "#/components/schemas/Letter"}]}),
]


def actions_for(direction: Direction, state: LetterState, *, accept_id: str | None = None) -> list[str]:
    """The clerk actions (``POST /letters/{id}/<action>``) the letter's state allows now."""
    return clerk_actions(direction, state, accept_id=accept_id)


class LetterOut(BaseModel):
    """One letter in a list: who, what, where it is, and its numbers."""

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
    registry_year: int | None = Field(description="year of registry_no")
    registry_no: int | None = Field(
        description="our registry number: outgoing (ทะเบียนส่ง) for out, receive (ทะเบียนรับ) for in"
    )
    registered_at: datetime | None = Field(description="in: when our receive number was given")
    accept_id: str | None = Field(description="the receiver's receive number, from its AcceptLetterNotifier")
    signature: SignatureMark | None = Field(
        description="in: how the sender was established: verified (a trusted signature), unsigned_accepted "
        "(no signature, kept because the partner's policy is accept-and-flag: show it to the clerk), "
        "by_person (a person's mailed letter entered by a clerk), legacy (received before this was kept); "
        "out: null"
    )
    created_at: datetime
    updated_at: datetime
    href: str

    @classmethod
    def of(cls, s: LetterSummary, prefix: str) -> LetterOut:
        return cls(
            id=s.id,
            direction=s.direction,
            state=s.state,
            channel=s.channel,
            sender_org=s.sender_org,
            receiver_org=s.receiver_org,
            book_no=s.book_no,
            letter_date=s.letter_date,
            subject=s.subject,
            speed=s.speed,
            secrecy=s.secrecy,
            registry_year=s.registry_year,
            registry_no=s.registry_no,
            registered_at=s.registered_at,
            accept_id=s.accept_id,
            signature=s.signature,
            created_at=s.created_at,
            updated_at=s.updated_at,
            href=f"{prefix}/letters/{s.id}",
        )


class LetterPageOut(BaseModel):
    items: list[LetterOut]
    total: int = Field(description="letters matching the filters, over all pages")
    offset: int
    limit: int


class FileOut(BaseModel):
    position: int = Field(description="0 is the main file, then the attachments in order")
    name: str
    mime: str
    size: int
    sha256: str
    href: str


class HistoryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    reason: str | None

    @classmethod
    def of(cls, h: HistoryEntry) -> HistoryOut:
        return cls(seq=h.seq, at=h.at, actor=h.actor, action=h.action, reason=h.reason)


class AttemptOut(BaseModel):
    work_id: int
    kind: WorkKind
    number: int
    worker: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    error: str | None = Field(
        description="why the try failed, in words: what happened (a dead item is sent again with POST "
        "/queue/redrive once its cause is fixed); tries recorded by older versions may also name a command"
    )

    @classmethod
    def of(cls, a: AttemptView) -> AttemptOut:
        return cls(
            work_id=a.work_id,
            kind=a.kind,
            number=a.number,
            worker=a.worker,
            started_at=a.started_at,
            ended_at=a.ended_at,
            outcome=a.outcome,
            error=a.error,
        )


class LetterDetailOut(BaseModel):
    """One letter in full: its files, state history, delivery attempts and what may be done next."""

    letter: LetterOut
    receive_number: str | None = Field(
        description="in: our receive number once registered; out: the receiver's, once accepted"
    )
    files: list[FileOut]
    history: list[HistoryOut]
    attempts: list[AttemptOut]
    actions: list[str] = Field(description="POST /letters/{id}/<action> allowed in this state")
    letter_json: LetterJson = Field(
        description="the whole letter in format v1: references, sender, receiver, signer, enclosures, "
        "the file names (the files themselves are under files)"
    )

    @classmethod
    def of(cls, d: LetterDetail, content: Letter, prefix: str) -> LetterDetailOut:
        s = d.letter
        href = f"{prefix}/letters/{s.id}"
        files = [
            FileOut(position=i, name=name, mime=mime, size=size, sha256=sha, href=f"{href}/files/{i}")
            for i, (name, mime, size, sha) in enumerate(d.files)
        ]
        if s.direction is Direction.IN:
            number = None if s.registry_no is None else str(s.registry_no)
        else:
            number = s.accept_id
        return cls(
            letter=LetterOut.of(s, prefix),
            receive_number=number,
            files=files,
            history=[HistoryOut.of(h) for h in d.history],
            attempts=[AttemptOut.of(a) for a in d.attempts],
            actions=_actions_now(d),
            letter_json=content.to_json_dict(),
        )


def _actions_now(d: LetterDetail) -> list[str]:
    """The actions of the letter's state, less a resend before the node confirmed the withdrawal (the
    same rule as the resend itself; it would be refused "not yet")."""
    s = d.letter
    actions = actions_for(s.direction, s.state, accept_id=s.accept_id)
    confirmed = s.channel == "mail" or any(
        a.kind is WorkKind.WITHDRAW and a.outcome == "done" for a in d.attempts
    )
    return [a for a in actions if a != "resend" or confirmed]


class SubmittedOut(BaseModel):
    """A letter accepted into the outbox (or found again by its Idempotency-Key)."""

    id: int
    state: LetterState
    channel: str
    route: str | None = Field(description="why this channel, in words (absent on a repeated request)")
    book_no: str
    href: str


class ActionDone(BaseModel):
    id: int
    state: LetterState
    receive_number: int | None = None
    href: str


def said(problem: str) -> AfterValidator:
    """A reason that is more than spaces, checked here so that the fault names the field (the core
    would refuse it too, in the command line's words)."""

    def check(text: str) -> str:
        if not text.strip():
            raise ValueError(problem)
        return text

    return AfterValidator(check)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is said, not dropped

    reason: Annotated[str, said("is blank: say why in words (the sender is told it)")] = Field(
        min_length=1, max_length=2000, description="told to the sender"
    )


class WrongAcceptIdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is said, not dropped

    reason: Annotated[str, said("is blank: say why in words (the receiver is told it)")] = Field(
        min_length=1, max_length=2000, description="why the receive number is wrong; told to the receiver"
    )


class WrongAcceptIdDone(BaseModel):
    """A report of a wrong receive number, recorded and its InvalidAcceptIDNotifier queued."""

    id: int
    state: LetterState
    accept_id: str = Field(description="the receive number reported as wrong")
    work_id: int = Field(description="the queued InvalidAcceptIDNotifier (see the letter's attempts)")
    href: str


class OptionalReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is said, not dropped

    reason: str | None = Field(default=None, max_length=2000)


class QueueRowOut(BaseModel):
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
    last_error: str | None = Field(
        description="why the last try failed, in words: what happened (a dead item is sent again with "
        "POST /queue/redrive once its cause is fixed); older tries may also name a command"
    )

    @classmethod
    def of(cls, r: QueueRow) -> QueueRowOut:
        return cls(
            work_id=r.work_id,
            kind=r.kind,
            channel=r.channel,
            state=r.state,
            letter_id=r.letter_id,
            book_no=r.book_no,
            letter_state=r.letter_state,
            attempts=r.attempts,
            created_at=r.created_at,
            next_try_at=r.next_try_at,
            lease_owner=r.lease_owner,
            lease_until=r.lease_until,
            last_error=r.last_error,
        )


Channel = Literal["ecms", "mail"]
"""The channels work travels on (``[retry.<channel>]``); any other name would match nothing."""


class RedriveIn(BaseModel):
    """Either ``ids`` of dead work items, or every dead item (of ``channel`` when given)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is said, not dropped

    ids: list[RowId] = Field(default_factory=list, max_length=10000)
    channel: Channel | None = None
    all_dead: bool = Field(default=False, description="true: every dead item (of channel); ids must be empty")
    reason: str | None = Field(default=None, max_length=2000)


class RedriveOut(BaseModel):
    redriven: list[int]


class WorkStatOut(BaseModel):
    """Work not done yet of one state, channel and kind."""

    state: WorkState
    channel: str
    kind: WorkKind
    count: int
    oldest_at: datetime = Field(description="when the oldest of these items was queued")

    @classmethod
    def of(cls, q: QueueStat) -> WorkStatOut:
        return cls(state=q.state, channel=q.channel, kind=q.kind, count=q.count, oldest_at=q.oldest_at)


class LetterCountOut(BaseModel):
    direction: Direction
    state: LetterState
    channel: str
    count: int


class QueueStatsOut(BaseModel):
    """The queue and the letters at a glance (the figures /metrics exports, as JSON)."""

    work: list[WorkStatOut] = Field(description="ready, leased and dead work, by state, channel and kind")
    letters: list[LetterCountOut] = Field(description="every letter, by direction, state and channel")
