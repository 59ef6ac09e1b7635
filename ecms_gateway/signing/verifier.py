"""Verify inbound letters and notifiers; only what the signature covers flows onward.

``Verifier.verify_document`` returns the signed ram:CorrespondenceLetter (and its document) from the
one parse of the input; callers decode that element and never the raw input again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final, TypeVar

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from lxml import etree

from ecms_gateway.codec.document import DOCUMENT
from ecms_gateway.errors import SignatureInvalid
from ecms_gateway.signing.algorithms import (
    EXC_C14N,
    EXC_C14N_COMMENTS,
    Profile,
    reference_transforms,
    signature_transforms,
)
from ecms_gateway.signing.certs import expiry_warning
from ecms_gateway.signing.config import PartnerPolicy
from ecms_gateway.signing.diagnose import digest_matches
from ecms_gateway.signing.dsig import Refused, SignatureParts, check_algorithms, read_signature
from ecms_gateway.signing.keyinfo import KeyMaterial, read_key_info
from ecms_gateway.signing.locate import (
    ID_ATTRIBUTE,
    DocumentParts,
    Malformed,
    find_document,
    find_notifier,
    notifier_signature,
)
from ecms_gateway.signing.outcome import REJECT, SignatureStatus, Verified, sending_org, unsigned
from ecms_gateway.signing.signer_block import check_signer_block
from ecms_gateway.signing.trust import TrustedSigner, TrustFolder, TrustStore
from ecms_gateway.xml.parser import XmlLimits, parse_xml

_CACHE_SIZE: Final = 256
_T = TypeVar("_T")
_SPKI: Final = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

Policies = Callable[[str], PartnerPolicy]
"""The policy of a partner organisation, by its ID (``SigningConfig.partner``)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Verifier:
    """Checks signatures against a trust store and per-partner policies; reusable and cheap per call.

    Trust decisions are cached per (organisation, certificates) while the certificates stay valid.
    """

    def __init__(
        self,
        trust: TrustStore | TrustFolder,
        policies: Policies | PartnerPolicy | None = None,
        *,
        clock: Callable[[], datetime] = _utcnow,
        limits: XmlLimits | None = None,
    ) -> None:
        self._trust = trust
        self._trusting: TrustStore | None = None  # the store the cache's decisions were made with
        fixed = policies if isinstance(policies, PartnerPolicy) else PartnerPolicy()
        self._policies: Policies = policies if callable(policies) else (lambda _org: fixed)
        self._clock = clock
        self._limits = limits
        self._cache: dict[tuple[str, tuple[bytes, ...]], tuple[TrustedSigner, xmlsec.Key]] = {}

    def verify_document(self, message: bytes | etree._Element, *, org_id: str | None = None) -> Verified:
        """Verify a GovernmentDocument (bare or in a SOAP envelope) sent by ``org_id``.

        ``org_id`` defaults to the letter's SenderParty; when given, the letter must name it.
        """
        parts = _structure(find_document, self._root(message), org_id)
        org = sending_org(parts.letter, org_id)
        policy = self._policies(org)
        if parts.signature is None:
            return unsigned(parts.letter, org, policy.unsigned, "letter")
        sp = self._read(parts.signature, org, policy.profile, enveloped=False)
        if parts.letter_id is None or sp.uri != f"#{parts.letter_id}":
            raise SignatureInvalid(
                "reference",
                f"the signature covers {sp.uri!r}, not the letter (ID {parts.letter_id!r})",
                org_id=org,
                action=REJECT,
            )
        if next(parts.letter.iter(etree.Comment), None) is not None:
            # A "#Letter" reference never covers comments, even with a with-comments C14N
            # (XML-DSig 4.3.3.3), yet a comment splits the text a reader sees: refuse them.
            raise SignatureInvalid(
                "structure",
                "the letter contains XML comments, which its signature never covers (they can split text)",
                org_id=org,
                action=REJECT,
            )
        if parts.block is not None and (problem := check_signer_block(parts.block, org)) is not None:
            raise SignatureInvalid("signer-block", problem, org_id=org, action=REJECT)
        signer, key = self._trusted(_key_material(sp, org), org, policy.profile)
        letter = self._verify_letter(parts, sp, key, profile=policy.profile, org=org)
        return self._verified(letter, org, signer, policy.profile, sp)

    def _verify_letter(
        self, parts: DocumentParts, sp: SignatureParts, key: xmlsec.Key, *, profile: Profile, org: str
    ) -> etree._Element:
        letter, document = parts.letter, parts.document
        try:
            self._xmlsec_verify(sp, key, profile, id_node=letter, target=letter, org=org)
        except SignatureInvalid as failed:
            if document.getparent() is None or not _inclusive(sp):
                raise
            # Inclusive C14N signs the namespaces in scope, which an envelope adds; a partner that
            # signed the bare document is checked against the document taken out of its envelope.
            detached = find_document(copy.deepcopy(document))
            assert detached.signature is not None  # noqa: S101 - a copy of a signed document
            try:
                self._xmlsec_verify(
                    read_signature(detached.signature),
                    key,
                    profile,
                    id_node=detached.letter,
                    target=detached.letter,
                    org=org,
                )
            except SignatureInvalid:
                raise failed from None
            return detached.letter
        return letter

    def verify_notifier(self, message: bytes | etree._Element, *, org_id: str) -> Verified:
        """Verify a notifier (bare or in an envelope) from ``org_id``: an enveloped signature, URI=""."""
        notifier = _structure(find_notifier, self._root(message), org_id)
        policy = self._policies(org_id)
        if notifier_signature(notifier) is None:
            return unsigned(notifier, org_id, policy.unsigned_notifiers, str(notifier.tag))
        if notifier.getparent() is not None:
            notifier = copy.deepcopy(notifier)  # URI="" means the whole document: make the notifier one
        signature = notifier_signature(notifier)
        assert signature is not None  # noqa: S101 - copied from an element that had one
        sp = self._read(signature, org_id, policy.profile, enveloped=True)
        if sp.uri != "":
            raise SignatureInvalid(
                "reference",
                f'the signature covers {sp.uri!r}, not the whole notifier (URI="")',
                org_id=org_id,
                action=REJECT,
            )
        if next(notifier.iter(etree.Comment), None) is not None:
            raise SignatureInvalid(
                "structure",
                'the notifier contains XML comments, which a URI="" signature never covers',
                org_id=org_id,
                action=REJECT,
            )
        signer, key = self._trusted(_key_material(sp, org_id), org_id, policy.profile)
        self._xmlsec_verify(sp, key, policy.profile, id_node=None, org=org_id, target=notifier)
        return self._verified(notifier, org_id, signer, policy.profile, sp)

    def verify_message(self, message: bytes | etree._Element, *, org_id: str | None = None) -> Verified:
        """Verify a GovernmentDocument if the message holds one, else its notifier (``org_id`` needed)."""
        root = self._root(message)
        if next(root.iter(DOCUMENT), None) is not None:
            return self.verify_document(root, org_id=org_id)
        if org_id is None:
            raise SignatureInvalid(
                "sender",
                "a notifier does not name who sent it",
                org_id=None,
                action="Give the sending organisation's ID (the CLI's --org)",
            )
        return self.verify_notifier(root, org_id=org_id)

    def _root(self, message: bytes | etree._Element) -> etree._Element:
        if isinstance(message, bytes):
            return parse_xml(message, limits=self._limits, source="signed message")
        return message.getroottree().getroot()

    def _read(
        self, signature: etree._Element, org: str, profile: Profile, *, enveloped: bool
    ) -> SignatureParts:
        try:
            sp = read_signature(signature)
            check_algorithms(sp, profile, enveloped=enveloped)
        except Malformed as exc:
            raise SignatureInvalid("structure", str(exc), org_id=org, action=REJECT) from exc
        except Refused as exc:
            hint = (
                f"If {org} can only sign the old way, enable legacy for it "
                f"(signing.partners.{org}.legacy = true); otherwise reject the message"
                if profile is Profile.DEFAULT
                else "Reject the message; this algorithm is refused even for legacy partners"
            )
            raise SignatureInvalid(
                "algorithm", f"{exc} is not accepted under the {profile} profile", org_id=org, action=hint
            ) from exc
        return sp

    def _trusted(self, km: KeyMaterial, org: str, profile: Profile) -> tuple[TrustedSigner, xmlsec.Key]:
        if km.bare_key is not None and profile is not Profile.LEGACY:
            raise SignatureInvalid(
                "key-info",
                "the signature carries a bare RSA key (KeyValue) instead of a certificate",
                org_id=org,
                action=f"Accept this only from a legacy partner: enable legacy for {org} and pin its key",
            )
        now = self._clock()
        trust = self._trust.current() if isinstance(self._trust, TrustFolder) else self._trust
        if trust is not self._trusting:  # the folder changed: decide again (a pin may be gone)
            self._cache.clear()
            self._trusting = trust
        cache_key = (org, km.certificates or (km.bare_key.public_bytes(*_SPKI) if km.bare_key else b"",))
        hit = self._cache.get(cache_key)
        if hit is not None and hit[0].holds_at(now):
            return hit
        if km.bare_key is not None:
            signer = trust.trust_bare_key(km.bare_key, org, now)
        else:
            signer = trust.trust_certificates(_parse_certs(km.certificates, org), org, now)
        entry = signer, _xmlsec_key(signer.public_key)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[cache_key] = entry
        return entry

    def _xmlsec_verify(
        self,
        sp: SignatureParts,
        key: xmlsec.Key,
        profile: Profile,
        *,
        id_node: etree._Element | None,
        target: etree._Element,
        org: str,
    ) -> None:
        ctx = xmlsec.SignatureContext()
        ctx.key = key
        for transform in reference_transforms(profile):
            ctx.enable_reference_transform(transform)
        for transform in signature_transforms(profile):
            ctx.enable_signature_transform(transform)
        if id_node is not None:
            ctx.register_id(id_node, ID_ATTRIBUTE)
        try:
            ctx.verify(sp.signature)
        except xmlsec.Error as exc:
            if digest_matches(target, sp) is False:
                raise SignatureInvalid(
                    "digest",
                    "the signed content does not match its digest: it was changed after signing",
                    org_id=org,
                    action=REJECT,
                ) from exc
            raise SignatureInvalid(
                "signature-value",
                f"the signature value does not verify with the signer's key ({exc})",
                org_id=org,
                action=REJECT,
            ) from exc

    def _verified(
        self, element: etree._Element, org: str, signer: TrustedSigner, profile: Profile, sp: SignatureParts
    ) -> Verified:
        now = self._clock()
        role = f"{org} signer's"
        warnings = tuple(
            w for c in signer.certificates if (w := expiry_warning(c, now, role=role)) is not None
        )
        return Verified(
            status=SignatureStatus.VERIFIED,
            element=element,
            org_id=org,
            signer=signer,
            profile=profile,
            signature_method=sp.signature_method,
            warnings=warnings,
        )


