"""Signature profiles: which XML-DSig algorithms the gateway signs with and which it accepts.

We sign only with the default profile. The legacy profile (rsa-sha1, sha1 digests, inclusive C14N
with comments, bare RSA keys) is accepted for verification only, and only for partners that need it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Final

import xmlsec

if TYPE_CHECKING:
    from xmlsec.constants import __Transform as Transform

C14N: Final = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_COMMENTS: Final = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
C14N11: Final = "http://www.w3.org/2006/12/xml-c14n11"
EXC_C14N: Final = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_C14N_COMMENTS: Final = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
ENVELOPED: Final = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

RSA_SHA1: Final = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_SHA256: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA384: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
RSA_SHA512: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
ECDSA_SHA256: Final = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
ECDSA_SHA384: Final = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
ECDSA_SHA512: Final = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

SHA1: Final = "http://www.w3.org/2000/09/xmldsig#sha1"
SHA256: Final = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA384: Final = "http://www.w3.org/2001/04/xmldsig-more#sha384"
SHA512: Final = "http://www.w3.org/2001/04/xmlenc#sha512"

WITH_COMMENTS: Final = frozenset({C14N_COMMENTS, EXC_C14N_COMMENTS})
"""C14N with comments: legacy only; a "#id" or "" reference still leaves comments out (XML-DSig 4.3.3.3)."""


class Profile(StrEnum):
    """A set of algorithms a partner's signatures may use."""

    DEFAULT = "default"  # what we sign with; SHA-2 only, X.509 certificates
    LEGACY = "legacy"  # default plus rsa-sha1, sha1, C14N with comments and bare RSA keys (verify only)


_DEFAULT_SIGNATURE: Final = frozenset(
    {RSA_SHA256, RSA_SHA384, RSA_SHA512, ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512}
)
_DEFAULT_DIGEST: Final = frozenset({SHA256, SHA384, SHA512})
_DEFAULT_C14N: Final = frozenset({EXC_C14N, C14N, C14N11})

SIGNATURE_METHODS: Final = {
    Profile.DEFAULT: _DEFAULT_SIGNATURE,
    Profile.LEGACY: _DEFAULT_SIGNATURE | {RSA_SHA1},
}
DIGEST_METHODS: Final = {Profile.DEFAULT: _DEFAULT_DIGEST, Profile.LEGACY: _DEFAULT_DIGEST | {SHA1}}
C14N_METHODS: Final = {
    Profile.DEFAULT: _DEFAULT_C14N,
    Profile.LEGACY: _DEFAULT_C14N | WITH_COMMENTS,
}

_TRANSFORMS: Final[dict[str, Transform]] = {
    C14N: xmlsec.constants.TransformInclC14N,
    C14N_COMMENTS: xmlsec.constants.TransformInclC14NWithComments,
    C14N11: xmlsec.constants.TransformInclC14N11,
    EXC_C14N: xmlsec.constants.TransformExclC14N,
    EXC_C14N_COMMENTS: xmlsec.constants.TransformExclC14NWithComments,
    ENVELOPED: xmlsec.constants.TransformEnveloped,
    RSA_SHA1: xmlsec.constants.TransformRsaSha1,
    RSA_SHA256: xmlsec.constants.TransformRsaSha256,
    RSA_SHA384: xmlsec.constants.TransformRsaSha384,
    RSA_SHA512: xmlsec.constants.TransformRsaSha512,
    ECDSA_SHA256: xmlsec.constants.TransformEcdsaSha256,
    ECDSA_SHA384: xmlsec.constants.TransformEcdsaSha384,
    ECDSA_SHA512: xmlsec.constants.TransformEcdsaSha512,
    SHA1: xmlsec.constants.TransformSha1,
    SHA256: xmlsec.constants.TransformSha256,
    SHA384: xmlsec.constants.TransformSha384,
    SHA512: xmlsec.constants.TransformSha512,
}


def xmlsec_transform(uri: str) -> Transform:
    """The python-xmlsec transform object for an algorithm URI this module names."""
    return _TRANSFORMS[uri]


def _allow_list(uris: frozenset[str]) -> tuple[Transform, ...]:
    return tuple(_TRANSFORMS[u] for u in sorted(uris))


_REFERENCE_ALLOWED: Final = {
    p: _allow_list(C14N_METHODS[p] | DIGEST_METHODS[p] | {ENVELOPED}) for p in Profile
}
_SIGNATURE_ALLOWED: Final = {p: _allow_list(C14N_METHODS[p] | SIGNATURE_METHODS[p]) for p in Profile}


def reference_transforms(profile: Profile) -> tuple[Transform, ...]:
    """Every transform a Reference may use under ``profile`` (given to xmlsec as its allow-list)."""
    return _REFERENCE_ALLOWED[profile]


def signature_transforms(profile: Profile) -> tuple[Transform, ...]:
    """Every transform SignedInfo may use under ``profile`` (given to xmlsec as its allow-list)."""
    return _SIGNATURE_ALLOWED[profile]
