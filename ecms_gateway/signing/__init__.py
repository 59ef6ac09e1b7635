"""XML-DSig for e-CMS letters and notifiers: sign what we send, verify (or flag) what we receive.

See docs/signing.md for the profiles, the trust store layout, the partner policies and the errors.
"""

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
