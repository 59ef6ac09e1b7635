"""Mail between gateways: ecms-letter.xml and ecms-notifier.xml are found, checked and verified."""

from __future__ import annotations

from datetime import date

import pytest

from ecms_gateway.codec.messages import Notifier, NotifierKind
from ecms_gateway.errors import SignatureInvalid
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.mail.classifier import classify
from ecms_gateway.mail.directory import MailDirectory
from ecms_gateway.mail.inbound import Bounce, LetterMail, NotifierMail, Quarantined
from ecms_gateway.mail.ingest import verify_letter_mail, verify_notifier_mail
from ecms_gateway.mail.outbound import MailComposer, notifier_document_xml
from ecms_gateway.mail.settings import MailSettings, SmtpSettings, TlsMode
from ecms_gateway.signing import PartnerPolicy, TrustStore, UnsignedPolicy, Verifier, sign_notifier
from ecms_gateway.signing.testing import Pki
from tests.unit.mail import corpus
from tests.unit.mail.conftest import NOW, PEO


def _verifier(pki: Pki, *, unsigned: UnsignedPolicy = UnsignedPolicy.REJECT) -> Verifier:
    """``unsigned`` for letters and notifiers alike."""
    return Verifier(
        TrustStore(cas=(pki.root,)), PartnerPolicy(unsigned=unsigned, unsigned_notifiers=unsigned)
    )


def test_a_letter_mail_is_ingested_losslessly_after_its_signature_is_checked(
    settings: MailSettings,
    directory: MailDirectory,
    package: LetterPackage,
    signed_xml: bytes,
    pki: Pki,
) -> None:
    mail = MailComposer(settings, directory).letter(package, signed_xml, now=NOW)
    result = classify(mail.data, directory=directory)
    assert isinstance(result, LetterMail)
    assert result.document_xml == signed_xml
    assert result.unverified.book_no == package.letter.book_no
    assert result.unverified.signed
    assert result.info.message_id == mail.message_id
    assert result.info.sender_org == "2099000000"
    verified = verify_letter_mail(result, _verifier(pki))
    assert verified.package == package
    assert [f.content for f in verified.package.files] == [f.content for f in package.files]


def test_a_tampered_letter_attachment_fails_verification(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes, pki: Pki
) -> None:
    tampered = signed_xml.replace("ขอเชิญประชุม".encode(), "ขอยกเลิกประชุม".encode(), 1)
    mail = MailComposer(settings, directory).letter(package, tampered, now=NOW)
    result = classify(mail.data, directory=directory)
    assert isinstance(result, LetterMail)
    with pytest.raises(SignatureInvalid):
        verify_letter_mail(result, _verifier(pki))


def test_a_letter_from_another_address_than_its_sender_is_noted(
    package: LetterPackage, signed_xml: bytes, directory: MailDirectory
) -> None:
    raw = corpus.with_xml_attachment("ecms-letter.xml", signed_xml, sender=corpus.HEALTH)
    result = classify(raw, directory=directory)
    assert isinstance(result, LetterMail)
    assert "came from the address of 2199000000" in result.notes[0]


def _accept() -> Notifier:
    return Notifier(
        kind=NotifierKind.ACCEPT,
        letter_id="ศธ 0990/1234",
        correspondence_date=date(2026, 11, 20),
        subject="ขอเชิญประชุม",
        accept_id="45",
    )


def test_a_notifier_mail_is_matched_by_its_xml_and_verified_as_from_the_senders_address(
    directory: MailDirectory, pki: Pki
) -> None:
    peo = pki.issue(PEO)
    xml = notifier_document_xml(_accept(), sign=lambda e: sign_notifier(e, peo.signing_key()))
    peo_settings = MailSettings(
        org_id=PEO,
        address="saraban@sample-peo.example.go.th",
        smtp=SmtpSettings(host="127.0.0.1", tls=TlsMode.NONE),
    )
    mail = MailComposer(peo_settings, directory).notifier(
        _accept(), xml, to_org="2099000000", in_reply_to="<letter.1@saraban.example.go.th>", now=NOW
    )
    result = classify(mail.data, directory=directory)
    assert isinstance(result, NotifierMail)  # not an auto-reply, though it says Auto-Submitted
    assert result.unverified.accept_id == "45"
    assert result.info.in_reply_to == "<letter.1@saraban.example.go.th>"
    verified = verify_notifier_mail(result, _verifier(pki))
    assert verified.notifier.kind is NotifierKind.ACCEPT
    assert verified.notifier.accept_id == "45"
    assert verified.verified.org_id == PEO


def test_an_unsigned_notifier_is_flagged_or_rejected_by_the_partners_policy(
    directory: MailDirectory, pki: Pki
) -> None:
    raw = corpus.with_xml_attachment("ecms-notifier.xml", notifier_document_xml(_accept()))
    result = classify(raw, directory=directory)
    assert isinstance(result, NotifierMail)
    with pytest.raises(SignatureInvalid, match="no signature"):
        verify_notifier_mail(result, _verifier(pki))
    flagged = verify_notifier_mail(result, _verifier(pki, unsigned=UnsignedPolicy.ACCEPT_AND_FLAG))
    assert flagged.verified.flagged


def test_a_notifier_from_an_address_outside_the_directory_cannot_be_attributed(
    directory: MailDirectory, pki: Pki
) -> None:
    raw = corpus.with_xml_attachment(
        "ecms-notifier.xml", notifier_document_xml(_accept()), sender=corpus.STRANGER
    )
    result = classify(raw, directory=directory)
    assert isinstance(result, NotifierMail)
    with pytest.raises(SignatureInvalid, match="not in the directory"):
        verify_notifier_mail(result, _verifier(pki))


_DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'


@pytest.mark.parametrize(
    ("name", "xml", "reason"),
    [
        ("ecms-letter.xml", _DOCTYPE, "DOCTYPE"),
        ("ecms-letter.xml", b"<not-closed>", "is not a valid e-CMS message"),
        ("ecms-letter.xml", b"<Unknown/>", "not an e-CMS message"),
        (
            "ecms-notifier.xml",
            b"<ReceiveLetterNotifier><LetterID>x</LetterID></ReceiveLetterNotifier>",
            "ReceiveLetterNotifier",
        ),
    ],
)
def test_broken_or_unsafe_e_cms_xml_is_quarantined_with_the_parsers_reason(
    directory: MailDirectory, name: str, xml: bytes, reason: str
) -> None:
    result = classify(corpus.with_xml_attachment(name, xml), directory=directory)
    assert isinstance(result, Quarantined)
    assert name in result.reason
    assert reason in result.reason


def test_a_letter_xml_that_holds_a_notifier_is_quarantined(directory: MailDirectory) -> None:
    raw = corpus.with_xml_attachment("ecms-letter.xml", notifier_document_xml(_accept()))
    result = classify(raw, directory=directory)
    assert isinstance(result, Quarantined)
    assert "holds Notifier, not a GovernmentDocument" in result.reason


def test_a_bounce_that_returns_our_whole_letter_is_a_bounce_not_a_letter(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> None:
    ours = MailComposer(settings, directory).letter(package, signed_xml, now=NOW)
    whole = corpus.dsn_bounce(ours.message_id, returned=ours.data)
    result = classify(whole, directory=directory)
    assert isinstance(result, Bounce)
    assert result.original_message_id == ours.message_id
