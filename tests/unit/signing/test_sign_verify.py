"""Signing and verifying letters and notifiers: the default profile, round trips, envelopes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ecms_gateway.codec.document import build_document, parse_document
from ecms_gateway.codec.items import decode_notifier, encode_notifier
from ecms_gateway.codec.messages import LetterDocument, OutboundRequest
from ecms_gateway.codec.wire import to_wire
from ecms_gateway.errors import ConfigError, InputError
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.signing import algorithms as alg
from ecms_gateway.signing.config import PartnerPolicy, SigningConfig
from ecms_gateway.signing.keys import KeyRef
from ecms_gateway.signing.outcome import SignatureStatus
from ecms_gateway.signing.signer import OutboundSigner, sign_document, sign_document_bytes, sign_notifier
from ecms_gateway.signing.testing import Identity, Pki, naive_verify, sign_custom
from ecms_gateway.signing.trust import TrustMethod, TrustStore
from ecms_gateway.signing.verifier import Verifier
from ecms_gateway.xml.namespaces import DS, RAM
from ecms_gateway.xml.parser import parse_xml

from .conftest import OTHER, SENDER

SAMPLE = Path(__file__).resolve().parents[3] / "ecms_gateway" / "samples" / "letters" / "letter-001.json"
NS = {"ds": DS, "ram": RAM}


def _algorithms(signed: bytes) -> set[str]:
    root = parse_xml(signed)
    return {str(a) for a in root.xpath("//ds:Signature//@Algorithm", namespaces=NS)}


def test_signed_letter_uses_the_default_profile_and_carries_the_certificate_chain(
    ca_signer: Identity,
) -> None:
    signed = sign_document_bytes(
        (Path(__file__).parents[2] / "data/signing/letter.xml").read_bytes(), ca_signer.signing_key()
    )
    root = parse_xml(signed)
    assert _algorithms(signed) == {alg.EXC_C14N, alg.RSA_SHA256, alg.SHA256}
    assert root.xpath("//ds:Reference/@URI", namespaces=NS) == ["#Letter"]
    assert len(root.xpath("//ds:X509Data/ds:X509Certificate", namespaces=NS)) == 2
    sig_parent = root.xpath("//ds:Signature/..", namespaces=NS)[0]
    assert sig_parent.tag == f"{{{RAM}}}GovernmentSignature"


def test_ecdsa_p256_key_signs_with_ecdsa_sha256_and_verifies(
    pki: Pki, ca_trust: TrustStore, letter_xml: bytes
) -> None:
    ec_signer = pki.issue(SENDER, key_type="ec256")
    signed = sign_document_bytes(letter_xml, ec_signer.signing_key())
    assert alg.ECDSA_SHA256 in _algorithms(signed)
    result = Verifier(ca_trust).verify_document(signed)
    assert result.signature_method == alg.ECDSA_SHA256


def test_rsa_3072_key_signs_and_verifies(pki: Pki, ca_trust: TrustStore, letter_xml: bytes) -> None:
    signer = pki.issue(SENDER, key_type="rsa3072")
    assert Verifier(ca_trust).verify_document(
        sign_document_bytes(letter_xml, signer.signing_key())
    ).status is (SignatureStatus.VERIFIED)


def test_ca_issued_signer_is_trusted_through_the_intermediate_it_sends(
    ca_signer: Identity, ca_trust: TrustStore, letter_xml: bytes
) -> None:
    result = Verifier(ca_trust).verify_document(sign_document_bytes(letter_xml, ca_signer.signing_key()))
    assert result.signer is not None
    assert result.signer.method is TrustMethod.CA
    assert result.signer.certificates[-1] == ca_trust.cas[0]
    assert result.org_id == SENDER


def test_pinned_self_signed_signer_is_trusted_for_its_organisation(
    pinned_signer: Identity, pinned_trust: TrustStore, letter_xml: bytes
) -> None:
    result = Verifier(pinned_trust).verify_document(
        sign_document_bytes(letter_xml, pinned_signer.signing_key())
    )
    assert result.signer is not None
    assert result.signer.method is TrustMethod.PINNED


def test_letter_signed_inside_a_soap_envelope_verifies_in_place_and_returns_the_letter_of_that_tree(
    ca_signer: Identity, ca_trust: TrustStore, envelope_xml: bytes
) -> None:
    root = parse_xml(envelope_xml)
    sign_document(root, ca_signer.signing_key())
    result = Verifier(ca_trust).verify_document(root)
    assert result.element.getroottree().getroot() is root
    assert result.element.tag == f"{{{RAM}}}CorrespondenceLetter"
    assert result.document is not None
    assert result.document is result.element.getparent()


def test_signature_made_on_a_bare_document_survives_embedding_in_an_envelope(
    ca_signer: Identity, ca_trust: TrustStore, letter_xml: bytes
) -> None:
    signed = parse_xml(sign_document_bytes(letter_xml, ca_signer.signing_key()))
    soap = etree.fromstring(
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="urn:other">'
        b"<soap:Body><CorrespondenceLetterOutboundRequest/></soap:Body></soap:Envelope>"
    )
    soap[0][0].append(signed)
    again = etree.tostring(soap, encoding="utf-8")
    assert Verifier(ca_trust).verify_document(again).status is SignatureStatus.VERIFIED


def test_signer_block_is_added_when_the_letter_has_no_signer(
    ca_signer: Identity, ca_trust: TrustStore
) -> None:
    root = parse_xml((Path(__file__).parents[2] / "data/signing/letter.xml").read_bytes())
    block = root.find(f"{{{RAM}}}GovernmentSignature")
    assert block is not None
    root.remove(block)
    sign_document(root, ca_signer.signing_key())
    assert root.findtext(f"{{{RAM}}}GovernmentSignature/{{{RAM}}}TypeCode") == "DSIG"
    dept = root.findtext(
        f"{{{RAM}}}GovernmentSignature/{{{RAM}}}SignerParty/{{{RAM}}}DepartmentOrganization/{{{RAM}}}ID"
    )
    assert dept == SENDER[:5]
    assert Verifier(ca_trust).verify_document(etree.tostring(root)).status is SignatureStatus.VERIFIED


def test_signing_an_already_signed_document_is_refused(ca_signer: Identity, letter_xml: bytes) -> None:
    signed = sign_document_bytes(letter_xml, ca_signer.signing_key())
    with pytest.raises(InputError, match="already signed"):
        sign_document_bytes(signed, ca_signer.signing_key())


def test_signing_a_letter_of_another_organisation_is_refused(pki: Pki, letter_xml: bytes) -> None:
    other = pki.issue(OTHER)
    with pytest.raises(ConfigError, match=f"belongs to organisation {OTHER}"):
        sign_document_bytes(letter_xml, other.signing_key())


def test_codec_sample_letter_is_signed_sent_verified_and_decoded_from_the_verified_element(
    ca_signer: Identity, ca_trust: TrustStore
) -> None:
    package = load_letter_file(SAMPLE)
    document = build_document(package)
    sign_document(document, ca_signer.signing_key())
    wire = to_wire(
        OutboundRequest(item=LetterDocument(element=document)), to="http://node/ecms-ws01/service2"
    )
    result = Verifier(ca_trust).verify_document(wire)
    assert result.document is not None
    decoded = parse_document(result.document)
    assert decoded.package == package
    assert decoded.is_signed


def test_codec_notifier_is_signed_enveloped_and_verified(
    ca_signer: Identity, ca_trust: TrustStore, notifier_xml: bytes
) -> None:
    notifier = decode_notifier(parse_xml(notifier_xml))
    element = sign_notifier(encode_notifier(notifier), ca_signer.signing_key())
    assert element.xpath("ds:Signature/ds:SignedInfo/ds:Reference/@URI", namespaces=NS) == [""]
    assert element[-1].tag == f"{{{DS}}}Signature"
    wire = to_wire(OutboundRequest(item=decode_notifier(element)))
    result = Verifier(ca_trust).verify_notifier(wire, org_id=SENDER)
    assert result.status is SignatureStatus.VERIFIED
    assert decode_notifier(result.element) == notifier


def test_notifier_inside_an_envelope_is_signed_as_its_own_document(
    ca_signer: Identity, ca_trust: TrustStore, notifier_xml: bytes
) -> None:
    envelope = etree.fromstring(
        b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>'
    )
    envelope[0].append(parse_xml(notifier_xml))
    signed = sign_notifier(envelope, ca_signer.signing_key())
    assert signed.getparent() is envelope[0]
    assert (
        Verifier(ca_trust).verify_notifier(etree.tostring(envelope), org_id=SENDER).status
        is SignatureStatus.VERIFIED
    )


def test_outbound_signer_signs_notifiers_only_for_partners_that_ask(
    ca_signer: Identity, tmp_path: Path, notifier_xml: bytes
) -> None:
    key, cert = ca_signer.write(tmp_path)
    config = SigningConfig(
        keys={SENDER: KeyRef(org_id=SENDER, key=key, cert=cert)},
        partners={OTHER: PartnerPolicy(sign_notifiers=True)},
    )
    signer = OutboundSigner(config, environ={})
    wanted = signer.sign_notifier(parse_xml(notifier_xml), org_id=SENDER, partner_id=OTHER)
    not_wanted = signer.sign_notifier(parse_xml(notifier_xml), org_id=SENDER, partner_id="2199000000")
    assert wanted.find(f"{{{DS}}}Signature") is not None
    assert not_wanted.find(f"{{{DS}}}Signature") is None


def test_outbound_signer_picks_the_key_of_the_letters_sender(
    ca_signer: Identity, ca_trust: TrustStore, tmp_path: Path, letter_xml: bytes
) -> None:
    key, cert = ca_signer.write(tmp_path)
    signer = OutboundSigner(
        SigningConfig(keys={SENDER: KeyRef(org_id=SENDER, key=key, cert=cert)}), environ={}
    )
    root = parse_xml(letter_xml)
    signer.sign_letter(root)
    assert Verifier(ca_trust).verify_document(root).status is SignatureStatus.VERIFIED


def test_verifier_reuses_its_trust_decision_for_the_same_certificates(
    ca_signer: Identity, ca_trust: TrustStore, letter_xml: bytes
) -> None:
    verifier = Verifier(ca_trust)
    signed = sign_document_bytes(letter_xml, ca_signer.signing_key())
    first = verifier.verify_document(signed)
    second = verifier.verify_document(signed)
    assert first.signer is second.signer


def test_inclusive_c14n_signature_made_on_a_bare_document_verifies_after_embedding_in_an_envelope(
    pinned_signer: Identity, pinned_trust: TrustStore, letter_xml: bytes
) -> None:
    root = parse_xml(letter_xml)
    block = root.find(f"{{{RAM}}}GovernmentSignature")
    assert block is not None
    sign_custom(block, pinned_signer, c14n=alg.C14N, transforms=(alg.C14N,))
    soap = etree.fromstring(
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="urn:other">'
        b"<soap:Body><CorrespondenceLetterOutboundRequest/></soap:Body></soap:Envelope>"
    )
    soap[0][0].append(root)
    wire = etree.tostring(soap, encoding="utf-8")
    assert not naive_verify(wire, pinned_signer.certificate), "in place, the envelope's namespaces break it"
    result = Verifier(pinned_trust).verify_document(wire)
    assert result.status is SignatureStatus.VERIFIED
    assert result.element.findtext(f"{{{RAM}}}ID") == "ศธ 0990/1234"
