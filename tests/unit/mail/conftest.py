"""Shared values for the mail unit tests: the sample directory, a sample letter and its signed XML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import ecms_gateway
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.mail.directory import MailDirectory, load_mail_directory
from ecms_gateway.mail.outbound import MailComposer, letter_document_xml
from ecms_gateway.mail.settings import MailSettings, SmtpSettings, TlsMode
from ecms_gateway.signing import sign_document
from ecms_gateway.signing.testing import Identity, Pki, shared_pki

SAMPLES = Path(ecms_gateway.__file__).parent / "samples"
US = "2099000000"
PEO = "2099100000"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def directory() -> MailDirectory:
    return load_mail_directory(SAMPLES / "directory.json")


@pytest.fixture(scope="session")
def package() -> LetterPackage:
    """letter-001: urgent, from 2099000000 to 2099100000, a reference, enclosures, two PDFs."""
    return load_letter_file(SAMPLES / "letters" / "letter-001.json")


@pytest.fixture(scope="session")
def pki() -> Pki:
    return shared_pki()


@pytest.fixture(scope="session")
def signer(pki: Pki) -> Identity:
    return pki.issue(US)


@pytest.fixture(scope="session")
def signed_xml(package: LetterPackage, signer: Identity) -> bytes:
    key = signer.signing_key()
    return letter_document_xml(
        package, sign=lambda e: sign_document(e, key), send_time=NOW.replace(tzinfo=None)
    )


@pytest.fixture(scope="session")
def settings() -> MailSettings:
    return MailSettings(
        org_id=US,
        address="sample-council@saraban.example.go.th",
        smtp=SmtpSettings(host="127.0.0.1", port=2525, tls=TlsMode.NONE),
    )


@pytest.fixture(scope="session")
def letter_mail(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> bytes:
    """The gateway's mail of the sample letter, as another gateway receives it."""
    return MailComposer(settings, directory).letter(package, signed_xml, now=NOW).data
