"""Tampering: one changed byte in the letter, a file or the signature is caught; comment and
whitespace tricks cannot change what a clerk reads without breaking or voiding the signature."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ecms_gateway.errors import SignatureInvalid
from ecms_gateway.signing import algorithms as alg
from ecms_gateway.signing.config import PartnerPolicy
from ecms_gateway.signing.signer import sign_document_bytes
from ecms_gateway.signing.testing import Identity, naive_verify, shared_pki, sign_custom
from ecms_gateway.signing.trust import TrustStore
from ecms_gateway.signing.verifier import Verifier
from ecms_gateway.xml.namespaces import RAM
from ecms_gateway.xml.parser import parse_xml

DATA = Path(__file__).resolve().parents[1] / "data" / "signing"
SENDER = "2099000000"


@pytest.fixture(scope="module")
def signer() -> Identity:
    return shared_pki().issue(SENDER)


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    return Verifier(TrustStore(cas=(shared_pki().root,)))


@pytest.fixture(scope="module")
def signed(signer: Identity) -> bytes:
    return sign_document_bytes((DATA / "letter-in-envelope.xml").read_bytes(), signer.signing_key())


def _flip_inside(data: bytes, tag: bytes, offset: int = 10) -> bytes:
    """Change one Base64/text character inside the first <tag> element, keeping the XML well-formed."""
    start = data.index(b">", data.index(b"<" + tag)) + 1 + offset
    old = data[start : start + 1]
    new = b"B" if old != b"B" else b"C"
    return data[:start] + new + data[start + 1 :]


def _check(verifier: Verifier, data: bytes) -> str:
    with pytest.raises(SignatureInvalid) as caught:
        verifier.verify_document(data)
    return caught.value.check


def test_untouched_signed_letter_verifies(verifier: Verifier, signed: bytes) -> None:
    assert verifier.verify_document(signed).org_id == SENDER


def test_one_changed_byte_in_the_subject_fails_the_digest(verifier: Verifier, signed: bytes) -> None:
    tampered = signed.replace("ขอเชิญประชุม".encode(), "ขอเชิญประชุน".encode(), 1)
    assert tampered != signed
    assert _check(verifier, tampered) == "digest"


def test_one_changed_byte_in_an_attachment_fails_the_digest(verifier: Verifier, signed: bytes) -> None:
    assert _check(verifier, _flip_inside(signed, b"ram:AttachmentBinaryObject")) == "digest"


def test_one_changed_byte_in_the_signature_value_fails_the_signature(
    verifier: Verifier, signed: bytes
) -> None:
    assert _check(verifier, _flip_inside(signed, b"ds:SignatureValue")) == "signature-value"


def test_one_changed_byte_in_the_digest_value_fails(verifier: Verifier, signed: bytes) -> None:
    assert _check(verifier, _flip_inside(signed, b"ds:DigestValue", offset=3)) in {
        "digest",
        "signature-value",
    }


def test_comment_splitting_signed_text_is_refused_although_exclusive_c14n_ignores_it(
    signer: Identity, verifier: Verifier, signed: bytes
) -> None:
    # "ศธ 0990/1234" read with lxml .text would become "ศธ 0990/" (the SAML comment attack)
    tampered = signed.replace("ศธ 0990/1234".encode(), "ศธ 0990/<!---->1234".encode(), 1)
    assert naive_verify(tampered, signer.certificate), "comments are outside exclusive C14N: still valid"
    assert parse_xml(tampered).findtext(f".//{{{RAM}}}CorrespondenceLetter/{{{RAM}}}ID") == "ศธ 0990/"
    assert _check(verifier, tampered) == "structure"


def test_whitespace_added_inside_signed_text_fails_the_digest(verifier: Verifier, signed: bytes) -> None:
    tampered = signed.replace(b"<ram:CorrespondenceDate>2026", b"<ram:CorrespondenceDate> 2026", 1)
    assert _check(verifier, tampered) == "digest"


def test_whitespace_inside_tags_is_canonicalised_and_still_verifies(
    verifier: Verifier, signed: bytes
) -> None:
    reformatted = signed.replace(
        b'<ram:CorrespondenceLetter ID="Letter">', b'<ram:CorrespondenceLetter  ID = "Letter" >'
    )
    assert reformatted != signed
    assert verifier.verify_document(reformatted).org_id == SENDER


@pytest.fixture(scope="module")
def legacy_signed() -> tuple[Identity, bytes]:
    """A letter signed like the spec-like sample: C14N with comments, rsa-sha1, sha1, a bare RSA key."""
    partner = shared_pki().self_signed(SENDER)
    root = parse_xml((DATA / "letter.xml").read_bytes())
    block = root.find(f"{{{RAM}}}GovernmentSignature")
    assert block is not None
    sign_custom(
        block,
        partner,
        c14n=alg.C14N_COMMENTS,
        method=alg.RSA_SHA1,
        digest=alg.SHA1,
        transforms=(alg.C14N_COMMENTS,),
        key_value=True,
    )
    return partner, etree.tostring(root, encoding="utf-8")


@pytest.fixture(scope="module")
def legacy_verifier(legacy_signed: tuple[Identity, bytes]) -> Verifier:
    partner = legacy_signed[0]
    return Verifier(TrustStore(pinned={SENDER: (partner.certificate,)}), PartnerPolicy(legacy=True))


def test_legacy_with_comments_letter_verifies(
    legacy_verifier: Verifier, legacy_signed: tuple[Identity, bytes]
) -> None:
    assert legacy_verifier.verify_document(legacy_signed[1]).signature_method == alg.RSA_SHA1


def test_comment_added_to_a_with_comments_letter_is_refused_because_id_references_never_sign_comments(
    legacy_verifier: Verifier, legacy_signed: tuple[Identity, bytes]
) -> None:
    partner, signed = legacy_signed
    tampered = signed.replace("ศธ 0990/1234".encode(), "ศธ 0990/<!---->1234".encode(), 1)
    assert naive_verify(tampered, partner.certificate), "with-comments C14N on #Letter still drops comments"
    assert _check(legacy_verifier, tampered) == "structure"


def test_whitespace_added_to_a_with_comments_letter_fails_the_digest(
    legacy_verifier: Verifier, legacy_signed: tuple[Identity, bytes]
) -> None:
    tampered = legacy_signed[1].replace(b"<ram:SecretCode>001", b"<ram:SecretCode>\n001", 1)
    assert tampered != legacy_signed[1]
    assert _check(legacy_verifier, tampered) == "digest"
