"""The SOAP 1.1 envelope with WS-Addressing ``MessageID`` and ``To``: wrap a payload, unwrap one, serialize.

``unwrap`` also takes a bare message (no envelope: files, tests, the CLI) and a ``soap:Fault``.
"""

from __future__ import annotations

import re
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from lxml import etree

from ecms_gateway.errors import UnknownMessage
from ecms_gateway.xml.namespaces import SOAP_ENV, WSA, qname

ENVELOPE: Final = qname(SOAP_ENV, "Envelope")
HEADER: Final = qname(SOAP_ENV, "Header")
BODY: Final = qname(SOAP_ENV, "Body")
FAULT: Final = qname(SOAP_ENV, "Fault")
MESSAGE_ID: Final = qname(WSA, "MessageID")
TO: Final = qname(WSA, "To")

_HOST_UNSAFE: Final = re.compile(r"[^A-Za-z0-9.-]")


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """What ``unwrap`` found: the addressing headers (None when absent) and the payload element.

    ``enveloped`` is False for a bare message; ``payload`` is then the root itself.
    """

    message_id: str | None
    to: str | None
    payload: etree._Element
    enveloped: bool


def new_message_id(now: datetime, *, host: str | None = None) -> str:
    """``mid://yyyyMMdd.HHmmssSSS.<6 hex>@<host>``: the format of the e-CMS spec comment, plus 24 random
    bits so two messages in the same millisecond differ. ``host`` defaults to this machine's name
    (``noname`` when it has none)."""
    stamp = now.strftime("%Y%m%d.%H%M%S") + f"{now.microsecond // 1000:03d}"
    name = _HOST_UNSAFE.sub("", socket.gethostname() if host is None else host) or "noname"
    return f"mid://{stamp}.{secrets.token_hex(3)}@{name}"


def wrap(payload: etree._Element, *, to: str | None = None, message_id: str | None = None) -> etree._Element:
    """A ``soap:Envelope`` whose Body holds ``payload`` (moved, not copied) and whose Header carries
    ``wsa:MessageID`` and ``wsa:To`` when given (no Header when neither is)."""
    envelope = etree.Element(ENVELOPE, nsmap={"soap": SOAP_ENV, "wsa": WSA})
    if message_id is not None or to is not None:
        header = etree.SubElement(envelope, HEADER)
        if message_id is not None:
            etree.SubElement(header, MESSAGE_ID).text = message_id
        if to is not None:
            etree.SubElement(header, TO).text = to
    etree.SubElement(envelope, BODY).append(payload)
    return envelope


def unwrap(root: etree._Element) -> Envelope:
    """Split an envelope into headers and payload (the Body's first element: a message or soap:Fault).

    A root that is not ``soap:Envelope`` is taken as a bare message. Run ``normalize`` first so the
    addressing variants are in the standard namespace and spelling.
    """
    if root.tag != ENVELOPE:
        if etree.QName(root).localname == "Envelope" and etree.QName(root).namespace:
            raise UnknownMessage(
                f"the envelope's namespace is {etree.QName(root).namespace}, not SOAP 1.1 ({SOAP_ENV}); "
                "e-CMS nodes speak SOAP 1.1 only"
            )
        return Envelope(message_id=None, to=None, payload=root, enveloped=False)
    header = root.find(HEADER)
    body = root.find(BODY)
    if body is None:
        raise UnknownMessage("the SOAP envelope has no Body; an e-CMS message goes in soap:Body")
    payload = next(iter(body.iterchildren(tag=etree.Element)), None)
    if payload is None:
        raise UnknownMessage("the SOAP Body is empty; an e-CMS message was expected as its first element")
    return Envelope(
        message_id=_header_text(header, MESSAGE_ID),
        to=_header_text(header, TO),
        payload=payload,
        enveloped=True,
    )


def _header_text(header: etree._Element | None, tag: str) -> str | None:
    element = None if header is None else header.find(tag)
    if element is None:
        return None
    return (element.text or "").strip() or None


def to_bytes(element: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration (Thai stays Thai, never ``&#NNNN;``)."""
    return etree.tostring(element, xml_declaration=True, encoding="utf-8", with_tail=False)
