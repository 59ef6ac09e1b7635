"""Mail the gateway cannot use stays visible in the saraban mailbox: read from Dovecot through the
runtime's commit into a real Store, a message without a file (quarantined) and a bounce about no letter
we mailed stay unread and flagged \\Flagged for whoever reads the mailbox in webmail, while a person's
letter with a PDF is flagged \\Seen; each is stored once and the quarantined one reaches the clerk."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from pathlib import Path

from ecms_adapters.mail.imap_reader import ImapMailboxReader
from ecms_adapters.mail.smtp import SmtpSender

from ecms_gateway.engine import WorkKind
from ecms_gateway.mail import MailContact, MailDirectory, MemoryCheckpointStore
from ecms_gateway.mail.settings import MailSettings
from ecms_gateway.runtime.mail import MailInbound, MailParts, mail_commit
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.services import mail_letters
from ecms_gateway.xml.parser import XmlLimits
from tests.integration.mail.conftest import imap_settings, smtp_settings
from tests.integration.mail.servers import Dovecot, MailUser
from tests.integration.mail.test_mail_letters_flow import _work
from tests.unit.runtime.support import NODE_URL, A, agencies

_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _mail(subject: str, text: str, *, pdf: bool = False) -> bytes:
    mail = EmailMessage()
    mail["From"] = "สมหญิง <somying@person.test>"
    mail["To"] = "saraban@a.test"
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{subject.replace(' ', '.')}@person.test>"
    mail.set_content(text)
    if pdf:
        mail.add_attachment(_PDF, maintype="application", subtype="pdf", filename="letter.pdf")
    return mail.as_bytes()


def _bounce() -> bytes:
    return (
        b"From: MAILER-DAEMON@mx.test\r\nTo: saraban@a.test\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce.1@mx.test>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        b"--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.test\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@person.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        b"--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <someone.else@person.test>\r\n"
        b"From: saraban@a.test\r\nSubject: x\r\n--b1--\r\n"
    )


def _flags(user: MailUser) -> dict[str, str]:
    """Subject -> the Maildir flags Dovecot keeps in each file's name (S seen, F flagged)."""
    flags = {}
    for path in user.files():
        subject = path.read_bytes().split(b"\nSubject: ", 1)[1].split(b"\n", 1)[0].decode()
        flags[subject] = path.name.split(":2,")[1] if ":2," in path.name else ""
    return flags


def test_mail_the_gateway_cannot_use_stays_unread_and_flagged_in_the_mailbox(
    dovecot: Dovecot, mailbox: MailUser, tmp_path: Path
) -> None:
    a = agencies(tmp_path)[A]
    store = a.store
    mailbox.deliver(_mail("question", "May I ask about the meeting?"))
    mailbox.deliver(_mail("letter", "ที่ ศธ 0991/77 ลงวันที่ 3 พฤศจิกายน 2569 เรื่อง ขอข้อมูล", pdf=True))
    mailbox.deliver(_bounce())
    smtp = smtp_settings(1)
    parts = MailParts(
        settings=MailSettings(org_id=A, address="saraban@a.test", smtp=smtp),
        directory=MailDirectory([MailContact(org_id=A, th_name="หน่วยงาน ก", email="saraban@a.test")]),
        sender=SmtpSender(smtp),
        reader=None,
    )
    settings = RuntimeSettings(orgs=(ServedOrg(org_id=A, node_url=NODE_URL),))
    inbound = MailInbound(
        store=store, verifier=a.verifier(), mail=parts, settings=settings, limits=XmlLimits()
    )
    commit = mail_commit(store, actor="mail-reader", on_stored=lambda: None, disposal=inbound.disposal)
    checkpoints = MemoryCheckpointStore()

    async def read() -> int:
        reader = ImapMailboxReader(imap_settings(dovecot, mailbox), checkpoints=checkpoints)
        try:
            return await reader.fetch_new(commit)
        finally:
            await reader.aclose()

    assert asyncio.run(read()) == 3
    assert _flags(mailbox) == {"question": "F", "letter": "S", "Undelivered Mail Returned to Sender": "F"}
    assert asyncio.run(read()) == 0  # the checkpoint passed them: not read again
    notes = asyncio.run(_work(store, inbound, (WorkKind.INBOUND,)))
    assert len(notes) == 3
    waiting = mail_letters.pending_mail_letters(store)
    assert sorted(view.mail_subject for view in waiting) == ["letter", "question"]
    assert [view.mail_subject for view in waiting if view.unreadable] == ["question"]
