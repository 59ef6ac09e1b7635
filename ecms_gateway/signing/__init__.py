"""XML-DSig for e-CMS letters and notifiers: sign what we send, verify (or flag) what we receive.

See docs/signing.md for the profiles, the trust store layout, the partner policies and the errors.
"""

from typing import TYPE_CHECKING

from ecms_gateway.lazy import exports

if TYPE_CHECKING:
    from ecms_gateway.signing.algorithms import Profile
    from ecms_gateway.signing.config import PartnerPolicy, SigningConfig, UnsignedPolicy
    from ecms_gateway.signing.keys import KeyRef, SigningKey, load_key_files, load_signing_key
    from ecms_gateway.signing.newkeys import write_new_key
    from ecms_gateway.signing.outcome import SignatureStatus, Verified
    from ecms_gateway.signing.signer import OutboundSigner, sign_document, sign_document_bytes, sign_notifier
    from ecms_gateway.signing.trust import TrustedSigner, TrustMethod, TrustStore
    from ecms_gateway.signing.verifier import Verifier

__all__ = [
    "KeyRef",
    "OutboundSigner",
    "PartnerPolicy",
    "Profile",
    "SignatureStatus",
    "SigningConfig",
    "SigningKey",
    "TrustMethod",
    "TrustStore",
    "TrustedSigner",
    "UnsignedPolicy",
    "Verified",
    "Verifier",
    "load_key_files",
    "load_signing_key",
    "sign_document",
    "sign_document_bytes",
    "sign_notifier",
    "write_new_key",
]

# Each name loads its module when first used: the package's light modules stay light.
__getattr__ = exports(
    __name__,
    {
        "Profile": "algorithms",
        "PartnerPolicy": "config",
        "SigningConfig": "config",
        "UnsignedPolicy": "config",
        "KeyRef": "keys",
        "SigningKey": "keys",
        "load_key_files": "keys",
        "load_signing_key": "keys",
        "write_new_key": "newkeys",
        "SignatureStatus": "outcome",
        "Verified": "outcome",
        "OutboundSigner": "signer",
        "sign_document": "signer",
        "sign_document_bytes": "signer",
        "sign_notifier": "signer",
        "TrustedSigner": "trust",
        "TrustMethod": "trust",
        "TrustStore": "trust",
        "Verifier": "verifier",
    },
)
