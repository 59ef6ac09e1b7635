"""A person's plain answer to a letter we mailed, through real servers: our letter goes over SMTP into
their Dovecot mailbox, they answer it without a file (their mail program names our letter's
Message-ID in In-Reply-To/References), the gateway reads the answer from its own mailbox over IMAP and
notes it on the letter; the letter stays "sent"."""

from __future__ import annotations

import asyncio
import email
from email.message import EmailMessage
from email.policy import default
from email.utils import make_msgid
from pathlib import Path

import aiosmtplib
from ecms_adapters.mail.imap_reader import ImapMailboxReader
from ecms_adapters.mail.smtp import SmtpSender

from ecms_gateway.codec import OrganizationInfo
from ecms_gateway.engine import LetterState, WorkKind
from ecms_gateway.engine.mail_replies import replies_in
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.mail import MailContact, MailDirectory, MemoryCheckpointStore
from ecms_gateway.mail.settings import MailSettings
from ecms_gateway.runtime.mail import MailInbound, MailOutbound, MailParts
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.services import clerk
from ecms_gateway.xml.parser import XmlLimits
from tests.integration.mail.conftest import imap_settings, smtp_settings
from tests.integration.mail.servers import HOST, Dovecot
from tests.integration.mail.smtpd import running_smtpd
from tests.integration.mail.test_mail_letters_flow import ByRecipient, _address, _read, _work
from tests.unit.runtime.support import NODE_URL, A, B, agencies, letter


def test_a_persons_plain_answer_to_our_mailed_letter_is_noted_on_it(dovecot: Dovecot, tmp_path: Path) -> None:
    ours, theirs = dovecot.new_user(), dovecot.new_user()
    mta = ByRecipient(users={_address(u): u for u in (ours, theirs)})
    a = agencies(tmp_path)[A]
    directory = MailDirectory(
        [
            MailContact(org_id=A, th_name="หน่วยงาน ก", email=_address(ours)),
            MailContact(org_id=B, th_name="หน่วยงาน ข", email=_address(theirs)),
        ]
    )
    routing = RoutingTable(
        [
            OrganizationInfo(en_name="A", th_name="หน่วยงาน ก", ecms_url=NODE_URL, organization_id=A),
            OrganizationInfo(en_name="B", th_name="หน่วยงาน ข", ecms_url=None, organization_id=B),
        ],
        source="test directory",
    )
    settings = RuntimeSettings(orgs=(ServedOrg(org_id=A, node_url=NODE_URL),))
    submitted = clerk.submit(a.store, letter(1), routing=routing, secrecy=SecrecyPolicy(), actor="clerk:a")
    with running_smtpd(mta) as port:
        smtp = smtp_settings(port)
        parts = MailParts(
            settings=MailSettings(org_id=A, address=_address(ours), smtp=smtp),
            directory=directory,
            sender=SmtpSender(smtp),
            reader=None,
        )
        outbound = MailOutbound(store=a.store, signer=a.signer(), mail=parts, settings=settings)

        async def send() -> list[str]:
            try:
                return await _work(a.store, outbound, (WorkKind.SEND,))
            finally:
                await parts.sender.aclose()

        assert len(asyncio.run(send())) == 1
        [arrived] = asyncio.run(
            _read(
                ImapMailboxReader(imap_settings(dovecot, theirs), checkpoints=MemoryCheckpointStore()), None
            )
        )
        ours_mail = email.message_from_bytes(arrived.raw, policy=default)
        answer = EmailMessage()  # what a person's mail program sends on "Reply"
        answer["From"] = f"สมหญิง รักงาน <{_address(theirs)}>"
        answer["To"] = str(ours_mail["From"])
        answer["Subject"] = f"Re: {ours_mail['Subject']}"
        answer["Message-ID"] = make_msgid(domain="person.test")
        answer["In-Reply-To"] = str(ours_mail["Message-ID"])
        answer["References"] = str(ours_mail["Message-ID"])
        answer.set_content(
            "ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234\n\nสมหญิง\n\n"
            f"On Mon, 23 Nov 2026 at 08:00, {ours_mail['From']} wrote:\n> เรียน ผู้อำนวยการ\n"
        )
        asyncio.run(aiosmtplib.send(answer, hostname=HOST, port=port))

        reader = ImapMailboxReader(imap_settings(dovecot, ours), checkpoints=MemoryCheckpointStore())
        assert len(asyncio.run(_read(reader, a.store))) == 1
        inbound = MailInbound(
            store=a.store, verifier=a.verifier(), mail=parts, settings=settings, limits=XmlLimits()
        )
        [note] = asyncio.run(_work(a.store, inbound, (WorkKind.INBOUND,)))

    assert f"noted on letter {submitted.letter_id}, giving receive number 1234" in note
    detail = a.store.show(submitted.letter_id)
    assert detail.letter.state is LetterState.SENT
    [(_, reply)] = replies_in(detail.history)
    assert reply.who == f"สมหญิง รักงาน <{_address(theirs)}>"
    assert reply.text == "ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234\n\nสมหญิง"
    assert reply.receive_no == "1234"
