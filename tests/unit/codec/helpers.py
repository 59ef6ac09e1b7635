"""Builders and a throw-away XML-DSig signer for the codec tests (no network, keys made per session)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree

import ecms_gateway
from ecms_gateway.codec.document import LETTER, SIGNATURE_BLOCK
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import FileData, FileRef, Letter, LetterPackage, Party, Reference, Signer
from ecms_gateway.xml.namespaces import RAM, qname

SAMPLE_LETTERS = Path(ecms_gateway.__file__).parent / "samples" / "letters"
MESSAGES = Path(__file__).resolve().parents[2] / "data" / "messages"


def sample_package(name: str) -> LetterPackage:
    """A sample letter shipped with the package, with its files."""
    return load_letter_file(SAMPLE_LETTERS / name)


def make_package(
    *,
    kind: Kind = Kind.EXTERNAL,
    sender_org: str = "2099000000",
    signer: Signer | None = None,
    main: FileData | None = None,
    attachments: tuple[FileData, ...] = (),
) -> LetterPackage:
    """A small valid letter package with Thai text; keyword overrides for the field under test."""
    main = main or FileData(name="หนังสือ.pdf", mime="application/pdf", content=b"%PDF-1.7 test\n")
    letter = Letter(
        kind=kind,
        book_no="ศธ ๐๙๙๐/๑๒๓",
        date=date(2026, 11, 20),
        subject="ทดสอบการส่งหนังสือ",
        speed=Speed.URGENT,
        secrecy=Secrecy.NORMAL,
        sender=Party(org_id=sender_org, given_name="สมชาย", job_title="ผู้อำนวยการ"),
        receiver=Party(org_id="2199000000"),
        references=(Reference(book_no="ศธ 0991/1", date=date(2026, 1, 5), subject="อ้างถึง"),),
        main_file=FileRef(path=main.name, mime=main.mime),
        attachments=tuple(FileRef(path=a.name, mime=a.mime) for a in attachments),
        signer=signer,
    )
    return LetterPackage(letter=letter, main=main, attachments=attachments)


@dataclass(frozen=True)
class TestSigner:
    """An ECDSA P-256 key with a self-signed certificate, as PEM, for signing and verifying in tests."""

    key_pem: bytes
    cert_pem: bytes

    def signing_key(self) -> xmlsec.Key:
        key = xmlsec.Key.from_memory(self.key_pem, xmlsec.constants.KeyDataFormatPem)
        key.load_cert_from_memory(self.cert_pem, xmlsec.constants.KeyDataFormatCertPem)
        return key

    def verifying_key(self) -> xmlsec.Key:
        return xmlsec.Key.from_memory(self.cert_pem, xmlsec.constants.KeyDataFormatCertPem)


@functools.cache
def test_signer() -> TestSigner:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ecms-gateway codec test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return TestSigner(key_pem=key_pem, cert_pem=cert.public_bytes(serialization.Encoding.PEM))


def _template(node: etree._Element, c14n: Any, uri: str, *, enveloped: bool) -> etree._Element:
    signature: etree._Element = xmlsec.template.create(
        node, c14n, xmlsec.constants.TransformEcdsaSha256, ns="ds"
    )
    reference = xmlsec.template.add_reference(signature, xmlsec.constants.TransformSha256, uri=uri)
    if enveloped:
        xmlsec.template.add_transform(reference, xmlsec.constants.TransformEnveloped)
    xmlsec.template.add_transform(reference, c14n)
    x509_data = xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    xmlsec.template.x509_data_add_certificate(x509_data)
    return signature


def sign_letter(document: etree._Element, *, inclusive_with_comments: bool = False) -> etree._Element:
    """Sign ``ram:CorrespondenceLetter`` (Reference URI="#Letter") into ram:GovernmentSignature, in place.

    ``document`` is the rsm:GovernmentDocument, alone or already inside an envelope.
    """
    c14n = (
        xmlsec.constants.TransformInclC14NWithComments
        if inclusive_with_comments
        else xmlsec.constants.TransformExclC14N
    )
    letter = document.find(LETTER)
    assert letter is not None
    block = document.find(SIGNATURE_BLOCK)
    if block is None:
        block = etree.SubElement(document, SIGNATURE_BLOCK)
        etree.SubElement(block, qname(RAM, "TypeCode")).text = "DSIG"
    signature = _template(document, c14n, "#" + (letter.get("ID") or ""), enveloped=False)
    block.append(signature)
    context = xmlsec.SignatureContext()
    context.key = test_signer().signing_key()
    context.register_id(letter, "ID")
    context.sign(signature)
    return signature


def verify_letter(document: etree._Element) -> None:
    """Raise ``xmlsec.Error`` unless the letter's signature verifies in ``document``'s tree."""
    letter = document.find(LETTER)
    signature = document.find(f"{SIGNATURE_BLOCK}/{{http://www.w3.org/2000/09/xmldsig#}}Signature")
    assert letter is not None
    assert signature is not None
    context = xmlsec.SignatureContext()
    context.key = test_signer().verifying_key()
    context.register_id(letter, "ID")
    context.verify(signature)


def sign_enveloped(element: etree._Element) -> etree._Element:
    """Sign ``element`` (the root of its own document) with a trailing enveloped signature, URI=""."""
    signature = _template(element, xmlsec.constants.TransformExclC14N, "", enveloped=True)
    element.append(signature)
    context = xmlsec.SignatureContext()
    context.key = test_signer().signing_key()
    context.sign(signature)
    return signature


def verify_enveloped(signature: etree._Element) -> None:
    context = xmlsec.SignatureContext()
    context.key = test_signer().verifying_key()
    context.verify(signature)
