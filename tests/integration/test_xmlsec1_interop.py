"""Interop with an independent XML-DSig implementation, the xmlsec1 command-line tool.

Both directions: what the gateway signs verifies with ``xmlsec1 --verify``, and letters xmlsec1
signs from templates (default and legacy profiles) verify in the gateway; one changed byte in the
letter, an attachment's Base64 or the signature fails on both sides.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from ecms_gateway.errors import SignatureInvalid
from ecms_gateway.signing.config import PartnerPolicy
from ecms_gateway.signing.signer import sign_document_bytes, sign_notifier
from ecms_gateway.signing.testing import Identity, shared_pki
from ecms_gateway.signing.trust import TrustMethod, TrustStore
from ecms_gateway.signing.verifier import Verifier
from ecms_gateway.xml.namespaces import RAM
from ecms_gateway.xml.parser import parse_xml

pytestmark = [
    pytest.mark.xmlsec1,
    pytest.mark.skipif(
        shutil.which("xmlsec1") is None, reason="the xmlsec1 command-line tool is not installed"
    ),
]

DATA = Path(__file__).resolve().parents[1] / "data" / "signing"
SENDER = "2099000000"
ID_ATTR = ["--id-attr:ID", f"{RAM}:CorrespondenceLetter"]


def _pem(path: Path, *certs: object) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))  # type: ignore[attr-defined]
    return path


def xmlsec1(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["xmlsec1", *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def _xmlsec1_verify(signed: Path, trusted: Path) -> bool:
    return xmlsec1("--verify", "--trusted-pem", trusted, *ID_ATTR, signed).returncode == 0


@pytest.fixture(scope="module")
def ca_signer() -> Identity:
    return shared_pki().issue(SENDER)


@pytest.fixture(scope="module")
def pinned_signer() -> Identity:
    return shared_pki().self_signed(SENDER)


@pytest.fixture
def root_pem(tmp_path: Path) -> Path:
    return _pem(tmp_path / "root.pem", shared_pki().root)


@pytest.mark.parametrize("name", ["letter.xml", "letter-in-envelope.xml"])
def test_gateway_signature_with_a_ca_chain_verifies_with_xmlsec1(
    ca_signer: Identity, root_pem: Path, tmp_path: Path, name: str
) -> None:
    signed = tmp_path / "signed.xml"
    signed.write_bytes(sign_document_bytes((DATA / name).read_bytes(), ca_signer.signing_key()))
    result = xmlsec1("--verify", "--trusted-pem", root_pem, *ID_ATTR, signed)
    assert result.returncode == 0, result.stderr


def test_gateway_ecdsa_signature_verifies_with_xmlsec1(root_pem: Path, tmp_path: Path) -> None:
    signer = shared_pki().issue(SENDER, key_type="ec256")
    signed = tmp_path / "signed.xml"
    signed.write_bytes(sign_document_bytes((DATA / "letter.xml").read_bytes(), signer.signing_key()))
    assert _xmlsec1_verify(signed, root_pem)


def test_gateway_signature_by_a_pinned_certificate_verifies_with_xmlsec1_only_when_trusted(
    pinned_signer: Identity, tmp_path: Path
) -> None:
    signed = tmp_path / "signed.xml"
    signed.write_bytes(sign_document_bytes((DATA / "letter.xml").read_bytes(), pinned_signer.signing_key()))
    assert _xmlsec1_verify(signed, _pem(tmp_path / "pinned.pem", pinned_signer.certificate))
    stranger = shared_pki().self_signed(SENDER)
    assert not _xmlsec1_verify(signed, _pem(tmp_path / "stranger.pem", stranger.certificate))


def test_gateway_signed_notifier_verifies_with_xmlsec1(
    ca_signer: Identity, root_pem: Path, tmp_path: Path
) -> None:
    notifier = sign_notifier(parse_xml((DATA / "notifier.xml").read_bytes()), ca_signer.signing_key())
    signed = tmp_path / "notifier.xml"
    signed.write_bytes(etree.tostring(notifier, xml_declaration=True, encoding="utf-8"))
    result = xmlsec1("--verify", "--trusted-pem", root_pem, signed)
    assert result.returncode == 0, result.stderr


def _xmlsec1_sign(template: str, keys: str, tmp_path: Path) -> bytes:
    out = tmp_path / "xmlsec1-signed.xml"
    result = xmlsec1("--sign", "--privkey-pem", keys, *ID_ATTR, "--output", out, DATA / template)
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def test_letter_signed_by_xmlsec1_with_the_default_template_verifies_in_the_gateway(
    ca_signer: Identity, tmp_path: Path
) -> None:
    key, cert = ca_signer.write(tmp_path)
    chain = _pem(tmp_path / "intermediate.pem", *ca_signer.chain)
    signed = _xmlsec1_sign("template-default.xml", f"{key},{cert},{chain}", tmp_path)
    result = Verifier(TrustStore(cas=(shared_pki().root,))).verify_document(signed)
    assert result.signer is not None
    assert result.signer.method is TrustMethod.CA


def test_letter_signed_by_xmlsec1_with_the_legacy_template_verifies_only_for_a_legacy_partner(
    pinned_signer: Identity, tmp_path: Path
) -> None:
    key, _ = pinned_signer.write(tmp_path)
    signed = _xmlsec1_sign("template-legacy.xml", str(key), tmp_path)
    trust = TrustStore(pinned={SENDER: (pinned_signer.certificate,)})
    result = Verifier(trust, PartnerPolicy(legacy=True)).verify_document(signed)
    assert result.signer is not None
    assert result.signer.method is TrustMethod.PINNED_KEY
    with pytest.raises(SignatureInvalid) as caught:
        Verifier(trust).verify_document(signed)
    assert caught.value.check == "algorithm"


def _flip(data: bytes, tag: bytes, offset: int = 10) -> bytes:
    start = data.index(b">", data.index(b"<" + tag)) + 1 + offset
    new = b"B" if data[start : start + 1] != b"B" else b"C"
    return data[:start] + new + data[start + 1 :]


TAMPERING = {
    "letter": lambda d: d.replace(b"<ram:SpeedCode>002", b"<ram:SpeedCode>003", 1),
    "attachment": lambda d: _flip(d, b"ram:AttachmentBinaryObject"),
    "signature": lambda d: _flip(d, b"ds:SignatureValue"),
}


@pytest.mark.parametrize("where", sorted(TAMPERING))
@pytest.mark.parametrize("signed_by", ["gateway", "xmlsec1"])
def test_one_changed_byte_fails_on_both_sides(
    ca_signer: Identity, root_pem: Path, tmp_path: Path, where: str, signed_by: str
) -> None:
    if signed_by == "gateway":
        signed = sign_document_bytes((DATA / "letter.xml").read_bytes(), ca_signer.signing_key())
    else:
        key, cert = ca_signer.write(tmp_path)
        chain = _pem(tmp_path / "intermediate.pem", *ca_signer.chain)
        signed = _xmlsec1_sign("template-default.xml", f"{key},{cert},{chain}", tmp_path)
    tampered = TAMPERING[where](signed)
    assert tampered != signed
    path = tmp_path / "tampered.xml"
    path.write_bytes(signed)
    assert _xmlsec1_verify(path, root_pem), "the untouched letter must verify, or the test proves nothing"
    path.write_bytes(tampered)
    assert not _xmlsec1_verify(path, root_pem)
    verifier = Verifier(TrustStore(cas=(shared_pki().root,)))
    verifier.verify_document(signed)
    with pytest.raises(SignatureInvalid) as caught:
        verifier.verify_document(tampered)
    assert caught.value.check == ("signature-value" if where == "signature" else "digest")
