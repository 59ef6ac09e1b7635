"""The whole mail path through real servers: compose -> SmtpSender -> SMTP server -> Maildir -> Dovecot
IMAP -> ImapMailboxReader -> the store (raw) -> classify -> verify: the letter that arrives is the
letter that left, its files byte for byte. Also the notifier reply and the corpus of real-world mail."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ecms_adapters.mail.imap_reader import ImapMailboxReader
from ecms_adapters.mail.smtp import SmtpSender
from sqlalchemy import select

import ecms_gateway
from ecms_gateway.codec.messages import Notifier, NotifierKind
from ecms_gateway.engine import Store
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.mail.checkpoint import FileCheckpointStore
from ecms_gateway.mail.classifier import classify
from ecms_gateway.mail.compose import OutgoingMail
from ecms_gateway.mail.directory import MailDirectory, load_mail_directory
from ecms_gateway.mail.inbound import (
    AutoReply,
    Bounce,
    Classified,
    HumanLetter,
    LetterMail,
    NotifierMail,
    Quarantined,
)
from ecms_gateway.mail.ingest import verify_letter_mail, verify_notifier_mail
from ecms_gateway.mail.outbound import MailComposer, letter_document_xml, notifier_document_xml
from ecms_gateway.mail.ports import FetchedMail
from ecms_gateway.mail.settings import MailPartner, MailSettings, SmtpSettings, TlsMode
from ecms_gateway.mail.smime import SmimeSigner
from ecms_gateway.signing import PartnerPolicy, TrustStore, Verifier, sign_document, sign_notifier
from ecms_gateway.signing.testing import shared_pki
from ecms_gateway.store.tables import INBOX
from tests.integration.mail.conftest import imap_settings, smtp_settings
from tests.integration.mail.servers import Dovecot, MailUser
from tests.integration.mail.smtpd import MaildirDelivery, running_smtpd
from tests.unit.mail import corpus

SAMPLES = Path(ecms_gateway.__file__).parent / "samples"
A, B = "2099000000", "2099100000"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def directory() -> MailDirectory:
    return load_mail_directory(SAMPLES / "directory.json")


def _settings(org: str, address: str, smtp: SmtpSettings, *, smime: bool = False) -> MailSettings:
    return MailSettings(org_id=org, address=address, smtp=smtp, default_partner=MailPartner(smime=smime))


async def _send(settings: SmtpSettings, mails: list[OutgoingMail]) -> None:
    sender = SmtpSender(settings)
    try:
        for mail in mails:
            await sender.send(mail)
    finally:
        await sender.aclose()


async def _receive_into(store: Store, reader: ImapMailboxReader) -> list[FetchedMail]:
    """What the runtime's mail reader does: commit raw into the store (dedupe key as ProcessID), then ack."""
    seen: list[FetchedMail] = []

    async def commit(item: FetchedMail) -> None:
        await asyncio.to_thread(
            store.accept_inbound, item.raw, channel="mail", process_id=item.dedupe_key, actor="mail-reader"
        )
        seen.append(item)

    try:
        await reader.fetch_new(commit)
    finally:
        await reader.aclose()
    return seen


def _stored_raw(store: Store) -> list[bytes]:
    with store.db.read() as conn:
        ids = conn.execute(select(INBOX.c.id).where(INBOX.c.channel == "mail").order_by(INBOX.c.id)).scalars()
        return [store.load_raw(int(i)) for i in ids]


def test_a_signed_letter_crosses_smtp_and_imap_and_is_ingested_byte_identical(
    dovecot: Dovecot, mailbox: MailUser, directory: MailDirectory, tmp_path: Path
) -> None:
    pki = shared_pki()
    signer = pki.issue(A)
    package = load_letter_file(SAMPLES / "letters" / "letter-001.json")
    xml = letter_document_xml(package, sign=lambda e: sign_document(e, signer.signing_key()), send_time=None)
    smime = SmimeSigner(signer.key, signer.certificate, signer.chain)
    with running_smtpd(MaildirDelivery(mailbox), mode="starttls", tls=dovecot.tls) as port:
        smtp = smtp_settings(port, tls=TlsMode.STARTTLS, dovecot=dovecot)
        composer = MailComposer(
            _settings(A, "sample-council@saraban.example.go.th", smtp, smime=True), directory, smime=smime
        )
        mail = composer.letter(package, xml, now=NOW)
        asyncio.run(_send(smtp, [mail, mail]))  # sent twice, as after a lost reply: one letter arrives

    with Store(data_dir=tmp_path / "b") as store:
        checkpoints = FileCheckpointStore(tmp_path / "b" / "mail-checkpoint.json")
        reader = ImapMailboxReader(
            imap_settings(dovecot, mailbox, tls=TlsMode.IMPLICIT), checkpoints=checkpoints
        )
        fetched = asyncio.run(_receive_into(store, reader))
        assert len(fetched) == 2
        assert fetched[0].dedupe_key == fetched[1].dedupe_key  # the resend is recognised
        [raw] = _stored_raw(store)

    result = classify(raw, directory=directory)
    assert isinstance(result, LetterMail)
    assert result.info.message_id == mail.message_id
    verified = verify_letter_mail(result, Verifier(TrustStore(cas=(pki.root,)), PartnerPolicy()))
    assert verified.package == package
    for received, sent in zip(verified.package.files, package.files, strict=True):
        assert (received.name, received.mime, received.content) == (sent.name, sent.mime, sent.content)


