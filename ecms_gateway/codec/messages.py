"""Every e-CMS message as a frozen value: what the node, the poller and the CLI exchange with the codec.

A letter travels as its ``rsm:GovernmentDocument`` element (``LetterDocument``), untouched, so that a
signature over it survives decoding and re-encoding; ``LetterDocument.decode()`` reads the letter.
Each message class names its wire element in ``TAG``; a ``Notifier``'s element is its ``kind``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import ClassVar, Final

from lxml import etree

from ecms_gateway.codec.document import DecodedDocument, parse_document, read_letter
from ecms_gateway.letter.model import Letter


class NotifierKind(StrEnum):
    """The five notifiers; the value is the wire element name."""

    RECEIVE = "ReceiveLetterNotifier"  # destination -> origin: your letter arrived
    ACCEPT = "AcceptLetterNotifier"  # destination -> origin: registered under receive number AcceptID
    REJECT = "RejectLetterNotifier"  # destination -> origin: letter refused
    INVALID = "InvalidLetterNotifier"  # destination -> origin: wrong letter or wrong addressee
    INVALID_ACCEPT_ID = "InvalidAcceptIDNotifier"  # origin -> destination: your receive number is wrong


class SpecialItemKind(StrEnum):
    """What a ``CorrespondenceLetterInboundSpecialRequest`` asks for again; the value is the wire name."""

    LETTER = "CorrespondenceLetter"  # the letter itself
    RECEIVE = "ReceiveLetterNotifier"  # its receive notifier
    ACCEPT = "AcceptLetterNotifier"  # its accept notifier
    REJECT = "RejectLetterNotifier"  # its reject notifier
    INVALID = "InvalidLetterNotifier"  # its invalid-letter notifier
    INVALID_ACCEPT_ID = "InvalidAcceptIDNotifier"  # its invalid-receive-number notifier


def _canonical(element: etree._Element) -> bytes:
    # Exclusive C14N: the element's own content, independent of the tree it sits in.
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


@dataclass(frozen=True, eq=False, kw_only=True)
class LetterDocument:
    """A letter payload: the ``rsm:GovernmentDocument`` element exactly as built or received (treat the
    element as read-only: it may be signed, and ``decode()`` caches what it read from it).

    Two documents are equal when their exclusive canonical forms are (the wire can re-prefix
    namespaces; a signature check must use ``element`` itself, not a re-encoding).
    """

    TAG: ClassVar[str] = "GovernmentDocument"
    element: etree._Element

    def decode(self) -> DecodedDocument:
        """The letter, its files and its signature block, read from the element (once; then cached)."""
        return self._decoded

    @cached_property
    def _decoded(self) -> DecodedDocument:
        return parse_document(self.element)

    def letter(self) -> Letter:
        """The letter alone, its files named but not decoded (a node routing it needs no more)."""
        if "_decoded" in self.__dict__:
            return self._decoded.package.letter
        return self._letter

    @cached_property
    def _letter(self) -> Letter:
        return read_letter(self.element)

    def copy_element(self) -> etree._Element:
        """A deep copy of the element, to put into another tree without moving the original."""
        return copy.deepcopy(self.element)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LetterDocument):
            return NotImplemented
        return self.element is other.element or _canonical(self.element) == _canonical(other.element)

    def __hash__(self) -> int:
        return hash(_canonical(self.element))


@dataclass(frozen=True, kw_only=True)
class Notifier:
    """A status notice about a letter, named by its book number and date (not by a message id)."""

    kind: NotifierKind
    letter_id: str
    correspondence_date: date
    subject: str
    accept_id: str | None = None  # เลขรับ: the receiver's registration number
    accept_date: str | None = None  # xs:date or xs:dateTime, kept as written
    accept_department: str | None = None
    description: str | None = None  # our extension: the reason of a rejection or invalid notice
    # The trailing enveloped ds:Signature, as received; not part of equality (it signs the other fields).
    signature: etree._Element | None = field(default=None, compare=False, repr=False)


LetterItem = LetterDocument | Notifier
"""What travels through the outbound and inbound queues."""


@dataclass(frozen=True, kw_only=True)
class OutboundRequest:
    """Send a letter or a notifier through our own node."""

    TAG: ClassVar[str] = "CorrespondenceLetterOutboundRequest"
    item: LetterItem


@dataclass(frozen=True, kw_only=True)
class OutboundResponse:
    """The node's receipt for an outbound item, optionally echoing it."""

    TAG: ClassVar[str] = "CorrespondenceLetterOutboundResponse"
    process_id: str
    process_time: str
    item: LetterItem | None = None


@dataclass(frozen=True, kw_only=True)
class InboundRequest:
    """Take the head of our inbound queue."""

    TAG: ClassVar[str] = "CorrespondenceLetterInboundRequest"


@dataclass(frozen=True, kw_only=True)
class InboundResponse:
    """The head of the inbound queue; all fields None means the queue is empty."""

    TAG: ClassVar[str] = "CorrespondenceLetterInboundResponse"
    process_id: str | None = None
    process_time: str | None = None
    item: LetterItem | None = None

    @property
    def is_empty(self) -> bool:
        return self.item is None


@dataclass(frozen=True, kw_only=True)
class DeleteRequest:
    """Remove an item from our inbound queue after storing it."""

    TAG: ClassVar[str] = "CorrespondenceLetterDeleteRequest"
    process_id: str


@dataclass(frozen=True, kw_only=True)
class DeleteResponse:
    TAG: ClassVar[str] = "CorrespondenceLetterDeleteResponse"
    process_id: str
    process_time: str


@dataclass(frozen=True, kw_only=True)
class LetterKey:
    """Names one letter on the wire: book number, date, sender and receiving department codes."""

    letter_id: str
    correspondence_date: date
    sender_department: str
    accept_department: str


