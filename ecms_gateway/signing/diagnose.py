"""After python-xmlsec refused a signature, tell the operator which part failed: digest or value.

Runs only on the failure path, so it may be slow; it recomputes the reference digest with lxml.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
from typing import Final

from lxml import etree

from ecms_gateway.signing.algorithms import (
    C14N,
    C14N_COMMENTS,
    ENVELOPED,
    EXC_C14N,
    EXC_C14N_COMMENTS,
    SHA1,
    SHA256,
    SHA384,
    SHA512,
)
from ecms_gateway.signing.dsig import SignatureParts
from ecms_gateway.xml.namespaces import DS, qname

_HASHES: Final = {SHA1: "sha1", SHA256: "sha256", SHA384: "sha384", SHA512: "sha512"}
_C14N: Final = {
    C14N: (False, False),
    C14N_COMMENTS: (False, True),
    EXC_C14N: (True, False),
    EXC_C14N_COMMENTS: (True, True),
}
_INCLUSIVE_NAMESPACES: Final = "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces"


def digest_matches(target: etree._Element, parts: SignatureParts) -> bool | None:
    """Whether ``target`` still has the digest the signature recorded; None when it cannot be told."""
    c14n = [t for t in parts.transforms if t != ENVELOPED] or [C14N]
    if c14n[-1] not in _C14N or parts.digest_method not in _HASHES:
        return None
    exclusive, _ = _C14N[c14n[-1]]
    if ENVELOPED in parts.transforms:
        target = copy.deepcopy(target)
        for sig in [el for el in target.iter(etree.Element) if el.tag == qname(DS, "Signature")]:
            sig.getparent().remove(sig)  # type: ignore[union-attr]
    prefixes = _inclusive_prefixes(parts)
    # "#id" and "" references select their nodes without comments, whatever C14N follows.
    octets = etree.tostring(
        target, method="c14n", exclusive=exclusive, with_comments=False, inclusive_ns_prefixes=prefixes
    )
    try:
        recorded = base64.b64decode("".join(parts.digest_value.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hashlib.new(_HASHES[parts.digest_method], octets).digest() == recorded


def _inclusive_prefixes(parts: SignatureParts) -> list[str] | None:
    node = parts.signature.find(f".//{_INCLUSIVE_NAMESPACES}")
    if node is None:
        return None
    return (node.get("PrefixList") or "").split() or None
