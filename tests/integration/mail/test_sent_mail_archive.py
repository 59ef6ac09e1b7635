"""A mailed letter whose server's answer is lost, through a real SMTP server on 127.0.0.1: the server
takes the mail and the connection breaks before its 250 reaches the gateway; the retry hands it the
archived bytes again (same Message-ID, same signature, same Date), and the archive holds exactly what
the server received, confirmed with the server's answer to the retry."""

from __future__ import annotations

import asyncio
import email
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.policy import default
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session
from ecms_adapters.mail.smtp import SmtpSender

from ecms_gateway.codec import OrganizationInfo
from ecms_gateway.engine import LetterState, WorkKind
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.mail import MailContact, MailDirectory
from ecms_gateway.mail.settings import MailSettings
from ecms_gateway.runtime.mail import MAIL_OUTBOUND_KINDS, MailOutbound, MailParts
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.runtime.worker import WorkLoop
from ecms_gateway.services import clerk
from tests.integration.mail.conftest import smtp_settings
from tests.integration.mail.smtpd import running_smtpd
from tests.unit.runtime.support import NODE_URL, A, B, agencies, letter, until

OURS, THEIRS = "saraban@a.example.go.th", "saraban@b.example.go.th"


@dataclass
class LosesFirstAnswer:
    """Takes every mail; the first time, it breaks the connection instead of answering 250."""

    received: list[bytes] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        assert envelope.mail_from is not None
        self.received.append(content)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if len(self.received) == 1 and server.transport is not None:
            server.transport.abort()  # taken, but the gateway never hears so
        return f"250 2.0.0 Ok: queued as Q{len(self.received)}"


def test_a_mail_whose_answer_was_lost_is_sent_again_byte_for_byte_as_archived(tmp_path: Path) -> None:
    a = agencies(tmp_path)[A]
    routing = RoutingTable(
        [
            OrganizationInfo(en_name="A", th_name="หน่วยงาน ก", ecms_url=NODE_URL, organization_id=A),
            OrganizationInfo(en_name="B", th_name="หน่วยงาน ข", ecms_url=None, organization_id=B),
        ],
        source="test directory",
    )
    directory = MailDirectory(
        [
            MailContact(org_id=A, th_name="หน่วยงาน ก", email=OURS),
            MailContact(org_id=B, th_name="หน่วยงาน ข", email=THEIRS),
        ]
    )
    submitted = clerk.submit(a.store, letter(1), routing=routing, secrecy=SecrecyPolicy(), actor="clerk:a")
    assert submitted.route.channel == "mail"
    server = LosesFirstAnswer()
    with running_smtpd(server) as port:
        parts = MailParts(
            settings=MailSettings(org_id=A, address=OURS, smtp=smtp_settings(port)),
            directory=directory,
            sender=SmtpSender(smtp_settings(port)),
            reader=None,
        )
        settings = RuntimeSettings(orgs=(ServedOrg(org_id=A, node_url=NODE_URL),))
        minutes = itertools.count()  # each look at the clock is a minute later: a mail composed again differs
        outbound = MailOutbound(
            store=a.store,
            signer=a.signer(),
            mail=parts,
            settings=settings,
            clock=lambda: datetime(2026, 11, 20, 3, 0, tzinfo=UTC) + timedelta(minutes=next(minutes)),
        )
        loop = WorkLoop(
            store=a.store,
            channel="mail",
            kinds=MAIL_OUTBOUND_KINDS,
            name="a/mail-out",
            handler=outbound.handle,
            idle_s=0.01,
            lease=timedelta(minutes=5),
            wake=Pulse(),
        )

        async def send() -> None:
            try:
                for _ in range(2):  # the try whose answer is lost, then the retry after the backoff
                    claim = await until(
                        "the send to be due",
                        lambda: a.store.claim("mail", "a/mail-out", kinds=(WorkKind.SEND,)),
                    )
                    await loop.do(claim)
            finally:
                await parts.sender.aclose()

        asyncio.run(send())

    first, again = server.received
    assert again == first  # the same bytes: not composed, signed or dated again
    detail = a.store.show(submitted.letter_id)
    assert detail.letter.state is LetterState.SENT
    outcomes = [x.outcome for x in detail.attempts]
    assert outcomes == ["retry", "done"]
    [sent] = detail.sent
    archived = a.store.load_sent(sent.id)
    assert archived.rstrip(b"\r\n") == first.rstrip(b"\r\n")
    mail = email.message_from_bytes(archived, policy=default)
    assert sent.message_id == mail["Message-ID"]
    assert (sent.mail_from, list(sent.rcpt_to)) == server.envelopes[1] == server.envelopes[0]
    assert sent.confirmation == "SMTP 2.0.0 Ok: queued as Q2"
    assert sent.confirmed_at is not None
    assert a.store.letter_of_mailed(sent.message_id) == submitted.letter_id  # bounces find it
