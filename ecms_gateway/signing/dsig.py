"""Read one ds:Signature strictly: one SignedInfo, one Reference, no Object, known algorithms only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lxml import etree

from ecms_gateway.signing.algorithms import (
    C14N_METHODS,
    DIGEST_METHODS,
    ENVELOPED,
    SIGNATURE_METHODS,
    Profile,
)
from ecms_gateway.signing.locate import Malformed
from ecms_gateway.xml.namespaces import DS, qname

_SIGNED_INFO: Final = qname(DS, "SignedInfo")
_SIGNATURE_VALUE: Final = qname(DS, "SignatureValue")
_KEY_INFO: Final = qname(DS, "KeyInfo")
_C14N_METHOD: Final = qname(DS, "CanonicalizationMethod")
_SIGNATURE_METHOD: Final = qname(DS, "SignatureMethod")
_REFERENCE: Final = qname(DS, "Reference")
_TRANSFORMS: Final = qname(DS, "Transforms")
_TRANSFORM: Final = qname(DS, "Transform")
_DIGEST_METHOD: Final = qname(DS, "DigestMethod")
_DIGEST_VALUE: Final = qname(DS, "DigestValue")


class Refused(Exception):
    """An algorithm the partner's profile does not allow; the message names it."""


@dataclass(frozen=True, kw_only=True)
class SignatureParts:
    """What a ds:Signature says it signs and how."""

    signature: etree._Element
    c14n_method: str
    signature_method: str
    uri: str
    transforms: tuple[str, ...]
    digest_method: str
    digest_value: str
    key_info: etree._Element | None


def read_signature(signature: etree._Element) -> SignatureParts:
    """Split ``signature`` into its parts, refusing anything but the plain one-reference shape."""
    children = list(signature.iterchildren(etree.Element))
    tags = [c.tag for c in children]
    if tags[:2] != [_SIGNED_INFO, _SIGNATURE_VALUE] or tags[2:] not in ([], [_KEY_INFO]):
        extra = ", ".join(etree.QName(t).localname for t in tags)
        raise Malformed(
            f"ds:Signature holds ({extra}); only SignedInfo, SignatureValue and one KeyInfo are accepted "
            "(a ds:Object can carry a wrapped copy of the letter)"
        )
    signed_info = children[0]
    parts = list(signed_info.iterchildren(etree.Element))
    if [p.tag for p in parts] != [_C14N_METHOD, _SIGNATURE_METHOD, _REFERENCE]:
        count = sum(1 for p in parts if p.tag == _REFERENCE)
        raise Malformed(
            f"ds:SignedInfo holds {count} ds:Reference elements (or unexpected ones); exactly one Reference, "
            "to the letter, is accepted"
        )
    c14n, method, reference = parts
    if len(method):
        raise Malformed("ds:SignatureMethod has parameters (e.g. HMACOutputLength); none are accepted")
    uri = reference.get("URI")
    if uri is None:
        raise Malformed('ds:Reference has no URI; it must name the letter (URI="#Letter")')
    transforms, digest_method, digest_value = _read_reference(reference)
    key_info = children[2] if len(children) == 3 else None
    return SignatureParts(
        signature=signature,
        c14n_method=c14n.get("Algorithm", ""),
        signature_method=method.get("Algorithm", ""),
        uri=uri,
        transforms=transforms,
        digest_method=digest_method,
        digest_value=digest_value,
        key_info=key_info,
    )


def _read_reference(reference: etree._Element) -> tuple[tuple[str, ...], str, str]:
    children = list(reference.iterchildren(etree.Element))
    tags = [c.tag for c in children]
    if tags not in ([_TRANSFORMS, _DIGEST_METHOD, _DIGEST_VALUE], [_DIGEST_METHOD, _DIGEST_VALUE]):
        raise Malformed("ds:Reference must hold (Transforms?), DigestMethod and DigestValue, nothing else")
    transforms: tuple[str, ...] = ()
    if tags[0] == _TRANSFORMS:
        items = list(children[0].iterchildren(etree.Element))
        if any(t.tag != _TRANSFORM for t in items):
            raise Malformed("ds:Transforms may hold only ds:Transform elements")
        transforms = tuple(t.get("Algorithm", "") for t in items)
    return transforms, children[-2].get("Algorithm", ""), (children[-1].text or "").strip()


def check_algorithms(parts: SignatureParts, profile: Profile, *, enveloped: bool) -> None:
    """Refuse algorithms outside ``profile``; ``enveloped`` says the signature sits inside what it signs."""
    if parts.signature_method not in SIGNATURE_METHODS[profile]:
        raise Refused(f"signature method {parts.signature_method!r}")
    if parts.digest_method not in DIGEST_METHODS[profile]:
        raise Refused(f"digest method {parts.digest_method!r}")
    if parts.c14n_method not in C14N_METHODS[profile]:
        raise Refused(f"canonicalisation {parts.c14n_method!r}")
    rest = list(parts.transforms)
    if enveloped:
        if not rest or rest[0] != ENVELOPED:
            raise Refused("transforms without the enveloped-signature transform first")
        rest = rest[1:]
    elif rest[:1] == [ENVELOPED]:
        rest = rest[1:]  # harmless on a letter the signature does not sit in; some signers add it
    if len(rest) > 1 or (rest and rest[0] not in C14N_METHODS[profile]):
        raise Refused(f"reference transforms {', '.join(repr(t) for t in parts.transforms)}")
