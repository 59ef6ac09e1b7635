"""What travels through the queues (a letter document or a notifier) and the key that names a letter."""

from __future__ import annotations

import copy
from typing import Final

from lxml import etree

from ecms_gateway.codec._xml import invalid, local_name, path_text, sub, sub_opt, text, text_opt, xs_date
from ecms_gateway.codec.document import DOCUMENT
from ecms_gateway.codec.messages import (
    LetterDocument,
    LetterItem,
    LetterKey,
    Notifier,
    NotifierKind,
    SpecialItemKind,
)
from ecms_gateway.errors import SchemaInvalid
from ecms_gateway.xml.namespaces import DS, qname

__all__ = [
    "DOCUMENT",
    "NOTIFIER_NAMES",
    "decode_item",
    "decode_key",
    "decode_notifier",
    "decode_special",
    "encode_item",
    "encode_key",
    "encode_notifier",
    "missing_item",
]

NOTIFIER_NAMES: Final = frozenset(kind.value for kind in NotifierKind)
_SIGNATURE: Final = qname(DS, "Signature")
_ITEM_NAMES: Final = ", ".join(["rsm:GovernmentDocument", *sorted(NOTIFIER_NAMES)])


def encode_item(item: LetterItem) -> etree._Element:
    """The element of a queue item; a letter document is copied so the caller's tree stays intact."""
    if isinstance(item, LetterDocument):
        return item.copy_element()
    return encode_notifier(item)


def encode_notifier(notifier: Notifier) -> etree._Element:
    """``<ReceiveLetterNotifier>`` etc., with the optional signature last (copied)."""
    root = etree.Element(notifier.kind.value)
    sub(root, "LetterID", notifier.letter_id)
    sub(root, "CorrespondenceDate", notifier.correspondence_date.isoformat())
    sub(root, "Subject", notifier.subject)
    sub_opt(root, "AcceptID", notifier.accept_id)
    sub_opt(root, "AcceptDate", notifier.accept_date)
    if notifier.accept_department is not None:
        sub(sub(root, "AcceptDepartment"), "Code", notifier.accept_department)
    sub_opt(root, "Description", notifier.description)
    if notifier.signature is not None:
        root.append(copy.deepcopy(notifier.signature))
    return root


def decode_notifier(element: etree._Element) -> Notifier:
    """A notifier element as a value; its ``ds:Signature`` stays the element in the received tree."""
    name = local_name(element)
    try:
        kind = NotifierKind(name)
    except ValueError:
        raise invalid(name, element, f"<{name}> is not a notifier: expected one of {_ITEM_NAMES}") from None
    department = element.find("AcceptDepartment")
    return Notifier(
        kind=kind,
        letter_id=text(element, "LetterID", name),
        correspondence_date=xs_date(element, "CorrespondenceDate", name),
        subject=text(element, "Subject", name),
        accept_id=text_opt(element, "AcceptID"),
        accept_date=_stripped(text_opt(element, "AcceptDate")),
        accept_department=None if department is None else text(department, "Code", name).strip(),
        description=text_opt(element, "Description"),
        signature=element.find(_SIGNATURE),
    )


def decode_item(parent: etree._Element) -> LetterItem | None:
    """The letter or notifier inside ``parent``, or None when it carries none."""
    for element in parent.iterchildren(tag=etree.Element):
        if element.tag == DOCUMENT:
            return LetterDocument(element=element)
        if etree.QName(element).namespace is None and local_name(element) in NOTIFIER_NAMES:
            return decode_notifier(element)
    return None


def missing_item(parent: etree._Element, message_type: str) -> SchemaInvalid:
    """The error for a wrapper that must carry a letter or a notifier but does not."""
    return invalid(message_type, parent, f"<{message_type}> must carry one of {_ITEM_NAMES}")


def encode_key(parent: etree._Element, key: LetterKey) -> None:
    """Append ``LetterID``, ``CorrespondenceDate``, ``SenderDepartment/Code``, ``AcceptDepartment/Code``."""
    sub(parent, "LetterID", key.letter_id)
    sub(parent, "CorrespondenceDate", key.correspondence_date.isoformat())
    sub(sub(parent, "SenderDepartment"), "Code", key.sender_department)
    sub(sub(parent, "AcceptDepartment"), "Code", key.accept_department)


def decode_key(parent: etree._Element, message_type: str) -> LetterKey:
    return LetterKey(
        letter_id=text(parent, "LetterID", message_type),
        correspondence_date=xs_date(parent, "CorrespondenceDate", message_type),
        sender_department=path_text(parent, ("SenderDepartment", "Code"), message_type).strip(),
        accept_department=path_text(parent, ("AcceptDepartment", "Code"), message_type).strip(),
    )


def decode_special(element: etree._Element, message_type: str) -> tuple[SpecialItemKind, LetterKey]:
    """The item kind and letter key of a ``CorrespondenceLetterInboundSpecialRequest``."""
    for item in element.iterchildren(tag=etree.Element):
        try:
            kind = SpecialItemKind(local_name(item))
        except ValueError:
            continue
        return kind, decode_key(item, message_type)
    choices = ", ".join(kind.value for kind in SpecialItemKind)
    raise invalid(message_type, element, f"<{message_type}> must name one item kind: {choices}")


def _stripped(value: str | None) -> str | None:
    return None if value is None else value.strip()