@dataclass(frozen=True, kw_only=True)
class WithdrawRequest:
    """``CorrespondenceDeleteGovernmentDocumentRequest``: withdraw a sent letter (after a rejection)."""

    TAG: ClassVar[str] = "CorrespondenceDeleteGovernmentDocumentRequest"
    key: LetterKey


@dataclass(frozen=True, kw_only=True)
class WithdrawResponse:
    TAG: ClassVar[str] = "CorrespondenceDeleteGovernmentDocumentResponse"
    process_time: str
    process_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class InboundSpecialRequest:
    """Ask our node again for one item; the reply is an ``InboundResponse``."""

    TAG: ClassVar[str] = "CorrespondenceLetterInboundSpecialRequest"
    item_kind: SpecialItemKind
    key: LetterKey


@dataclass(frozen=True, kw_only=True)
class MinistryListRequest:
    TAG: ClassVar[str] = "GetMinistryOrganizationList"


@dataclass(frozen=True, kw_only=True)
class MinistryInfo:
    th_name: str
    ministry_id: str


@dataclass(frozen=True, kw_only=True)
class MinistryListResponse:
    TAG: ClassVar[str] = "GetMinistryOrganizationListResponse"
    ministries: tuple[MinistryInfo, ...] = ()


@dataclass(frozen=True, kw_only=True)
class OrganizationListRequest:
    TAG: ClassVar[str] = "GetOrganizationList"


@dataclass(frozen=True, kw_only=True)
class OrganizationInfo:
    """One directory entry; ``ecms_url`` None when the organisation has no node (empty on the wire)."""

    en_name: str
    th_name: str
    ecms_url: str | None
    organization_id: str


@dataclass(frozen=True, kw_only=True)
class OrganizationListResponse:
    TAG: ClassVar[str] = "GetOrganizationListResponse"
    organizations: tuple[OrganizationInfo, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CodeValue:
    value: str
    description: str


@dataclass(frozen=True, kw_only=True)
class SecretCodesRequest:
    TAG: ClassVar[str] = "GetSecretCodes"


@dataclass(frozen=True, kw_only=True)
class SecretCodesResponse:
    TAG: ClassVar[str] = "GetSecretCodesResponse"
    codes: tuple[CodeValue, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SpeedCodesRequest:
    TAG: ClassVar[str] = "GetSpeedCodes"


@dataclass(frozen=True, kw_only=True)
class SpeedCodesResponse:
    TAG: ClassVar[str] = "GetSpeedCodesResponse"
    codes: tuple[CodeValue, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MimeCode:
    extension: str
    content_type: str


@dataclass(frozen=True, kw_only=True)
class MimeCodesRequest:
    TAG: ClassVar[str] = "GetMimeCodes"


@dataclass(frozen=True, kw_only=True)
class MimeCodesResponse:
    TAG: ClassVar[str] = "GetMimeCodesResponse"
    codes: tuple[MimeCode, ...] = ()


@dataclass(frozen=True, kw_only=True)
class OutboundStatusRequest:
    """Status of what we sent; ``letter_id`` narrows it to one letter."""

    TAG: ClassVar[str] = "OutboundStatusRequest"
    letter_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OutboundStatus:
    process_id: str
    letter_id: str
    process_status: str


@dataclass(frozen=True, kw_only=True)
class OutboundStatusResponse:
    TAG: ClassVar[str] = "OutboundStatusResponse"
    statuses: tuple[OutboundStatus, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TimeCheckRequest:
    TAG: ClassVar[str] = "TimeCheckRequest"


@dataclass(frozen=True, kw_only=True)
class TimeCheckResponse:
    TAG: ClassVar[str] = "TimeCheckResponse"
    process_time: str


@dataclass(frozen=True, kw_only=True)
class ErrorDetail:
    """An error from a node: as the Body's child, or inside ``soap:Fault/detail``."""

    TAG: ClassVar[str] = "ErrorDetail"
    code: str
    description: str


Message = (
    LetterDocument
    | Notifier
    | OutboundRequest
    | OutboundResponse
    | InboundRequest
    | InboundResponse
    | DeleteRequest
    | DeleteResponse
    | WithdrawRequest
    | WithdrawResponse
    | InboundSpecialRequest
    | MinistryListRequest
    | MinistryListResponse
    | OrganizationListRequest
    | OrganizationListResponse
    | SecretCodesRequest
    | SecretCodesResponse
    | SpeedCodesRequest
    | SpeedCodesResponse
    | MimeCodesRequest
    | MimeCodesResponse
    | OutboundStatusRequest
    | OutboundStatusResponse
    | TimeCheckRequest
    | TimeCheckResponse
    | ErrorDetail
)
"""Any message the codec encodes or decodes."""

REPLY_OF: Final[dict[str, str]] = {
    OutboundRequest.TAG: OutboundResponse.TAG,
    InboundRequest.TAG: InboundResponse.TAG,
    DeleteRequest.TAG: DeleteResponse.TAG,
    WithdrawRequest.TAG: WithdrawResponse.TAG,
    InboundSpecialRequest.TAG: InboundResponse.TAG,
    MinistryListRequest.TAG: MinistryListResponse.TAG,
    OrganizationListRequest.TAG: OrganizationListResponse.TAG,
    SecretCodesRequest.TAG: SecretCodesResponse.TAG,
    SpeedCodesRequest.TAG: SpeedCodesResponse.TAG,
    MimeCodesRequest.TAG: MimeCodesResponse.TAG,
    OutboundStatusRequest.TAG: OutboundStatusResponse.TAG,
    TimeCheckRequest.TAG: TimeCheckResponse.TAG,
}
"""Request element -> the element of its reply (the WSDL's operations)."""
