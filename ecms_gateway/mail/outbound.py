"""What a mail worker calls: the XML to attach, and mails addressed through the directory.

A send loop is: ``xml = letter_document_xml(package, sign=signer.sign_letter, send_time=now)``,
``mail = composer.letter(package, xml, now=now)``, ``await sender.send(mail)``; then complete the work
item, or fail it with the ``TransientMailError`` / ``PermanentMailError`` the sender raised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from lxml import etree

from ecms_gateway.codec.document import build_document
from ecms_gateway.codec.envelope import to_bytes
from ecms_gateway.codec.messages import Notifier
from ecms_gateway.codec.schema import validate
from ecms_gateway.codec.wire import encode
from ecms_gateway.errors import ConfigError
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.letter.policy import SecrecyPolicy, check_may_leave
from ecms_gateway.mail.compose import Mailbox, OutgoingMail, compose_letter, compose_notifier
from ecms_gateway.mail.directory import MailDirectory
from ecms_gateway.mail.settings import MailSettings
from ecms_gateway.mail.smime import SmimeSigner


def letter_document_xml(
    package: LetterPackage,
    *,
    sign: Callable[[etree._Element], object] | None,
    send_time: datetime | None = None,
) -> bytes:
    """The GovernmentDocument of ``package``, validated, signed in place by ``sign``
    (``OutboundSigner.sign_letter``; None leaves it unsigned), as UTF-8 bytes."""
    element = build_document(package, send_time=send_time)
    validate(element, "GovernmentDocument")
    if sign is not None:
        sign(element)
    return to_bytes(element)


def notifier_document_xml(
    notifier: Notifier, *, sign: Callable[[etree._Element], etree._Element] | None = None
) -> bytes:
    """The notifier element, validated, then signed by ``sign`` (which returns the element to send,
    as ``OutboundSigner.sign_notifier`` does), as UTF-8 bytes."""
    element = encode(notifier)
    validate(element, notifier.kind.value)
    if sign is not None:
        element = sign(element)
    return to_bytes(element)


class MailComposer:
    """Addresses and composes mail for one of our organisations (its ``MailSettings``)."""

    def __init__(
        self,
        settings: MailSettings,
        directory: MailDirectory,
        *,
        smime: SmimeSigner | None = None,
        secrecy: SecrecyPolicy | None = None,
    ) -> None:
        self._settings = settings
        self._directory = directory
        self._smime = smime
        self._secrecy = secrecy
        own = directory.contact(settings.org_id)
        self._us = Mailbox(
            address=settings.address, name=settings.display_name or (own.th_name if own else None)
        )

    @property
    def sender(self) -> Mailbox:
        return self._us

    def letter(self, package: LetterPackage, document_xml: bytes, *, now: datetime) -> OutgoingMail:
        """The letter's mail to the receiver's central address (``PolicyRefused`` for what may not leave,
        ``ConfigError`` when the directory has no address for the receiver)."""
        check_may_leave(package.letter, self._secrecy)
        receiver = package.letter.receiver.org_id
        return compose_letter(
            package,
            document_xml,
            sender=self._us,
            recipient=self._mailbox(receiver, None),
            domain=self._settings.domain,
            now=now,
            smime=self._smime_for(receiver),
        )

    def notifier(
        self,
        notifier: Notifier,
        notifier_xml: bytes,
        *,
        to_org: str,
        in_reply_to: str | None,
        references: Sequence[str] = (),
        to_address: str | None = None,
        now: datetime,
    ) -> OutgoingMail:
        """A notifier about a letter ``to_org`` sent us, as a reply to that letter's mail.

        ``in_reply_to`` is the Message-ID the letter arrived with; ``to_address`` overrides the
        directory (e.g. the address a person's letter came from)."""
        return compose_notifier(
            notifier,
            notifier_xml,
            sender=self._us,
            recipient=self._mailbox(to_org, to_address),
            from_org=self._settings.org_id,
            in_reply_to=in_reply_to,
            references=references,
            domain=self._settings.domain,
            now=now,
            smime=self._smime_for(to_org),
        )

    def _mailbox(self, org_id: str, address: str | None) -> Mailbox:
        contact = self._directory.contact(org_id)
        return Mailbox(
            address=address or self._directory.address_of(org_id),
            name=contact.th_name if contact else None,
        )

    def _smime_for(self, org_id: str) -> SmimeSigner | None:
        if not self._settings.partner(org_id).smime:
            return None
        if self._smime is None:
            raise ConfigError(
                f"mail to organisation {org_id} must be S/MIME-signed but no S/MIME key is loaded; "
                "configure mail.smime_key"
            )
        return self._smime