def test_a_notifier_goes_back_as_a_reply_to_the_letters_message(
    dovecot: Dovecot, mailbox: MailUser, directory: MailDirectory, tmp_path: Path
) -> None:
    pki = shared_pki()
    b_key = pki.issue(B)
    receipt = Notifier(
        kind=NotifierKind.RECEIVE,
        letter_id="ศธ 0990/1234",
        correspondence_date=NOW.date(),
        subject="ขอเชิญประชุม",
    )
    xml = notifier_document_xml(receipt, sign=lambda e: sign_notifier(e, b_key.signing_key()))
    letter_id = "<letter.abc@saraban.example.go.th>"
    with running_smtpd(MaildirDelivery(mailbox)) as port:
        smtp = smtp_settings(port)
        composer = MailComposer(_settings(B, "saraban@sample-peo.example.go.th", smtp), directory)
        reply = composer.notifier(receipt, xml, to_org=A, in_reply_to=letter_id, now=NOW)
        asyncio.run(_send(smtp, [reply]))
    with Store(data_dir=tmp_path / "a") as store:
        reader = ImapMailboxReader(
            imap_settings(dovecot, mailbox), checkpoints=FileCheckpointStore(tmp_path / "cp.json")
        )
        asyncio.run(_receive_into(store, reader))
        [raw] = _stored_raw(store)
    result = classify(raw, directory=directory)
    assert isinstance(result, NotifierMail)
    assert result.info.in_reply_to == letter_id
    assert result.info.sender_org == B
    verified = verify_notifier_mail(result, Verifier(TrustStore(cas=(pki.root,)), PartnerPolicy()))
    assert verified.notifier == receipt


CORPUS: list[tuple[str, bytes, type[Classified]]] = [
    ("thunderbird", corpus.thunderbird_letter(), HumanLetter),
    ("outlook windows-874", corpus.outlook_letter(), HumanLetter),
    ("outlook tis-620", corpus.outlook_letter("tis-620"), HumanLetter),
    ("gmail", corpus.gmail_letter(), HumanLetter),
    ("forwarded as attachment", corpus.forwarded_as_attachment(), HumanLetter),
    ("forwarded inline", corpus.forwarded_inline(), HumanLetter),
    ("dsn", corpus.dsn_bounce(), Bounce),
    ("outlook auto-reply", corpus.outlook_auto_reply(), AutoReply),
    ("vacation", corpus.thai_vacation_reply(), AutoReply),
    ("no file", corpus.plain_question(), Quarantined),
    ("broken base64", corpus.BROKEN_BASE64_PDF, Quarantined),
]


def test_real_world_mail_classifies_the_same_after_smtp_and_imap(
    dovecot: Dovecot, mailbox: MailUser, directory: MailDirectory, tmp_path: Path
) -> None:
    mails = [
        OutgoingMail(
            message_id=name, envelope_from=corpus.PEO, recipients=(corpus.US,), subject=name, data=raw
        )
        for name, raw, _ in CORPUS
    ]
    with running_smtpd(MaildirDelivery(mailbox)) as port:
        asyncio.run(_send(smtp_settings(port), mails))
    with Store(data_dir=tmp_path / "s") as store:
        reader = ImapMailboxReader(
            imap_settings(dovecot, mailbox), checkpoints=FileCheckpointStore(tmp_path / "cp.json")
        )
        asyncio.run(_receive_into(store, reader))
        stored = _stored_raw(store)
    assert len(stored) == len(CORPUS)
    for (name, raw, expected), received in zip(CORPUS, stored, strict=True):
        direct, travelled = classify(raw, directory=directory), classify(received, directory=directory)
        assert isinstance(travelled, expected), name
        assert type(direct) is type(travelled), name
        if isinstance(direct, HumanLetter) and isinstance(travelled, HumanLetter):
            assert (travelled.book_no, travelled.subject, travelled.letter_date, travelled.sender_org) == (
                direct.book_no,
                direct.subject,
                direct.letter_date,
                direct.sender_org,
            ), name
            assert travelled.main.content == direct.main.content, name
