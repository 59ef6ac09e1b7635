"""Find the parts of a letter or notifier and refuse shapes that could hide what is signed.

Signature wrapping works by making the verifier check one element while the reader reads another;
these checks make sure there is exactly one letter, one ID for it and one place for its signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lxml import etree

from ecms_gateway.codec.document import DOCUMENT, LETTER, LETTER_XML_ID, SIGNATURE_BLOCK
from ecms_gateway.xml.namespaces import DS, RAM, qname

SIGNATURE: Final = qname(DS, "Signature")
ID_ATTRIBUTE: Final = "ID"
LETTER_ID: Final = LETTER_XML_ID

_BLOCK_CHILDREN: Final = frozenset({qname(RAM, "TypeCode"), qname(RAM, "SignerParty"), SIGNATURE})
_ID_NAMES: Final = frozenset({"id", "{http://www.w3.org/XML/1998/namespace}id"})


class Malformed(Exception):
    """The input's shape is refused; the message says what was found where."""


@dataclass(frozen=True, kw_only=True)
class DocumentParts:
    """The one GovernmentDocument in a tree, its one letter and its signature block and signature."""

    document: etree._Element
    letter: etree._Element
    letter_id: str | None
    block: etree._Element | None
    signature: etree._Element | None


def find_document(root: etree._Element) -> DocumentParts:
    """Locate the GovernmentDocument in ``root`` (bare or in an envelope); refuse ambiguous shapes."""
    documents: list[etree._Element] = []
    letters: list[etree._Element] = []
    signatures: list[etree._Element] = []
    ids: dict[str, int] = {}
    for el in root.iter(etree.Element):
        tag = el.tag
        if tag == DOCUMENT:
            documents.append(el)
        elif tag == LETTER:
            letters.append(el)
        elif tag == SIGNATURE:
            signatures.append(el)
        for name, value in el.attrib.items():
            if _is_id(str(name)):
                ids[str(value)] = ids.get(str(value), 0) + 1
    if len(documents) != 1:
        raise Malformed(
            f"the input holds {len(documents)} rsm:GovernmentDocument elements; exactly one is allowed"
        )
    document = documents[0]
    if len(letters) != 1:
        raise Malformed(
            f"the input holds {len(letters)} ram:CorrespondenceLetter elements; exactly one is allowed "
            "(a second letter is how signature-wrapping attacks hide the signed one)"
        )
    letter = letters[0]
    if letter.getparent() is not document:
        raise Malformed("ram:CorrespondenceLetter is not a direct child of rsm:GovernmentDocument")
    block = _check_document_children(document, letter)
    letter_id = letter.get(ID_ATTRIBUTE)
    if letter_id is not None and ids.get(letter_id, 0) != 1:
        raise Malformed(
            f"the ID {letter_id!r} of the letter occurs {ids[letter_id]} times; an ID must be unique"
        )
    if len(signatures) > 1:
        raise Malformed(f"the input holds {len(signatures)} ds:Signature elements; exactly one is allowed")
    signature = signatures[0] if signatures else None
    if signature is not None and (block is None or signature.getparent() is not block):
        raise Malformed("ds:Signature must be inside ram:GovernmentSignature, after the letter")
    return DocumentParts(
        document=document, letter=letter, letter_id=letter_id, block=block, signature=signature
    )


def _is_id(name: str) -> bool:
    local = name.rpartition("}")[2]
    return local.lower() == "id" or name in _ID_NAMES


def _check_document_children(document: etree._Element, letter: etree._Element) -> etree._Element | None:
    children = list(document.iterchildren(etree.Element))
    if children[0] is not letter:
        raise Malformed("ram:CorrespondenceLetter must be the first element of rsm:GovernmentDocument")
    rest = children[1:]
    if not rest:
        return None
    if len(rest) > 1 or rest[0].tag != SIGNATURE_BLOCK:
        names = ", ".join(_name(c) for c in rest)
        raise Malformed(
            f"rsm:GovernmentDocument holds {names} after the letter; only one ram:GovernmentSignature "
            "may follow it (anything else would be read without being signed)"
        )
    block = rest[0]
    seen: set[str] = set()
    for child in block.iterchildren(etree.Element):
        if child.tag not in _BLOCK_CHILDREN or child.tag in seen:
            raise Malformed(
                f"ram:GovernmentSignature holds an unexpected or repeated {_name(child)}; only TypeCode, "
                "SignerParty and ds:Signature are allowed, once each"
            )
        seen.add(child.tag)
    return block


def find_notifier(root: etree._Element) -> etree._Element:
    """Locate the one notifier element (no namespace, name ending in ``Notifier``) in ``root``."""
    found = [
        el
        for el in root.iter(etree.Element)
        if isinstance(el.tag, str) and not el.tag.startswith("{") and el.tag.endswith("Notifier")
    ]
    if len(found) != 1:
        raise Malformed(f"the input holds {len(found)} notifier elements; exactly one is allowed")
    notifier = found[0]
    signatures = [el for el in notifier.iter(etree.Element) if el.tag == SIGNATURE]
    if len(signatures) > 1:
        raise Malformed(
            f"the {notifier.tag} holds {len(signatures)} ds:Signature elements; at most one is allowed"
        )
    if signatures and signatures[0].getparent() is not notifier:
        raise Malformed(f"ds:Signature must be a direct child of {notifier.tag}")
    return notifier


def notifier_signature(notifier: etree._Element) -> etree._Element | None:
    """The notifier's enveloped ds:Signature (a direct child), or None when it is unsigned."""
    # Compare .tag strings: lxml's find() can miss nodes that libxmlsec added to a tree in memory.
    return next((el for el in notifier.iterchildren(etree.Element) if el.tag == SIGNATURE), None)


def sender_org_id(letter: etree._Element) -> str | None:
    """The sending organisation's 10-digit ID from ram:SenderParty (5-digit department + 00000)."""
    text = letter.findtext(f"{{{RAM}}}SenderParty/{{{RAM}}}DepartmentOrganization/{{{RAM}}}ID")
    code = (text or "").strip()
    if len(code) == 5 and code.isdigit():
        return code + "00000"
    if len(code) == 10 and code.isdigit():
        return code
    return None


def _name(el: etree._Element) -> str:
    qn = etree.QName(el)
    prefix = el.prefix + ":" if el.prefix else ""
    return f"{prefix}{qn.localname}"
