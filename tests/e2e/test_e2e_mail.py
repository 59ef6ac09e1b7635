"""The saraban mail channel end to end: gateway A mails a letter through SMTP (aiosmtpd delivering
into Dovecot's Maildir) to B's mailbox, B's gateway reads it over IMAP, records it and mails the
ReceiveLetterNotifier and (once a clerk registers it) the AcceptLetterNotifier back into A's mailbox;
A's gateway reads them and the letter is accepted with B's receive number.

The directory gives B no ECMS-URL but an e-mail address, so the letter goes by mail; both gateways
read their own mailbox on the same Dovecot (the mail integration suite's fixture).
"""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from e2e_cluster import Cluster, letter
from sqlalchemy import func, select

from ecms_gateway.engine import LetterState, WorkState
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.services import clerk
from ecms_gateway.store.tables import INBOX, MAIL_LETTER
from tests.integration.mail.conftest import PASSWORD_ENV, dovecot  # noqa: F401 - the session fixture
from tests.integration.mail.servers import HOST, PASSWORD, Dovecot, MailUser
from tests.integration.mail.smtpd import running_smtpd

pytestmark = pytest.mark.e2e


@dataclass
class ByRecipient:
    """An MTA for the test: every accepted message goes into the Maildir of each recipient."""

    users: dict[str, MailUser]
    delivered: list[bytes] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        for rcpt in envelope.rcpt_tos:
            user = self.users.get(rcpt.lower())
            if user is None:
                return f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"
            trace = f"Return-Path: <{envelope.mail_from}>\r\nDelivered-To: {rcpt}\r\n".encode("ascii")
            user.deliver(trace + content)
        self.delivered.append(content)
        return "250 2.0.0 Ok: delivered"


def _address(user: MailUser) -> str:
    return f"{user.name}@mail.test".lower()


def _mail_toml(user: MailUser, smtp_port: int, imap_port: int) -> str:
    return f"""
[directory]
file = "../directory.json"

[mail]
address = "{_address(user)}"

[mail.smtp]
host = "{HOST}"
port = {smtp_port}
tls = "none"
timeout_seconds = 10

[mail.imap]
host = "{HOST}"
port = {imap_port}
tls = "none"
username = "{user.name}"
password_env = "{PASSWORD_ENV}"
poll_seconds = 0.2
timeout_seconds = 10
"""


def _mail_directory(cluster: Cluster, users: dict[str, MailUser]) -> None:
    """B without an ECMS-URL; A and B with the test mailboxes' addresses."""
    path = cluster.layout.directory
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for org in data["organizations"]:
        for name, agency in cluster.layout.agencies.items():
            if org["id"] == agency.org_id:
                org["email"] = _address(users[name])
                if name == "B":
                    org["ecms_url"] = None
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    cluster.routing = table_from_file(path)


def test_a_letter_goes_by_mail_and_is_accepted_with_the_receivers_number(
    make_cluster: Any,
    dovecot: Dovecot,  # noqa: F811 - the imported session fixture
) -> None:
    cluster: Cluster = make_cluster()
    users = {name: dovecot.new_user() for name in cluster.layout.agencies}
    mta = ByRecipient(users={_address(user): user for user in users.values()})
    with running_smtpd(mta) as smtp_port:
        _mail_directory(cluster, users)
        for name, agency in cluster.layout.agencies.items():
            with agency.config.open("a", encoding="utf-8") as config:
                config.write(_mail_toml(users[name], smtp_port, dovecot.imap_port))
        cluster.start_node()
        for name in cluster.layout.agencies:
            cluster.start_gateway(name, env={PASSWORD_ENV: PASSWORD})
        package = letter(1)
        route = cluster.routing.route(package.letter.receiver.org_id)
        assert route.channel == "mail"
        cluster.submit("A", package)

        inbound = cluster.wait_received("B", package.letter, timeout=90)
        cluster.wait_state("A", package.letter, LetterState.DELIVERED, timeout=90)
        number = clerk.register(cluster.stores["B"], inbound.id, actor="clerk:b")
        cluster.wake("B")
        cluster.wait_state("A", package.letter, LetterState.ACCEPTED, timeout=90)

    assert cluster.accept_id("A", package.letter) == number == cluster.receive_number("B", package.letter)
    assert len(mta.delivered) == 3  # the letter, then the receive and accept notifiers


