"""Verify what a letter or notifier mail carries; only the verified element flows onward.

``verify_letter_mail`` returns the letter decoded from the element the signature covers, never from
a second parse of the attachment ("see what is signed", docs/signing.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from ecms_gateway.codec.document import parse_document
from ecms_gateway.codec.items import decode_notifier
from ecms_gateway.codec.messages import Notifier
from ecms_gateway.errors import SignatureInvalid
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.mail.inbound import LetterMail, NotifierMail
from ecms_gateway.signing.outcome import REJECT, Verified
from ecms_gateway.signing.verifier import Verifier


@dataclass(frozen=True, kw_only=True)
class VerifiedLetter:
    verified: Verified
    package: LetterPackage


@dataclass(frozen=True, kw_only=True)
class VerifiedNotifier:
    verified: Verified
    notifier: Notifier


def verify_letter_mail(mail: LetterMail, verifier: Verifier) -> VerifiedLetter:
    """Check the signature of ``ecms-letter.xml`` (sender: the letter's SenderParty) and decode the
    signed document; ``SignatureInvalid``, ``SignatureMissing`` or ``TrustError`` when it fails."""
    verified = verifier.verify_document(mail.document_xml)
    document = verified.document
    if document is None:  # the verifier guarantees a document for a letter; be explicit anyway
        raise SignatureInvalid(
            "structure", "no GovernmentDocument around the letter", org_id=None, action=REJECT
        )
    return VerifiedLetter(verified=verified, package=parse_document(document).package)


def verify_notifier_mail(
    mail: NotifierMail, verifier: Verifier, *, sender_org: str | None = None
) -> VerifiedNotifier:
    """Check the signature of ``ecms-notifier.xml`` as sent by ``sender_org`` (default: the directory's
    organisation of the From address) and decode the verified element."""
    org = sender_org or mail.info.sender_org
    if org is None:
        raise SignatureInvalid(
            "sender",
            f"the notifier came from {mail.info.from_address}, which is not in the directory",
            org_id=None,
            action="Add the partner's central address to the directory, or pass the sender explicitly",
        )
    verified = verifier.verify_notifier(mail.notifier_xml, org_id=org)
    return VerifiedNotifier(verified=verified, notifier=decode_notifier(verified.element))
