"""S/MIME: the whole message signed (multipart/signed, detached), checked by an independent tool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from ecms_gateway.errors import ConfigError
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.mail.classifier import classify
from ecms_gateway.mail.directory import MailDirectory
from ecms_gateway.mail.inbound import LetterMail
from ecms_gateway.mail.outbound import MailComposer
from ecms_gateway.mail.settings import MailPartner, MailSettings
from ecms_gateway.mail.smime import SmimeSigner
from ecms_gateway.signing.keys import KeyRef
from ecms_gateway.signing.testing import Identity, Pki
from tests.unit.mail.conftest import NOW, PEO


def _signed_mail(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, xml: bytes, signer: Identity
) -> bytes:
    wants = MailSettings(
        org_id=settings.org_id,
        address=settings.address,
        smtp=settings.smtp,
        partners={PEO: MailPartner(smime=True)},
    )
    smime = SmimeSigner(signer.key, signer.certificate, signer.chain)
    return MailComposer(wants, directory, smime=smime).letter(package, xml, now=NOW).data


def test_smime_wraps_the_whole_message_in_multipart_signed_and_the_letter_still_classifies(
    settings: MailSettings,
    directory: MailDirectory,
    package: LetterPackage,
    signed_xml: bytes,
    signer: Identity,
) -> None:
    data = _signed_mail(settings, directory, package, signed_xml, signer)
    assert b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;' in data
    result = classify(data, directory=directory)
    assert isinstance(result, LetterMail)
    assert result.document_xml == signed_xml


@pytest.fixture
def smime_mail(
    settings: MailSettings,
    directory: MailDirectory,
    package: LetterPackage,
    signed_xml: bytes,
    signer: Identity,
) -> bytes:
    return _signed_mail(settings, directory, package, signed_xml, signer)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_verifies_the_smime_signature_and_detects_one_changed_byte(
    smime_mail: bytes, pki: Pki, tmp_path: Path
) -> None:
    data = smime_mail
    ca = tmp_path / "ca.pem"
    ca.write_bytes(pki.root.public_bytes(serialization.Encoding.PEM))
    good, bad = tmp_path / "good.eml", tmp_path / "bad.eml"
    good.write_bytes(data)
    text_at = data.index(b"Content-Type: text/plain")
    body = data[text_at:].split(b"\r\n\r\n", 1)[1]
    flipped = body[:10] + (b"A" if body[10:11] != b"A" else b"B") + body[11:]
    bad.write_bytes(data[:text_at] + data[text_at:].replace(body, flipped, 1))
    command = [
        "openssl",
        "smime",
        "-verify",
        "-CAfile",
        str(ca),
        "-purpose",
        "any",
        "-out",
        "/dev/null",
        "-in",
    ]
    assert subprocess.run([*command, str(good)], capture_output=True, check=False).returncode == 0
    assert subprocess.run([*command, str(bad)], capture_output=True, check=False).returncode != 0


def test_smime_key_that_does_not_match_the_certificate_is_a_configuration_error(
    pki: Pki, signer: Identity
) -> None:
    other = pki.issue(PEO)
    with pytest.raises(ConfigError, match="does not belong"):
        SmimeSigner(other.key, signer.certificate)


def test_smime_signer_loads_the_key_and_chain_from_files(signer: Identity, tmp_path: Path) -> None:
    (tmp_path / "key.pem").write_bytes(signer.key_pem)
    (tmp_path / "cert.pem").write_bytes(signer.cert_pem)
    loaded = SmimeSigner.from_key_ref(
        KeyRef(
            org_id=signer.org_id, key=tmp_path / "key.pem", cert=tmp_path / "cert.pem", passphrase_env=None
        )
    )
    assert loaded.certificate == signer.certificate
    with pytest.raises(ConfigError, match="cannot read"):
        SmimeSigner.from_key_ref(KeyRef(org_id="x", key=tmp_path / "missing.pem", cert=tmp_path / "cert.pem"))
