"""Sign outbound letters (ds:Signature in ram:GovernmentSignature, URI="#Letter") and notifiers.

Default profile only: RSA-SHA256 or ECDSA-P256-SHA256, SHA-256 digests, exclusive C14N, and the
signer's certificate (with its chain) in KeyInfo/X509Data. There is no way to sign with SHA-1.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Final

import xmlsec
from lxml import etree

from ecms_gateway.errors import ConfigError, InputError
from ecms_gateway.signing.algorithms import ENVELOPED, EXC_C14N, SHA256, xmlsec_transform
from ecms_gateway.signing.config import SigningConfig
from ecms_gateway.signing.keys import SigningKey, load_signing_key
from ecms_gateway.signing.locate import (
    ID_ATTRIBUTE,
    LETTER_ID,
    Malformed,
    find_document,
    find_notifier,
    notifier_signature,
    sender_org_id,
)
from ecms_gateway.signing.signer_block import ensure_signer_block
from ecms_gateway.xml.parser import XmlLimits, parse_xml

_C14N: Final = xmlsec_transform(EXC_C14N)
_DIGEST: Final = xmlsec_transform(SHA256)
_ENVELOPED: Final = xmlsec_transform(ENVELOPED)


def sign_document(root: etree._Element, key: SigningKey) -> etree._Element:
    """Sign the one GovernmentDocument in ``root`` (bare or in a SOAP envelope) in place.

    Adds the signer block if the codec did not, and returns the new ds:Signature.
    """
    try:
        parts = find_document(root)
    except Malformed as exc:
        raise InputError(f"cannot sign: {exc}") from exc
    if parts.signature is not None:
        raise InputError(
            "cannot sign: the GovernmentDocument is already signed; sign the unsigned letter instead"
        )
    sender = sender_org_id(parts.letter)
    named = key.named_orgs
    if sender is not None and named and sender not in named:
        raise ConfigError(
            f"the signing certificate belongs to organisation {', '.join(sorted(named))} but the letter "
            "is from "
            f"{sender}; sign with the key configured for {sender}"
        )
    letter_id = parts.letter_id
    if letter_id is None:
        letter_id = LETTER_ID
        parts.letter.set(ID_ATTRIBUTE, letter_id)
    block = ensure_signer_block(parts.letter, sender)
    signature = _template(key, uri=f"#{letter_id}", enveloped=False)
    block.append(signature)
    ctx = xmlsec.SignatureContext()
    ctx.key = key.xmlsec_key
    ctx.register_id(parts.letter, ID_ATTRIBUTE)
    ctx.sign(signature)
    return signature


def sign_document_bytes(data: bytes, key: SigningKey, *, limits: XmlLimits | None = None) -> bytes:
    """Parse ``data`` once, sign its GovernmentDocument and serialise it as UTF-8."""
    root = parse_xml(data, limits=limits, source="letter to sign")
    sign_document(root, key)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8")


def sign_notifier(notifier: etree._Element, key: SigningKey) -> etree._Element:
    """Sign a notifier with an enveloped signature (its last child, URI="") and return it.

    URI="" covers the whole document, so a notifier inside an envelope is signed as a document of
    its own and the signed copy replaces it in the envelope.
    """
    try:
        notifier = find_notifier(notifier)
    except Malformed as exc:
        raise InputError(f"cannot sign: {exc}") from exc
    if notifier_signature(notifier) is not None:
        raise InputError(f"cannot sign: the {notifier.tag} is already signed")
    parent = notifier.getparent()
    target = copy.deepcopy(notifier) if parent is not None else notifier
    signature = _template(key, uri="", enveloped=True)
    target.append(signature)
    ctx = xmlsec.SignatureContext()
    ctx.key = key.xmlsec_key
    ctx.sign(signature)
    if parent is not None:
        parent.replace(notifier, target)
    return target


def _template(key: SigningKey, *, uri: str, enveloped: bool) -> etree._Element:
    holder = etree.Element("holder")  # xmlsec.template.create needs a node of the target document
    signature: etree._Element = xmlsec.template.create(
        holder, _C14N, xmlsec_transform(key.signature_method), ns="ds"
    )
    reference = xmlsec.template.add_reference(signature, _DIGEST, uri=uri)
    if enveloped:
        xmlsec.template.add_transform(reference, _ENVELOPED)
    xmlsec.template.add_transform(reference, _C14N)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    return signature


class OutboundSigner:
    """Signs what our organisations send, with the key configured for each; keys load once."""

    def __init__(
        self, config: SigningConfig, *, environ: Mapping[str, str] | None = None, now: datetime | None = None
    ) -> None:
        self._config = config
        self._environ = environ
        self._now = now
        self._keys: dict[str, SigningKey] = {}

    def key(self, org_id: str) -> SigningKey:
        """The loaded key of our organisation ``org_id`` (its warnings say if it expires soon)."""
        if org_id not in self._keys:
            self._keys[org_id] = load_signing_key(
                self._config.key_for(org_id), environ=self._environ, now=self._now
            )
        return self._keys[org_id]

    def loaded(self, org_id: str) -> SigningKey | None:
        """The key of ``org_id`` as loaded (what it signs with now), or None if not loaded yet."""
        return self._keys.get(org_id)

    def sign_letter(self, root: etree._Element) -> etree._Element:
        """Sign the letter in ``root`` with the key of the organisation its SenderParty names."""
        try:
            letter = find_document(root).letter
        except Malformed as exc:
            raise InputError(f"cannot sign: {exc}") from exc
        sender = sender_org_id(letter)
        if sender is None:
            raise InputError(
                "cannot sign: the letter names no sender (SenderParty/DepartmentOrganization/ID)"
            )
        return sign_document(root, self.key(sender))

    def sign_notifier(self, notifier: etree._Element, *, org_id: str, partner_id: str) -> etree._Element:
        """Sign a notifier from ``org_id`` when ``partner_id``'s policy asks for signed notifiers."""
        if not self._config.partner(partner_id).sign_notifiers:
            return notifier
        return sign_notifier(notifier, self.key(org_id))
