"""Real-world e-CMS variants rewritten in place to the standard form, before schema validation.

Be liberal in what we accept, but never at a signature's expense: nothing inside
``ram:CorrespondenceLetter`` or a ``ds:Signature`` is touched, nor a notifier that carries its own
enveloped signature, and no namespace declaration is removed (an inclusive-C14N signature over the
letter also covers the declarations of its ancestors).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from lxml import etree

from ecms_gateway.codec.messages import NotifierKind
from ecms_gateway.codec.schema import schemas_dir
from ecms_gateway.xml.namespaces import DS, RAM, WSA, WSA_NO_WWW, XSD, qname
from ecms_gateway.xml.parser import parse_xml_file

_LETTER: Final = qname(RAM, "CorrespondenceLetter")
_SIGNER_PARTY: Final = qname(RAM, "SignerParty")
_SIGNATURE: Final = qname(DS, "Signature")
_NOTIFIERS: Final = frozenset(kind.value for kind in NotifierKind)
_WSA_NAMES: Final[dict[str, str]] = {
    name.lower(): name
    for name in (
        "MessageID",
        "To",
        "Action",
        "RelatesTo",
        "ReplyTo",
        "From",
        "FaultTo",
        "Address",
        "ReferenceParameters",
        "Metadata",
        "EndpointReference",
    )
}
_ALIASES: Final[dict[str, str]] = {
    # A real client writes CorrespondenceData in notifiers, withdraw and special requests.
    "correspondencedata": "CorrespondenceDate",
}
_SIGNER_CODES: Final[dict[str, str]] = {
    "ministrycode": "MinistryOrganization",
    "departmentcode": "DepartmentOrganization",
}


def normalize(root: etree._Element) -> etree._Element:
    """Rewrite the known variants in place and return ``root``.

    - WS-Addressing in ``http://w3.org/2005/08/addressing`` -> ``http://www.w3.org/2005/08/addressing``,
      and any casing of its names (``to``) -> the standard one (``To``);
    - any casing of an element name of messages.xsd (``processID``) -> the declared one (``ProcessID``);
    - ``CorrespondenceData`` -> ``CorrespondenceDate``;
    - ``ram:SignerParty`` ``{MinistryCode, DepartmentCode}`` -> ``{MinistryOrganization/ID,
      DepartmentOrganization/ID}``.
    """
    names = message_names()
    stack = [root]
    while stack:
        element = stack.pop()
        if element.tag in (_LETTER, _SIGNATURE):
            continue
        name = etree.QName(element)
        if name.namespace is None:
            canonical = names.get(name.localname.lower(), name.localname)
            if canonical in _NOTIFIERS and element.find(_SIGNATURE) is not None:
                continue  # signed as a whole (Reference URI=""): leave every byte as it came
            if canonical != name.localname:
                element.tag = canonical
        elif name.namespace in (WSA, WSA_NO_WWW):
            canonical = _WSA_NAMES.get(name.localname.lower(), name.localname)
            if name.namespace != WSA or canonical != name.localname:
                element.tag = qname(WSA, canonical)
        elif element.tag == _SIGNER_PARTY:
            _canonical_signer(element)
        stack.extend(element.iterchildren(tag=etree.Element))
    return root


def _canonical_signer(party: etree._Element) -> None:
    for node in list(party.iterchildren(tag=etree.Element)):
        target = _SIGNER_CODES.get(etree.QName(node).localname.lower())
        if target is None:
            continue
        replacement = party.makeelement(qname(RAM, target))
        etree.SubElement(replacement, qname(RAM, "ID")).text = (node.text or "").strip()
        replacement.tail = node.tail
        party.replace(node, replacement)


def message_names() -> dict[str, str]:
    """Lower-case -> declared spelling of every element name in messages.xsd, plus known misspellings."""
    return _names_in(schemas_dir() / "messages.xsd")


@functools.cache
def _names_in(path: Path) -> dict[str, str]:
    schema = parse_xml_file(path)
    declared = {element.get("name") or "" for element in schema.iter(qname(XSD, "element"))}
    return {name.lower(): name for name in sorted(declared) if name} | _ALIASES
