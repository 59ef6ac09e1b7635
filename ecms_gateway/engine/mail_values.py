"""Values of the mail-letter queue: letters people sent by mail, waiting for a clerk to confirm them, and
mail the gateway could not take in at all, waiting for a clerk to read it and dismiss it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from ecms_gateway.letter.model import FileData


class MailLetterState(StrEnum):
    """Where a person's letter is in the clerk's queue."""

    PENDING = "pending"  # read from the mail; waits for a clerk
    CONFIRMING = "confirming"  # a clerk's confirmation is being recorded (or was cut off: taken over later)
    CONFIRMED = "confirmed"  # recorded as an inbound letter (``letter_id``), registered like any other
    DISMISSED = "dismissed"  # not a letter (``reason``); the mail stays in the inbox for reference


UNREADABLE: Final = "message"
"""The ``MissingField.field`` of a record kept for a mail that is not a letter the gateway can read
(quarantined: no file, a broken file or e-CMS XML, too large, no sender): its message says why in
Thai. Such a record has no files, so it cannot be confirmed; a clerk reads the mail, deals with it
(calls the sender, asks for the PDF) and dismisses it saying what was done."""


@dataclass(frozen=True, kw_only=True)
class MailLetterFields:
    """The letter's header as far as it is known; None for what neither the mail nor a clerk gave."""

    book_no: str | None = None
    subject: str | None = None
    letter_date: date | None = None
    sender_org: str | None = None
    receiver_org: str | None = None
    speed: str | None = None  # a ``Speed`` value (normal, urgent, very_urgent, most_urgent)
    secrecy: str | None = None  # a ``Secrecy`` value (normal, confidential, secret, top_secret)


@dataclass(frozen=True, kw_only=True)
class MissingField:
    """A field the gateway could not read from the mail, with the Thai sentence a clerk sees."""

    field: str
    message: str


@dataclass(frozen=True, kw_only=True)
class MailLetterDraft:
    """What the mail processor read from a person's mail, to be kept for a clerk."""

    inbox_id: int
    message_id: str | None
    from_address: str
    from_name: str | None
    mail_subject: str
    mail_date: datetime | None
    fields: MailLetterFields
    not_found: tuple[MissingField, ...]
    notes: tuple[str, ...]
    forwarded: bool
    files: tuple[FileData, ...]  # the main file first, then the attachments


@dataclass(frozen=True, kw_only=True)
class MailFileView:
    """A file of a person's letter as stored: its bytes are in the file store under ``sha256``."""

    position: int
    name: str
    mime: str
    size: int
    sha256: str


@dataclass(frozen=True, kw_only=True)
class MailLetterView:
    """One record of the queue, with its files (without their bytes)."""

    id: int
    inbox_id: int
    state: MailLetterState
    message_id: str | None
    from_address: str
    from_name: str | None
    mail_subject: str
    mail_date: datetime | None
    fields: MailLetterFields
    not_found: tuple[MissingField, ...]
    notes: tuple[str, ...]
    forwarded: bool
    files: tuple[MailFileView, ...]
    letter_id: int | None
    reason: str | None
    acted_by: str | None
    acted_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def unreadable(self) -> str | None:
        """Why the mail could not be taken in as a letter (Thai), for a record kept about such a mail."""
        return next((m.message for m in self.not_found if m.field == UNREADABLE), None)
