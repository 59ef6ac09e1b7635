"""What a signature's ds:KeyInfo offers: X.509 certificates (default) or a bare RSA key (legacy)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from ecms_gateway.signing.locate import Malformed
from ecms_gateway.xml.namespaces import DS, qname

_X509_DATA: Final = qname(DS, "X509Data")
_CERTIFICATE: Final = qname(DS, "X509Certificate")
_KEY_VALUE: Final = qname(DS, "KeyValue")
_RSA_KEY: Final = qname(DS, "RSAKeyValue")


@dataclass(frozen=True, kw_only=True)
class KeyMaterial:
    """Certificates as DER in document order, or else a bare RSA public key."""

    certificates: tuple[bytes, ...] = ()
    bare_key: rsa.RSAPublicKey | None = None


def read_key_info(key_info: etree._Element | None) -> KeyMaterial:
    """Extract certificates (preferred) or a bare RSAKeyValue; refuse a KeyInfo offering neither."""
    if key_info is None:
        raise Malformed("the signature has no ds:KeyInfo; it must carry the signer's X509Certificate")
    texts = [(c.text or "") for c in _grandchildren(key_info, _X509_DATA, _CERTIFICATE)]
    if texts:
        return KeyMaterial(certificates=tuple(_b64(t, "X509Certificate") for t in texts))
    for rsa_key in _grandchildren(key_info, _KEY_VALUE, _RSA_KEY):
        return KeyMaterial(bare_key=_rsa_public_key(rsa_key))
    raise Malformed(
        "ds:KeyInfo carries neither X509Data/X509Certificate nor KeyValue/RSAKeyValue; the signer's "
        "certificate is needed to check who signed"
    )


def _grandchildren(node: etree._Element, child: str, grandchild: str) -> list[etree._Element]:
    # Compare .tag strings: lxml's find() can miss nodes that libxmlsec added to a tree in memory.
    return [g for c in node if c.tag == child for g in c if g.tag == grandchild]


def _rsa_public_key(node: etree._Element) -> rsa.RSAPublicKey:
    values = {c.tag: c.text or "" for c in node}
    modulus = values.get(qname(DS, "Modulus"), "")
    exponent = values.get(qname(DS, "Exponent"), "")
    n = int.from_bytes(_b64(modulus, "Modulus"), "big")
    e = int.from_bytes(_b64(exponent, "Exponent"), "big")
    try:
        return rsa.RSAPublicNumbers(e, n).public_key()
    except ValueError as exc:
        raise Malformed(f"ds:RSAKeyValue is no usable RSA key ({exc})") from exc


def _b64(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Malformed(f"ds:{what} is not Base64") from exc
    if not data:
        raise Malformed(f"ds:{what} is empty")
    return data