def _persons_letter(n: int, to: str) -> bytes:
    """A letter typed by a person (Thai subject and body, a 100 KB PDF), Message-ID of its own."""
    mail = EmailMessage()
    mail["From"] = "สมชาย ใจดี <somchai.peo@gmail.com>"
    mail["To"] = to
    mail["Subject"] = f"ที่ ศธ ๐๙๙๑/{n} เรื่อง ขอความอนุเคราะห์ข้อมูล ครั้งที่ {n}"
    mail["Message-ID"] = f"<kill-{n}@person.test>"
    mail.set_content(f"ที่ ศธ ๐๙๙๑/{n}\nลงวันที่ ๒๐ พฤศจิกายน ๒๕๖๙\nเรื่อง ขอความอนุเคราะห์ข้อมูล ครั้งที่ {n}\n")
    pdf = b"%PDF-1.4\n" + bytes([n % 256]) * 100_000 + b"\n%%EOF\n"
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"หนังสือ-{n}.pdf")
    return mail.as_bytes()


def _counts(store: Any) -> tuple[int, int, int]:
    """(inbox items, distinct dedupe keys, mail letters kept) in ``store``."""
    with store.db.read() as conn:
        items = conn.execute(select(func.count()).select_from(INBOX)).scalar_one()
        keys = conn.execute(select(func.count(func.distinct(INBOX.c.process_id)))).scalar_one()
        kept = conn.execute(select(func.count()).select_from(MAIL_LETTER)).scalar_one()
    return int(items), int(keys), int(kept)


def test_a_gateway_killed_mid_fetch_loses_no_mail_and_stores_none_twice_after_restart(
    make_cluster: Any,
    dovecot: Dovecot,  # noqa: F811 - the imported session fixture
) -> None:
    """SIGKILL to the whole ``ecms-gateway run`` process group while it is reading the mailbox (some
    messages stored, others not): after a restart every message is stored and kept for a clerk once."""
    count = 30
    cluster: Cluster = make_cluster(lease_s=3)  # an item the killed process held is taken over soon
    users = {name: dovecot.new_user() for name in cluster.layout.agencies}
    b = users["B"]
    _mail_directory(cluster, users)
    with running_smtpd(ByRecipient(users={_address(u): u for u in users.values()})) as smtp_port:
        config = cluster.layout["B"].config
        with config.open("a", encoding="utf-8") as handle:
            handle.write(_mail_toml(b, smtp_port, dovecot.imap_port) + "batch_size = 2\n")
        for n in range(count):
            b.deliver(_persons_letter(n, _address(b)))
        cluster.start_node()
        store = cluster.stores["B"]
        first = cluster.start_gateway("B", env={PASSWORD_ENV: PASSWORD})
        stored_at_kill = cluster.wait("the first messages stored", lambda: _counts(store)[0], timeout=60)
        os.killpg(first.pid, signal.SIGKILL)  # the whole process group, no chance to finish anything
        first.process.wait(timeout=10)
        assert 0 < _counts(store)[0] < count, "the kill came after the whole fetch; it proves nothing"

        cluster.start_gateway("B", env={PASSWORD_ENV: PASSWORD})
        cluster.wait(
            "every message kept for a clerk", lambda: _counts(store)[2] == count or None, timeout=120
        )

    items, keys, kept = _counts(store)
    assert (items, keys, kept) == (count, count, count)  # nothing lost, nothing twice
    assert stored_at_kill < count
    dead = store.queue(work_state=WorkState.DEAD)
    assert dead == []
    assert all(p.parent.name == "cur" and p.name.endswith("S") for p in b.files())  # all acknowledged
