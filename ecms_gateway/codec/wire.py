"""Message values <-> e-CMS elements, and ``to_wire``: encode, validate, wrap, serialize.

Every message we build is validated against our schemas before it leaves (``to_wire``); ``decode``
expects a normalised, validated element (``recognize.read_message`` does both first).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import singledispatch
from typing import Final

from lxml import etree

from ecms_gateway.codec import items, listings
from ecms_gateway.codec._xml import sub, sub_opt, text, text_opt
from ecms_gateway.codec.envelope import FAULT, to_bytes, wrap
from ecms_gateway.codec.messages import (
    DeleteRequest,
    DeleteResponse,
    ErrorDetail,
    InboundRequest,
    InboundResponse,
    InboundSpecialRequest,
    LetterDocument,
    Message,
    MimeCodesRequest,
    MimeCodesResponse,
    MinistryListRequest,
    MinistryListResponse,
    Notifier,
    OrganizationListRequest,
    OrganizationListResponse,
    OutboundRequest,
    OutboundResponse,
    OutboundStatusRequest,
    OutboundStatusResponse,
    SecretCodesRequest,
    SecretCodesResponse,
    SpeedCodesRequest,
    SpeedCodesResponse,
    TimeCheckRequest,
    TimeCheckResponse,
    WithdrawRequest,
    WithdrawResponse,
)
from ecms_gateway.codec.schema import validate
from ecms_gateway.errors import InputError, UnknownMessage

_Decoder = Callable[[etree._Element], Message]


def element_name(message: Message) -> str:
    """The wire element of ``message`` (a notifier's is its kind)."""
    if isinstance(message, Notifier):
        return message.kind.value
    return message.TAG


def encode(message: Message) -> etree._Element:
    """The e-CMS element of ``message`` (a new tree; a letter document is copied, never moved)."""
    try:
        return _encode(message)
    except ValueError as exc:  # text with control characters or lone surrogates
        raise InputError(
            f"{element_name(message)}: a value contains characters XML cannot carry ({exc})"
        ) from exc


def to_wire(message: Message, *, to: str | None = None, message_id: str | None = None) -> bytes:
    """``message`` as the bytes of a SOAP envelope, validated against our schemas before it leaves.

    Raises ``SchemaInvalid`` when the message does not satisfy the schemas (nothing is sent).
    """
    envelope = wrap(encode(message), to=to, message_id=message_id)
    validate(envelope, element_name(message))
    return to_bytes(envelope)


def letter_request(
    document: etree._Element, *, to: str | None = None, message_id: str | None = None
) -> bytes:
    """The bytes of ``to_wire(OutboundRequest(item=LetterDocument(element=document)), ...)`` without
    copying the letter: ``document`` (a root ``rsm:GovernmentDocument``, e.g. just built and signed)
    is moved into the envelope, so the caller gives it up. For a 20 MB file that is 27 MB less.
    """
    if document.getparent() is not None or document.tag != items.DOCUMENT:
        raise ValueError("letter_request takes a rsm:GovernmentDocument that is the root of its tree")
    request = etree.Element(OutboundRequest.TAG)
    request.append(document)
    envelope = wrap(request, to=to, message_id=message_id)
    validate(envelope, OutboundRequest.TAG)
    return to_bytes(envelope)


def decode(element: etree._Element) -> Message:
    """The message value of an e-CMS element (a payload, a notifier, a letter or a ``soap:Fault``)."""
    if element.tag == items.DOCUMENT:
        return LetterDocument(element=element)
    if element.tag == FAULT:
        return listings.decode_fault(element)
    name = etree.QName(element)
    if name.namespace is None and name.localname in items.NOTIFIER_NAMES:
        return items.decode_notifier(element)
    decoder = _DECODERS.get(name.localname) if name.namespace is None else None
    if decoder is None:
        raise UnknownMessage(f"<{name.localname}> is not an e-CMS message: expected one of {known_list()}")
    return decoder(element)


def known_list() -> str:
    """The e-CMS element names, for error messages."""
    return ", ".join(sorted(MESSAGE_ELEMENTS))


# ---------------------------------------------------------------- encoders


@singledispatch
def _encode(message: Message) -> etree._Element:
    raise TypeError(f"{type(message).__name__} is not an e-CMS message")


@_encode.register
def _encode_document(message: LetterDocument) -> etree._Element:
    return message.copy_element()


@_encode.register
def _encode_notifier(message: Notifier) -> etree._Element:
    return items.encode_notifier(message)


def _empty(message: Message) -> etree._Element:
    return etree.Element(element_name(message))


for _request in (
    InboundRequest,
    MinistryListRequest,
    OrganizationListRequest,
    SecretCodesRequest,
    SpeedCodesRequest,
    MimeCodesRequest,
    TimeCheckRequest,
):
    _encode.register(_request, _empty)


@_encode.register
def _encode_outbound(message: OutboundRequest) -> etree._Element:
    root = etree.Element(message.TAG)
    root.append(items.encode_item(message.item))
    return root


@_encode.register
def _encode_outbound_response(message: OutboundResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    sub(root, "ProcessID", message.process_id)
    sub(root, "ProcessTime", message.process_time)
    if message.item is not None:
        root.append(items.encode_item(message.item))
    return root


@_encode.register
def _encode_inbound_response(message: InboundResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    sub_opt(root, "ProcessID", message.process_id)
    sub_opt(root, "ProcessTime", message.process_time)
    if message.item is not None:
        root.append(items.encode_item(message.item))
    return root


@_encode.register
def _encode_delete(message: DeleteRequest) -> etree._Element:
    root = etree.Element(message.TAG)
    sub(root, "ProcessID", message.process_id)
    return root


@_encode.register
def _encode_delete_response(message: DeleteResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    sub(root, "ProcessID", message.process_id)
    sub(root, "ProcessTime", message.process_time)
    return root


@_encode.register
def _encode_withdraw(message: WithdrawRequest) -> etree._Element:
    root = etree.Element(message.TAG)
    items.encode_key(root, message.key)
    return root


@_encode.register
def _encode_withdraw_response(message: WithdrawResponse) -> etree._Element:
    root = etree.Element(message.TAG)
    sub_opt(root, "ProcessID", message.process_id)
    sub(root, "ProcessTime", message.process_time)
    return root


@_encode.register
def _encode_special(message: InboundSpecialRequest) -> etree._Element:
    root = etree.Element(message.TAG)
    items.encode_key(sub(root, message.item_kind.value), message.key)
    return root


for _type, _encoder in (
    (MinistryListResponse, listings.encode_ministries),
    (OrganizationListResponse, listings.encode_organizations),
    (SecretCodesResponse, listings.encode_codes),
    (SpeedCodesResponse, listings.encode_codes),
    (MimeCodesResponse, listings.encode_mime_codes),
    (OutboundStatusResponse, listings.encode_statuses),
    (TimeCheckResponse, listings.encode_time),
    (ErrorDetail, listings.encode_error),
):
    _encode.register(_type, _encoder)


@_encode.register
def _encode_status_request(message: OutboundStatusRequest) -> etree._Element:
    root = etree.Element(message.TAG)
    sub_opt(root, "LetterID", message.letter_id)
    return root


# ---------------------------------------------------------------- decoders


def _decode_outbound(element: etree._Element) -> Message:
    item = items.decode_item(element)
    if item is None:
        raise items.missing_item(element, OutboundRequest.TAG)
    return OutboundRequest(item=item)


def _decode_outbound_response(element: etree._Element) -> Message:
    return OutboundResponse(
        process_id=text(element, "ProcessID", OutboundResponse.TAG),
        process_time=text(element, "ProcessTime", OutboundResponse.TAG),
        item=items.decode_item(element),
    )


def _decode_inbound_response(element: etree._Element) -> Message:
    return InboundResponse(
        process_id=text_opt(element, "ProcessID"),
        process_time=text_opt(element, "ProcessTime"),
        item=items.decode_item(element),
    )


def _decode_special(element: etree._Element) -> Message:
    kind, key = items.decode_special(element, InboundSpecialRequest.TAG)
    return InboundSpecialRequest(item_kind=kind, key=key)


_DECODERS: Final[dict[str, _Decoder]] = {
    OutboundRequest.TAG: _decode_outbound,
    OutboundResponse.TAG: _decode_outbound_response,
    InboundRequest.TAG: lambda _: InboundRequest(),
    InboundResponse.TAG: _decode_inbound_response,
    DeleteRequest.TAG: lambda e: DeleteRequest(process_id=text(e, "ProcessID", DeleteRequest.TAG)),
    DeleteResponse.TAG: lambda e: DeleteResponse(
        process_id=text(e, "ProcessID", DeleteResponse.TAG),
        process_time=text(e, "ProcessTime", DeleteResponse.TAG),
    ),
    WithdrawRequest.TAG: lambda e: WithdrawRequest(key=items.decode_key(e, WithdrawRequest.TAG)),
    WithdrawResponse.TAG: lambda e: WithdrawResponse(
        process_id=text_opt(e, "ProcessID"),
        process_time=text(e, "ProcessTime", WithdrawResponse.TAG),
    ),
    InboundSpecialRequest.TAG: _decode_special,
    MinistryListRequest.TAG: lambda _: MinistryListRequest(),
    MinistryListResponse.TAG: listings.decode_ministries,
    OrganizationListRequest.TAG: lambda _: OrganizationListRequest(),
    OrganizationListResponse.TAG: listings.decode_organizations,
    SecretCodesRequest.TAG: lambda _: SecretCodesRequest(),
    SecretCodesResponse.TAG: listings.decode_secret_codes,
    SpeedCodesRequest.TAG: lambda _: SpeedCodesRequest(),
    SpeedCodesResponse.TAG: listings.decode_speed_codes,
    MimeCodesRequest.TAG: lambda _: MimeCodesRequest(),
    MimeCodesResponse.TAG: listings.decode_mime_codes,
    OutboundStatusRequest.TAG: lambda e: OutboundStatusRequest(letter_id=text_opt(e, "LetterID")),
    OutboundStatusResponse.TAG: listings.decode_statuses,
    TimeCheckRequest.TAG: lambda _: TimeCheckRequest(),
    TimeCheckResponse.TAG: listings.decode_time,
    ErrorDetail.TAG: listings.decode_error,
}

PLAIN_ELEMENTS: Final = frozenset(_DECODERS) | items.NOTIFIER_NAMES
"""The messages without a namespace: the global elements of messages.xsd."""

MESSAGE_ELEMENTS: Final = PLAIN_ELEMENTS | {LetterDocument.TAG, "Fault"}
"""Every element the codec reads as a message: messages.xsd's global elements (no namespace), the letter
(rsm:GovernmentDocument) and soap:Fault."""
