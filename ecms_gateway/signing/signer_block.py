"""The e-CMS signer block (ram:GovernmentSignature): TypeCode DSIG, SignerParty, then ds:Signature.

The block is outside what the signature covers, so on the way in its organisation codes must agree
with the verified sender; on the way out we make sure it exists before the signature goes into it.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from ecms_gateway.codec.document import SIGNATURE_BLOCK, SIGNATURE_TYPE_CODE
from ecms_gateway.xml.namespaces import RAM, qname

TYPE_CODE: Final = SIGNATURE_TYPE_CODE
_TYPE: Final = qname(RAM, "TypeCode")
_PARTY: Final = qname(RAM, "SignerParty")
_ID: Final = qname(RAM, "ID")


def _codes(party: etree._Element, shape_a: str, shape_b: str) -> list[str]:
    """Codes given either as ram:<X>Organization/ram:ID or as ram:<X>Code (both shapes are seen)."""
    found = [el.findtext(_ID) or "" for el in party.iterfind(qname(RAM, shape_a))]
    found += [el.text or "" for el in party.iterfind(qname(RAM, shape_b))]
    return [f.strip() for f in found]


def check_signer_block(block: etree._Element, org_id: str) -> str | None:
    """Why the (unsigned) signer block contradicts the sending organisation, or None when it agrees."""
    type_code = (block.findtext(_TYPE) or TYPE_CODE).strip()
    if type_code.upper() != TYPE_CODE:
        return f"ram:GovernmentSignature has TypeCode {type_code!r}; a signed letter has {TYPE_CODE}"
    party = block.find(_PARTY)
    if party is None:
        return None
    for code in _codes(party, "MinistryOrganization", "MinistryCode"):
        if code != org_id[:2]:
            return f"SignerParty names ministry {code!r}, but it is from {org_id} (ministry {org_id[:2]})"
    for code in _codes(party, "DepartmentOrganization", "DepartmentCode"):
        if code not in (org_id[:5], org_id):
            return f"SignerParty names department {code!r}, but it is from {org_id} (department {org_id[:5]})"
    return None


def ensure_signer_block(letter: etree._Element, org_id: str | None) -> etree._Element:
    """Return ram:GovernmentSignature after the letter, creating it (TypeCode DSIG, SignerParty) if absent."""
    block = letter.getnext()
    while block is not None and not isinstance(block.tag, str):
        block = block.getnext()
    if block is None or block.tag != SIGNATURE_BLOCK:
        block = etree.Element(SIGNATURE_BLOCK)
        letter.addnext(block)
    if block.find(_TYPE) is None:
        type_code = etree.Element(_TYPE)
        type_code.text = TYPE_CODE
        block.insert(0, type_code)
    if block.find(_PARTY) is None and org_id is not None:
        party = etree.SubElement(block, _PARTY)
        for shape, code in (("MinistryOrganization", org_id[:2]), ("DepartmentOrganization", org_id[:5])):
            etree.SubElement(etree.SubElement(party, qname(RAM, shape)), _ID).text = code
    return block
