"""Unsigned letters and notifiers are never trusted silently: the partner's policy flags or rejects."""

from __future__ import annotations

import pytest
from lxml import etree

from ecms_gateway.errors import ConfigError, SignatureInvalid, SignatureMissing
from ecms_gateway.signing.config import PartnerPolicy, SigningConfig, UnsignedPolicy
from ecms_gateway.signing.outcome import SignatureStatus
from ecms_gateway.signing.signer import sign_document_bytes
from ecms_gateway.signing.testing import Identity
from ecms_gateway.signing.trust import TrustStore
from ecms_gateway.signing.verifier import Verifier
from ecms_gateway.xml.namespaces import DS
from ecms_gateway.xml.parser import parse_xml

from .conftest import OTHER, SENDER

FLAG = PartnerPolicy(unsigned=UnsignedPolicy.ACCEPT_AND_FLAG)


def test_unsigned_letter_is_rejected_by_default(letter_xml: bytes) -> None:
    with pytest.raises(SignatureMissing) as caught:
        Verifier(TrustStore()).verify_document(letter_xml)
    assert caught.value.check == "unsigned"
    assert caught.value.org_id == SENDER
    assert "accept-and-flag" in caught.value.action


def test_unsigned_letter_is_accepted_and_flagged_when_the_partner_policy_says_so(letter_xml: bytes) -> None:
    result = Verifier(TrustStore(), FLAG).verify_document(letter_xml)
    assert result.status is SignatureStatus.UNSIGNED
    assert result.flagged
    assert result.signer is None
    assert "not signed" in result.warnings[0]


def test_policy_is_chosen_per_sending_organisation(letter_xml: bytes) -> None:
    config = SigningConfig(partners={OTHER: FLAG})
    with pytest.raises(SignatureMissing):
        Verifier(TrustStore(), config.partner).verify_document(letter_xml)
    assert config.partner(OTHER) is FLAG
    assert config.partner(SENDER).unsigned is UnsignedPolicy.REJECT


def test_an_unsigned_notifier_follows_its_own_policy_accepted_and_flagged_by_default(
    notifier_xml: bytes,
) -> None:
    """The e-CMS samples sign letters only: a partner's notifiers come unsigned unless agreed otherwise,
    so refusing them by default would leave its letters without acknowledgements."""
    assert Verifier(TrustStore()).verify_notifier(notifier_xml, org_id=SENDER).flagged
    strict = PartnerPolicy(unsigned_notifiers=UnsignedPolicy.REJECT)
    with pytest.raises(SignatureMissing) as caught:
        Verifier(TrustStore(), strict).verify_notifier(notifier_xml, org_id=SENDER)
    assert f'signing.partners.{SENDER}.unsigned_notifiers = "accept-and-flag"' in str(caught.value.action)
    # the letters' policy does not reach notifiers, nor theirs letters
    assert (
        Verifier(TrustStore(), PartnerPolicy(unsigned=UnsignedPolicy.REJECT))
        .verify_notifier(notifier_xml, org_id=SENDER)
        .flagged
    )


def test_broken_signature_is_never_downgraded_to_unsigned(ca_signer: Identity, letter_xml: bytes) -> None:
    root = parse_xml(sign_document_bytes(letter_xml, ca_signer.signing_key()))
    signature = next(el for el in root.iter(etree.Element) if el.tag == f"{{{DS}}}Signature")
    for child in list(signature):
        signature.remove(child)
    with pytest.raises(SignatureInvalid) as caught:
        Verifier(TrustStore(), FLAG).verify_document(etree.tostring(root))
    assert not isinstance(caught.value, SignatureMissing)
    assert caught.value.check == "structure"


def test_missing_signing_key_for_an_organisation_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=f"signing.keys.{SENDER}"):
        SigningConfig().key_for(SENDER)
