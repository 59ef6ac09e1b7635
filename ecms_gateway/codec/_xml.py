"""Small element helpers shared by the codec modules: build children, read required and optional text.

Decoders normally run after schema validation, but each reader still names the missing element so a
decoder called on unvalidated XML fails with a clear ``SchemaInvalid`` instead of an AttributeError.
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

from ecms_gateway.errors import Fault, SchemaInvalid

_XS_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?\s*")


def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    """Append a child element ``tag`` (with ``text`` when given) and return it."""
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def sub_opt(parent: etree._Element, tag: str, text: str | None) -> None:
    """Append ``<tag>text</tag>`` only when ``text`` is not None (an empty string gives an empty element)."""
    if text is not None:
        sub(parent, tag, text)


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace."""
    return etree.QName(element).localname


def where(element: etree._Element) -> str:
    """``line N`` for parsed elements, otherwise the element's path (built elements have no line)."""
    line = element.sourceline
    if line:
        return f"line {line}"
    return element.getroottree().getpath(element)


def invalid(message_type: str, element: etree._Element, problem: str) -> SchemaInvalid:
    """A ``SchemaInvalid`` naming ``element``'s position."""
    return SchemaInvalid(message_type, [Fault(where=where(element), problem=problem)])


def child(parent: etree._Element, tag: str, message_type: str) -> etree._Element:
    """The required child ``tag`` of ``parent``."""
    found = parent.find(tag)
    if found is None:
        name = etree.QName(tag).localname
        raise invalid(message_type, parent, f"<{local_name(parent)}> has no <{name}>; it is required")
    return found


def text(parent: etree._Element, tag: str, message_type: str) -> str:
    """The text of the required child ``tag`` ("" when the element is empty)."""
    return child(parent, tag, message_type).text or ""


def text_opt(parent: etree._Element, tag: str) -> str | None:
    """The text of the optional child ``tag``: None when absent, "" when empty."""
    found = parent.find(tag)
    if found is None:
        return None
    return found.text or ""


def path_text(parent: etree._Element, tags: tuple[str, ...], message_type: str) -> str:
    """The text at a required path of children, e.g. ``SenderDepartment/Code``."""
    node = parent
    for tag in tags:
        node = child(node, tag, message_type)
    return node.text or ""


def xs_date(parent: etree._Element, tag: str, message_type: str) -> date:
    """The required ``xs:date`` child as a date (a time-zone suffix, allowed by XSD, is ignored)."""
    element = child(parent, tag, message_type)
    match = _XS_DATE.fullmatch(element.text or "")
    if match is not None:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise invalid(message_type, element, f"{element.text!r} is not a date yyyy-mm-dd")
