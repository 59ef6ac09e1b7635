"""Read any e-CMS input: hardened parse -> normalise variants -> unwrap -> validate -> decode.

This is the one entry point for bytes from the wire, files and the CLI (``ecms-gateway validate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lxml import etree

from ecms_gateway.codec.envelope import unwrap
from ecms_gateway.codec.messages import (
    InboundResponse,
    LetterDocument,
    Message,
    OutboundRequest,
    OutboundResponse,
)
from ecms_gateway.codec.normalize import normalize
from ecms_gateway.codec.schema import validate
from ecms_gateway.codec.wire import PLAIN_ELEMENTS, decode, known_list
from ecms_gateway.errors import UnknownMessage
from ecms_gateway.xml.namespaces import NSMAP, RSM, SOAP_ENV
from ecms_gateway.xml.parser import XmlLimits, parse_xml

# The only namespaced payloads: the letter and a SOAP fault; every other message has no namespace.
_NAMESPACED: Final = frozenset({(RSM, "GovernmentDocument"), (SOAP_ENV, "Fault")})


@dataclass(frozen=True, kw_only=True)
class EnvelopeInfo:
    """The WS-Addressing headers of an enveloped message (each None when absent)."""

    message_id: str | None
    to: str | None


@dataclass(frozen=True, kw_only=True)
class ReadMessage:
    """A recognised, valid e-CMS message.

    ``message_type`` is the payload's element name (``CorrespondenceLetterOutboundRequest``,
    ``GovernmentDocument``, ``AcceptLetterNotifier``, ``Fault``...); ``payload`` is that element in the
    parsed (normalised) tree, which is where a signature must be checked.
    """

    message_type: str
    envelope: EnvelopeInfo | None
    payload: etree._Element
    message: Message


def read_message(
    data: bytes, *, limits: XmlLimits | None = None, source: str = "input", decode_letter: bool = True
) -> ReadMessage:
    """Parse, normalise, unwrap, validate and decode ``data`` (an envelope or a bare message).

    Raises ``XmlRejected`` (unsafe or malformed XML), ``UnknownMessage`` (not an e-CMS message) or
    ``SchemaInvalid`` (an e-CMS message that breaks the schema; every fault with its line).
    A letter in it is read into the letter model (``LetterDocument.letter()``), its files only when
    asked (``LetterDocument.decode()``). ``decode_letter=False``: the letter is validated but not read,
    for callers that keep it as it came.
    """
    root = parse_xml(data, limits=limits, source=source)
    return read_element(root, source=source, decode_letter=decode_letter)


def read_element(root: etree._Element, *, source: str = "input", decode_letter: bool = True) -> ReadMessage:
    """``read_message`` for a tree that is already parsed (e.g. one whose signature was just checked).

    The tree is normalised in place.
    """
    normalize(root)
    try:
        envelope = unwrap(root)
    except UnknownMessage as exc:
        raise UnknownMessage(f"{source}: {exc}") from exc
    message_type = _message_type(envelope.payload, source)
    validate(root, message_type)
    info = EnvelopeInfo(message_id=envelope.message_id, to=envelope.to) if envelope.enveloped else None
    message = decode(envelope.payload)
    letter = _letter_in(message) if decode_letter else None
    if letter is not None:
        # A schema-valid letter the model refuses (e.g. a Buddhist-era date) fails here. Its files are
        # decoded when asked (``decode()``): validation has checked that they decode.
        letter.letter()
    return ReadMessage(message_type=message_type, envelope=info, payload=envelope.payload, message=message)


def _letter_in(message: Message) -> LetterDocument | None:
    if isinstance(message, LetterDocument):
        return message
    if isinstance(message, OutboundRequest | OutboundResponse | InboundResponse):
        return message.item if isinstance(message.item, LetterDocument) else None
    return None


def _message_type(payload: etree._Element, source: str) -> str:
    name = etree.QName(payload)
    if (name.namespace, name.localname) in _NAMESPACED or (
        name.namespace is None and name.localname in PLAIN_ELEMENTS
    ):
        return name.localname
    prefixes = {uri: prefix for prefix, uri in NSMAP.items()}
    shown = name.localname
    if name.namespace in prefixes:
        shown = f"{prefixes[name.namespace]}:{name.localname}"
    elif name.namespace is not None:
        shown = f"{{{name.namespace}}}{name.localname}"
    line = f" line {payload.sourceline}" if payload.sourceline else ""
    raise UnknownMessage(f"{source}{line}: <{shown}> is not an e-CMS message: expected one of {known_list()}")
