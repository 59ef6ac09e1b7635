"""Values of the sent-message archive (``sent_item``): what a worker archives before it sends, and
what the store tells about a message it archived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from ecms_gateway.engine.states import WorkKind


class SentWhat(StrEnum):
    """What a sent message is."""

    LETTER = "letter"  # the signed GovernmentDocument: in its outbound request, or in the letter's mail
    RECEIVE = "notifier:receive"  # ReceiveLetterNotifier: we have the sender's letter
    ACCEPT = "notifier:accept"  # AcceptLetterNotifier: registered with our receive number
    REJECT = "notifier:reject"  # RejectLetterNotifier
    INVALID = "notifier:invalid"  # InvalidLetterNotifier
    INVALID_ACCEPT_ID = "notifier:invalid_accept_id"  # InvalidAcceptIDNotifier: their number is wrong
    WITHDRAW = "withdraw"  # CorrespondenceDeleteGovernmentDocumentRequest, to our node


SENT_BY_WORK: Final[dict[WorkKind, SentWhat]] = {
    WorkKind.SEND: SentWhat.LETTER,
    WorkKind.NOTIFY_RECEIVE: SentWhat.RECEIVE,
    WorkKind.NOTIFY_ACCEPT: SentWhat.ACCEPT,
    WorkKind.NOTIFY_REJECT: SentWhat.REJECT,
    WorkKind.NOTIFY_INVALID: SentWhat.INVALID,
    WorkKind.NOTIFY_INVALID_ACCEPT_ID: SentWhat.INVALID_ACCEPT_ID,
    WorkKind.WITHDRAW: SentWhat.WITHDRAW,
}
"""The message each kind of outbound work sends."""


@dataclass(frozen=True, kw_only=True)
class SentDraft:
    """A message built, signed and encoded by a work item's first try, to archive before it is sent.

    ``run_started_at`` is the claim's ``first_try_at``: the tries of that run send this message.
    A mail carries its SMTP envelope (``mail_from``, ``rcpt_to``), which is not in its bytes.
    """

    work_id: int
    run_started_at: datetime
    letter_id: int | None
    channel: str
    what: SentWhat
    message_id: str
    raw: bytes = field(repr=False)
    mail_from: str | None = None
    rcpt_to: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SentMessage:
    """A message as the archive keeps it (its bytes are read with ``Store.load_sent``)."""

    id: int
    work_id: int
    letter_id: int | None
    channel: str
    what: SentWhat
    message_id: str
    run_started_at: datetime
    sha256: str
    size: int
    created_at: datetime
    confirmed_at: datetime | None  # when the node or the mail server took it; None: not (yet) confirmed
    confirmation: str | None  # what it answered: "ProcessID ...", "SMTP ..."
    mail_from: str | None = None
    rcpt_to: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """The message a try hands to the channel: as archived, with its bytes."""

    sent: SentMessage
    raw: bytes = field(repr=False)
