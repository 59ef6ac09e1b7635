"""A letter typed by a person, through real servers: a Thai mail with a PDF is submitted over SMTP
(aiosmtpd delivering into Dovecot's Maildirs by recipient), the gateway reads it over IMAP and keeps it
for a clerk with the fields it could read; the clerk confirms it (a received letter), registers it, and
the receipt and the receive number arrive by mail in the person's own mailbox as replies to their mail.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session
from ecms_adapters.mail.imap_reader import ImapMailboxReader
from ecms_adapters.mail.smtp import SmtpSender

from ecms_gateway.codec.messages import NotifierKind
from ecms_gateway.engine import LetterState, Store, WorkKind
from ecms_gateway.engine.mail_values import MailLetterFields
from ecms_gateway.engine.values import Done
from ecms_gateway.mail import MailContact, MailDirectory, MemoryCheckpointStore
from ecms_gateway.mail.classifier import classify
from ecms_gateway.mail.inbound import NotifierMail
from ecms_gateway.mail.ports import FetchedMail
from ecms_gateway.mail.settings import MailSettings
from ecms_gateway.runtime.mail import MailInbound, MailOutbound, MailParts
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.services import clerk
from ecms_gateway.services.mail_letters import confirm_mail_letter, pending_mail_letters
from ecms_gateway.xml.parser import XmlLimits
from tests.integration.mail.conftest import imap_settings, smtp_settings
from tests.integration.mail.servers import HOST, Dovecot, MailUser
from tests.integration.mail.smtpd import running_smtpd
from tests.unit.mail.corpus import PDF
from tests.unit.runtime.support import A, B, agencies

BOOK = "ศธ ๐๙๙๐/๗๗"
SUBJECT = "ขอเชิญประชุมคณะทำงานพัฒนาหลักสูตร"
PDF_NAME = "หนังสือเชิญประชุม (ลงนามแล้ว).pdf"


@dataclass
class ByRecipient:
    """An MTA for the test: each accepted message goes into the Maildir of each recipient."""

    users: dict[str, MailUser]
    delivered: list[bytes] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        for rcpt in envelope.rcpt_tos:
            self.users[rcpt.lower()].deliver(f"Delivered-To: {rcpt}\r\n".encode("ascii") + content)
        self.delivered.append(content)
        return "250 2.0.0 Ok: delivered"


def _address(user: MailUser) -> str:
    return f"{user.name}@mail.test".lower()


def _persons_mail(sender: str, to: str) -> EmailMessage:
    """What a person's mail program sends: a Thai subject and body, the signed letter as a PDF."""
    mail = EmailMessage()
    mail["From"] = f"สมชาย ใจดี <{sender}>"
    mail["To"] = f"สารบรรณ <{to}>"
    mail["Subject"] = f"ด่วนที่สุด ที่ {BOOK} เรื่อง {SUBJECT}"
    mail["Message-ID"] = make_msgid(domain="person.test")
    mail.set_content(
        f"เรียน ผู้อำนวยการ\n\nที่ {BOOK}\nลงวันที่ ๒๐ พฤศจิกายน ๒๕๖๙\nเรื่อง {SUBJECT}\n\n"
        "รายละเอียดตามหนังสือที่แนบมาพร้อมนี้\n\nสมชาย\n"
    )
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename=PDF_NAME)
    return mail


async def _read(reader: ImapMailboxReader, into: Store | None) -> list[FetchedMail]:
    seen: list[FetchedMail] = []

    async def commit(item: FetchedMail) -> None:
        if into is not None:
            await asyncio.to_thread(
                into.accept_inbound, item.raw, channel="mail", process_id=item.dedupe_key, actor="mail-reader"
            )
        seen.append(item)

    try:
        await reader.fetch_new(commit)
    finally:
        await reader.aclose()
    return seen


