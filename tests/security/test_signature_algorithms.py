"""Algorithm and key policy: downgrades, HMAC and transform tricks, bare keys, swapped keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from lxml import etree

from ecms_gateway.errors import SignatureInvalid, TrustError
from ecms_gateway.signing import algorithms as alg
from ecms_gateway.signing.config import PartnerPolicy
from ecms_gateway.signing.signer import sign_document_bytes
from ecms_gateway.signing.testing import Identity, shared_pki, sign_custom
from ecms_gateway.signing.trust import TrustMethod, TrustStore
from ecms_gateway.signing.verifier import Verifier
from ecms_gateway.xml.namespaces import DS, RAM
from ecms_gateway.xml.parser import parse_xml

DATA = Path(__file__).resolve().parents[1] / "data" / "signing"
SENDER = "2099000000"
LEGACY = PartnerPolicy(legacy=True)


@pytest.fixture(scope="module")
def partner() -> Identity:
    return shared_pki().self_signed(SENDER)


@pytest.fixture(scope="module")
def pinned(partner: Identity) -> TrustStore:
    return TrustStore(pinned={SENDER: (partner.certificate,)})


def _custom(partner: Identity, **kwargs: object) -> bytes:
    root = parse_xml((DATA / "letter.xml").read_bytes())
    block = root.find(f"{{{RAM}}}GovernmentSignature")
    assert block is not None
    sign_custom(block, partner, **kwargs)  # type: ignore[arg-type]
    return etree.tostring(root, encoding="utf-8")


def _error(verifier: Verifier, data: bytes) -> SignatureInvalid:
    with pytest.raises(SignatureInvalid) as caught:
        verifier.verify_document(data)
    return caught.value


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"method": alg.RSA_SHA1}, "rsa-sha1"),
        ({"digest": alg.SHA1}, "sha1"),
        ({"c14n": alg.C14N_COMMENTS}, "WithComments"),
        ({"transforms": (alg.EXC_C14N_COMMENTS,)}, "WithComments"),
    ],
    ids=["rsa-sha1", "sha1-digest", "c14n-with-comments", "exc-c14n-with-comments-transform"],
)
def test_legacy_algorithms_are_refused_by_default_and_accepted_for_legacy_partners(
    partner: Identity, pinned: TrustStore, options: dict[str, object], named: str
) -> None:
    data = _custom(partner, **options)
    error = _error(Verifier(pinned), data)
    assert error.check == "algorithm"
    assert named in str(error)
    assert "legacy" in error.action
    assert Verifier(pinned, LEGACY).verify_document(data).org_id == SENDER


@pytest.mark.parametrize(
    ("xpath", "uri"),
    [
        ("//ds:SignatureMethod", "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"),
        ("//ds:Transform", "http://www.w3.org/TR/1999/REC-xpath-19991116"),
        ("//ds:Transform", "http://www.w3.org/TR/1999/REC-xslt-19991116"),
        ("//ds:DigestMethod", "http://www.w3.org/2001/04/xmldsig-more#md5"),
    ],
    ids=["hmac", "xpath", "xslt", "md5"],
)
def test_dangerous_algorithms_are_refused_even_for_legacy_partners(
    partner: Identity, pinned: TrustStore, xpath: str, uri: str
) -> None:
    root = parse_xml(sign_document_bytes((DATA / "letter.xml").read_bytes(), partner.signing_key()))
    root.xpath(xpath, namespaces={"ds": DS})[0].set("Algorithm", uri)
    error = _error(Verifier(pinned, LEGACY), etree.tostring(root))
    assert error.check == "algorithm"
    assert "refused even for legacy" in error.action


def test_hmac_output_length_parameter_is_refused(partner: Identity, pinned: TrustStore) -> None:
    root = parse_xml(sign_document_bytes((DATA / "letter.xml").read_bytes(), partner.signing_key()))
    method = root.xpath("//ds:SignatureMethod", namespaces={"ds": DS})[0]
    etree.SubElement(method, f"{{{DS}}}HMACOutputLength").text = "8"
    assert _error(Verifier(pinned), etree.tostring(root)).check == "structure"


def test_bare_rsa_key_is_refused_by_default(partner: Identity, pinned: TrustStore) -> None:
    assert _error(Verifier(pinned), _custom(partner, key_value=True)).check == "key-info"


def test_bare_rsa_key_is_accepted_for_a_legacy_partner_when_its_public_key_is_pinned(
    partner: Identity, tmp_path: Path
) -> None:
    folder = tmp_path / "trust" / "orgs" / SENDER
    folder.mkdir(parents=True)
    public = partner.key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    (folder / "partner-key.pem").write_bytes(public)
    verifier = Verifier(TrustStore.from_folder(tmp_path / "trust"), LEGACY)
    result = verifier.verify_document(_custom(partner, key_value=True, method=alg.RSA_SHA1, digest=alg.SHA1))
    assert result.signer is not None
    assert result.signer.method is TrustMethod.PINNED_KEY


def test_bare_rsa_key_that_is_not_pinned_is_refused_for_a_legacy_partner(partner: Identity) -> None:
    stranger = shared_pki().self_signed(SENDER)
    verifier = Verifier(TrustStore(pinned={SENDER: (stranger.certificate,)}), LEGACY)
    with pytest.raises(TrustError) as caught:
        verifier.verify_document(_custom(partner, key_value=True))
    assert caught.value.check == "pinned-key"
    assert f"trust/orgs/{SENDER}/" in caught.value.action


def test_attacker_resigning_with_own_certificate_naming_the_organisation_is_not_trusted(
    partner: Identity, pinned: TrustStore
) -> None:
    attacker = shared_pki().self_signed(SENDER)
    data = sign_document_bytes((DATA / "letter.xml").read_bytes(), attacker.signing_key())
    with pytest.raises(TrustError) as caught:
        Verifier(pinned).verify_document(data)
    assert caught.value.check == "chain"


def test_trusted_certificate_in_key_info_with_a_signature_by_another_key_fails(
    partner: Identity, pinned: TrustStore
) -> None:
    attacker = shared_pki().self_signed(SENDER)
    root = parse_xml(sign_document_bytes((DATA / "letter.xml").read_bytes(), attacker.signing_key()))
    cert = root.xpath("//ds:X509Certificate", namespaces={"ds": DS})[0]
    good = parse_xml(sign_document_bytes((DATA / "letter.xml").read_bytes(), partner.signing_key()))
    cert.text = good.xpath("//ds:X509Certificate", namespaces={"ds": DS})[0].text
    assert _error(Verifier(pinned), etree.tostring(root)).check == "signature-value"
