"""What verifying an inbound message yields: the verified element, or an unsigned one flagged by policy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from lxml import etree

from ecms_gateway.codec.document import DOCUMENT
from ecms_gateway.errors import SignatureInvalid, SignatureMissing
from ecms_gateway.signing.algorithms import Profile
from ecms_gateway.signing.config import UnsignedPolicy
from ecms_gateway.signing.locate import sender_org_id
from ecms_gateway.signing.trust import TrustedSigner

REJECT: Final = "Reject the message and ask the sender to send it again, correctly signed"


class SignatureStatus(StrEnum):
    """What verification established about a message."""

    VERIFIED = "verified"  # a valid signature by a signer trusted for the sending organisation
    UNSIGNED = "unsigned"  # no signature; accepted only because the partner's policy says accept-and-flag


@dataclass(frozen=True, kw_only=True)
class Verified:
    """The outcome of verification: the element that may flow onward, and who vouched for it."""

    status: SignatureStatus
    element: etree._Element  # the signed ram:CorrespondenceLetter, or the notifier
    org_id: str
    signer: TrustedSigner | None = None
    profile: Profile | None = None
    signature_method: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        """True for an unsigned message accepted by policy; clerks must see this mark."""
        return self.status is SignatureStatus.UNSIGNED

    @property
    def document(self) -> etree._Element | None:
        """A letter's rsm:GovernmentDocument: it holds nothing unsigned but the checked signature block."""
        parent = self.element.getparent()
        return parent if parent is not None and parent.tag == DOCUMENT else None


def sending_org(letter: etree._Element, org_id: str | None) -> str:
    """The organisation a letter is from: its SenderParty, which must agree with ``org_id`` if given."""
    named = sender_org_id(letter)
    if org_id is not None and named is not None and named != org_id:
        raise SignatureInvalid(
            "sender",
            f"the letter names {named} as its sender but arrived as a letter from {org_id}",
            org_id=org_id,
            action=REJECT,
        )
    org = org_id or named
    if org is None:
        raise SignatureInvalid(
            "sender",
            "the letter names no sending organisation (SenderParty/DepartmentOrganization/ID)",
            org_id=None,
            action=REJECT,
        )
    return org


def unsigned(element: etree._Element, org: str, policy: UnsignedPolicy, what: str) -> Verified:
    """An unsigned message: flagged when the partner's policy for it accepts it, else ``SignatureMissing``."""
    if policy is UnsignedPolicy.ACCEPT_AND_FLAG:
        return Verified(
            status=SignatureStatus.UNSIGNED,
            element=element,
            org_id=org,
            warnings=(f"the {what} from {org} is not signed; accepted and flagged as unsigned by policy",),
        )
    key = "unsigned" if what == "letter" else "unsigned_notifiers"
    raise SignatureMissing(
        "unsigned",
        f"the {what} carries no signature",
        org_id=org,
        action=(
            f"Ask {org} to sign; if the agency accepts unsigned messages from it, set "
            f'signing.partners.{org}.{key} = "accept-and-flag"'
        ),
    )
