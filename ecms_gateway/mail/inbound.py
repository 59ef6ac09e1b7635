"""What a received message turned out to be: one of seven classes, each with what its handler needs.

LetterMail     carries ecms-letter.xml: verify it and ingest it like an e-CMS letter
NotifierMail   carries ecms-notifier.xml: verify it and match it to the letter we sent
HumanLetter    a letter a person sent (PDF attached): fields read as far as possible, the rest named
Bounce         a delivery status notification about a message we sent: its Message-ID and the reason
AutoReply      a vacation or other automatic reply: recorded, never registered
PersonReply    a person's answer without a file to a letter mail (In-Reply-To/References): noted on the letter
Quarantined    malformed or unusable: the raw message is kept with the reason, and shown to a clerk
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from ecms_gateway.codec.messages import Notifier
from ecms_gateway.letter.model import FileData
from ecms_gateway.mail.bounce import BouncedRecipient
from ecms_gateway.mail.extract import NotFound


class MailClass(StrEnum):
    """The seven classes of received mail."""

    LETTER = "letter"  # ecms-letter.xml: verify, then ingest as an e-CMS letter
    NOTIFIER = "notifier"  # ecms-notifier.xml: verify, then match to our sent letter
    HUMAN_LETTER = "human-letter"  # written by a person: a clerk confirms the extracted fields
    BOUNCE = "bounce"  # delivery failure of a message we sent
    AUTO_REPLY = "auto-reply"  # automatic reply: recorded, not registered
    REPLY = "reply"  # a person's words answering a letter mail, no file: noted on that letter
    QUARANTINED = "quarantined"  # malformed or unusable: kept raw with the reason, shown to a clerk


@dataclass(frozen=True, kw_only=True)
class MailInfo:
    """Who sent the message and what it says it is about; ``sender_org`` comes from the directory."""

    message_id: str | None
    from_address: str | None
    from_name: str | None
    subject: str
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    sender_org: str | None
    dedupe_key: str


@dataclass(frozen=True, kw_only=True)
class LetterSummary:
    """What the attached letter says about itself, BEFORE its signature is checked: for display and
    routing decisions only; ingest what ``Verifier.verify_document(document_xml)`` returns."""

    book_no: str
    letter_date: date
    subject: str
    sender_org: str
    receiver_org: str
    signed: bool


@dataclass(frozen=True, kw_only=True)
class LetterMail:
    cls: ClassVar[MailClass] = MailClass.LETTER
    info: MailInfo
    document_xml: bytes = field(repr=False)
    unverified: LetterSummary
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class NotifierMail:
    cls: ClassVar[MailClass] = MailClass.NOTIFIER
    info: MailInfo
    notifier_xml: bytes = field(repr=False)
    unverified: Notifier  # read before the signature is checked: verify notifier_xml before acting on it


@dataclass(frozen=True, kw_only=True)
class HumanLetter:
    cls: ClassVar[MailClass] = MailClass.HUMAN_LETTER
    info: MailInfo
    book_no: str | None
    subject: str | None
    letter_date: date | None
    sender_org: str | None
    sender_name: str | None
    main: FileData
    attachments: tuple[FileData, ...]
    body_text: str
    forwarded: bool  # the letter came inside a forwarded message
    not_found: tuple[NotFound, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Bounce:
    cls: ClassVar[MailClass] = MailClass.BOUNCE
    info: MailInfo
    original_message_id: str | None  # the Message-ID of our message that did not arrive
    recipients: tuple[BouncedRecipient, ...]
    reason: str
    permanent: bool  # False for a "delayed" notice: the server is still trying


@dataclass(frozen=True, kw_only=True)
class AutoReply:
    cls: ClassVar[MailClass] = MailClass.AUTO_REPLY
    info: MailInfo
    signal: str  # what showed it was automatic (a header or the subject)
    replied_to: str | None  # In-Reply-To: the message of ours it answers, when given


@dataclass(frozen=True, kw_only=True)
class PersonReply:
    """A person's answer with no file ("ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234") naming letter mails.

    Which of ``answered`` is ours only the store knows (``letter_of_mailed``); none of them: the
    processor quarantines it as a mail without a file."""

    cls: ClassVar[MailClass] = MailClass.REPLY
    info: MailInfo
    answered: tuple[str, ...]  # letter-mail Message-IDs it names: In-Reply-To, then References newest first
    text: str  # their own words: quoted history cut, at most MAX_REPLY_CHARS
    receive_no: str | None  # a receive number the words give, Arabic digits; for the clerk to check


@dataclass(frozen=True, kw_only=True)
class Quarantined:
    """A message the gateway cannot take in. ``reason`` is for the operator's log (it may quote a schema
    error); ``thai`` says the same to the clerk who reads the mail, with what to do about it."""

    cls: ClassVar[MailClass] = MailClass.QUARANTINED
    info: MailInfo
    reason: str
    thai: str
    raw: bytes = field(repr=False)


Classified = LetterMail | NotifierMail | HumanLetter | Bounce | AutoReply | PersonReply | Quarantined
"""The result of ``classify``."""
