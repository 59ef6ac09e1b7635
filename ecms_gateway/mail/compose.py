"""Outgoing mail: a letter to a partner's saraban address, and notifiers back as replies.

A letter mail is ``multipart/mixed``: the Thai text a clerk reads (the letter's header and the file
list), the main file and attachments under their real names, and the signed GovernmentDocument as
``ecms-letter.xml`` for the receiving gateway. A notifier mail replies to the letter's mail
(In-Reply-To, References) with one Thai sentence and ``ecms-notifier.xml``. Either may be wrapped in
an S/MIME signature. The Message-ID comes from the letter, so a resend carries the same one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Final

from ecms_gateway import __version__
from ecms_gateway.codec.messages import Notifier
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.mail import mime
from ecms_gateway.mail.message_ids import letter_message_id, notifier_message_id
from ecms_gateway.mail.smime import SmimeSigner
from ecms_gateway.mail.wording import (
    LETTER_XML_NAME,
    NOTIFIER_XML_NAME,
    Names,
    letter_body,
    letter_subject,
    notifier_body,
    notifier_subject,
)

XML_MIME: Final = "application/xml"


@dataclass(frozen=True, kw_only=True)
class Mailbox:
    """An address with an optional display name (the organisation's Thai name)."""

    address: str
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class OutgoingMail:
    """A message ready for SMTP: the envelope and the exact bytes (CRLF line ends, 7-bit)."""

    message_id: str
    envelope_from: str
    recipients: tuple[str, ...]
    subject: str
    data: bytes = field(repr=False)


def compose_letter(
    package: LetterPackage,
    document_xml: bytes,
    *,
    sender: Mailbox,
    recipient: Mailbox,
    domain: str,
    now: datetime,
    smime: SmimeSigner | None = None,
) -> OutgoingMail:
    """The mail carrying ``package`` and its signed GovernmentDocument ``document_xml``."""
    letter = package.letter
    message_id = letter_message_id(
        sender_org=letter.sender.org_id,
        receiver_org=letter.receiver.org_id,
        book_no=letter.book_no,
        letter_date=letter.date,
        domain=domain,
    )
    names = Names(
        sender=sender.name or letter.sender.org_id, receiver=recipient.name or letter.receiver.org_id
    )
    parts = [mime.text_part(letter_body(letter, package.files, names))]
    parts.extend(mime.file_part(f.name, f.mime, f.content) for f in package.files)
    parts.append(mime.file_part(LETTER_XML_NAME, XML_MIME, document_xml))
    subject = letter_subject(letter)
    return _assemble(
        message_id=message_id,
        sender=sender,
        recipient=recipient,
        subject=subject,
        now=now,
        parts=parts,
        extra=(),
        smime=smime,
    )


def compose_notifier(
    notifier: Notifier,
    notifier_xml: bytes,
    *,
    sender: Mailbox,
    recipient: Mailbox,
    from_org: str,
    in_reply_to: str | None,
    references: Sequence[str] = (),
    domain: str,
    now: datetime,
    smime: SmimeSigner | None = None,
) -> OutgoingMail:
    """A reply to the letter's mail (``in_reply_to``: its Message-ID) carrying the notifier XML.

    ``from_org`` is the organisation sending the notifier (us); it keeps Message-IDs of different
    organisations' notifiers about the same letter apart.
    """
    message_id = notifier_message_id(
        kind=notifier.kind.value,
        letter_id=notifier.letter_id,
        letter_date=notifier.correspondence_date,
        from_org=from_org,
        accept_id=notifier.accept_id,
        domain=domain,
    )
    from_name = sender.name or from_org
    parts = [
        mime.text_part(notifier_body(notifier, from_name=from_name)),
        mime.file_part(NOTIFIER_XML_NAME, XML_MIME, notifier_xml),
    ]
    chain = [ref for ref in references if ref != in_reply_to]
    if in_reply_to:
        chain.append(in_reply_to)
    extra = [mime.header("Auto-Submitted", "auto-replied")]  # RFC 3834: no vacation replies to this
    if in_reply_to:
        extra.append(mime.header("In-Reply-To", in_reply_to))
    if chain:
        extra.append(mime.header("References", " ".join(chain)))
    return _assemble(
        message_id=message_id,
        sender=sender,
        recipient=recipient,
        subject=notifier_subject(notifier),
        now=now,
        parts=parts,
        extra=extra,
        smime=smime,
    )


def _assemble(
    *,
    message_id: str,
    sender: Mailbox,
    recipient: Mailbox,
    subject: str,
    now: datetime,
    parts: Sequence[bytes],
    extra: Sequence[bytes],
    smime: SmimeSigner | None,
) -> OutgoingMail:
    boundary = "=_ecms_" + hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:24]
    entity = mime.multipart("mixed", parts, boundary)
    if smime is not None:
        entity = smime.sign(entity)
    when = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    head = b"".join(
        (
            mime.header("Message-ID", message_id),
            mime.header("Date", format_datetime(when)),
            mime.address_header("From", [(sender.name, sender.address)]),
            mime.address_header("To", [(recipient.name, recipient.address)]),
            mime.header("Subject", subject),
            *extra,
            mime.header("Content-Language", "th"),
            mime.header("User-Agent", f"ecms-gateway/{__version__}"),
            b"MIME-Version: 1.0\r\n",
        )
    )
    return OutgoingMail(
        message_id=message_id,
        envelope_from=sender.address,
        recipients=(recipient.address,),
        subject=subject,
        data=head + entity,
    )