def _structure(find: Callable[[etree._Element], _T], root: etree._Element, org_id: str | None) -> _T:
    try:
        return find(root)
    except Malformed as exc:
        raise SignatureInvalid("structure", str(exc), org_id=org_id, action=REJECT) from exc


def _key_material(sp: SignatureParts, org: str) -> KeyMaterial:
    try:
        return read_key_info(sp.key_info)
    except Malformed as exc:
        raise SignatureInvalid("key-info", str(exc), org_id=org, action=REJECT) from exc


def _inclusive(sp: SignatureParts) -> bool:
    """True when the reference is canonicalised with inclusive C14N (namespaces in scope count)."""
    return not any(t in (EXC_C14N, EXC_C14N_COMMENTS) for t in sp.transforms)


def _parse_certs(ders: tuple[bytes, ...], org: str) -> tuple[x509.Certificate, ...]:
    try:
        return tuple(x509.load_der_x509_certificate(d) for d in ders)
    except ValueError as exc:
        raise SignatureInvalid(
            "key-info", f"an X509Certificate is unreadable ({exc})", org_id=org, action=REJECT
        ) from exc


def _xmlsec_key(public_key: PublicKeyTypes) -> xmlsec.Key:
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return xmlsec.Key.from_memory(pem, xmlsec.constants.KeyDataFormatPem)