async def _work(store: Store, handle: object, kinds: tuple[WorkKind, ...]) -> list[str]:
    """Do every ready mail work item of ``kinds`` once, as a runtime worker would (a mail the server
    took confirmed in its archive with the completion)."""
    notes = []
    while (claim := await asyncio.to_thread(store.claim, "mail", "worker", kinds=kinds)) is not None:
        result = await handle.handle(claim)  # type: ignore[attr-defined]
        done = result if isinstance(result, Done) else Done(note=result)
        await asyncio.to_thread(
            store.complete, claim.work_id, worker="worker", note=done.note, confirmation=done.confirmation
        )
        notes.append(done.note or "")
    return notes


def test_a_persons_thai_letter_is_confirmed_and_the_receive_number_reaches_their_mailbox(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    ours, person = dovecot.new_user(), dovecot.new_user()
    mta = ByRecipient(users={_address(u): u for u in (ours, person)})
    b = agencies(tmp_path)[B]
    store = b.store
    directory = MailDirectory(
        [
            MailContact(org_id=A, th_name="หน่วยงาน ก", email="saraban@a.example.go.th"),
            MailContact(org_id=B, th_name="หน่วยงาน ข", email=_address(ours)),
        ]
    )
    settings = RuntimeSettings(orgs=(ServedOrg(org_id=B, node_url="http://127.0.0.1:1/unused"),))
    with running_smtpd(mta) as port:
        smtp = smtp_settings(port)
        mail = _persons_mail(_address(person), _address(ours))
        asyncio.run(aiosmtplib.send(mail, hostname=HOST, port=port))
        parts = MailParts(
            settings=MailSettings(org_id=B, address=_address(ours), smtp=smtp),
            directory=directory,
            sender=SmtpSender(smtp),
            reader=None,
        )
        reader = ImapMailboxReader(imap_settings(dovecot, ours), checkpoints=MemoryCheckpointStore())
        assert len(asyncio.run(_read(reader, store))) == 1
        inbound = MailInbound(
            store=store, verifier=b.verifier(), mail=parts, settings=settings, limits=XmlLimits()
        )
        [note] = asyncio.run(_work(store, inbound, (WorkKind.INBOUND,)))
        assert "kept for a clerk as mail letter" in note

        [waiting] = pending_mail_letters(store)
        fields = waiting.fields
        assert fields.book_no == BOOK
        assert fields.subject == SUBJECT
        assert fields.letter_date == date(2026, 11, 20)
        assert fields.speed == "most_urgent"
        assert fields.receiver_org == B
        assert fields.sender_org is None  # a personal address: the clerk says who sent it
        assert [m.field for m in waiting.not_found] == ["sender_org"]
        assert [(f.name, f.mime) for f in waiting.files] == [(PDF_NAME, "application/pdf")]

        done = confirm_mail_letter(
            store, waiting.id, corrections=MailLetterFields(sender_org=A), served=(B,), actor="clerk:b"
        )
        assert store.show(done.letter_id).letter.state is LetterState.RECEIVED
        number = clerk.register(store, done.letter_id, actor="clerk:b")

        outbound = MailOutbound(
            store=store, signer=b.signer(), mail=parts, settings=settings, order_wait_s=0.1
        )

        async def notify() -> list[str]:
            try:
                return await _work(store, outbound, (WorkKind.NOTIFY_RECEIVE, WorkKind.NOTIFY_ACCEPT))
            finally:
                await parts.sender.aclose()

        assert len(asyncio.run(notify())) == 2

    replies = asyncio.run(
        _read(ImapMailboxReader(imap_settings(dovecot, person), checkpoints=MemoryCheckpointStore()), None)
    )
    assert len(replies) == 2  # the receipt and the receive number, in the person's own mailbox
    by_kind = {}
    for reply in replies:
        found = classify(reply.raw, directory=directory)
        assert isinstance(found, NotifierMail)
        assert found.info.in_reply_to == mail["Message-ID"]  # replies to the person's own mail
        by_kind[found.unverified.kind] = found
    assert set(by_kind) == {NotifierKind.RECEIVE, NotifierKind.ACCEPT}
    accepted = by_kind[NotifierKind.ACCEPT]
    assert accepted.unverified.accept_id == str(number)
    assert f"ลงทะเบียนรับแล้ว (เลขรับ {number})" in accepted.info.subject
