"""The saraban mail channel end to end: gateway A mails a letter through SMTP (aiosmtpd delivering
into Dovecot's Maildir) to B's mailbox, B's gateway reads it over IMAP, records it and mails the
ReceiveLetterNotifier and (once a clerk registers it) the AcceptLetterNotifier back into A's mailbox;
A's gateway reads them and the letter is accepted with B's receive number.

The directory gives B no ECMS-URL but an e-mail address, so the letter goes by mail; both gateways
read their own mailbox on the same Dovecot (the mail integration suite's fixture).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from e2e_cluster import Cluster, letter

from ecms_gateway.engine import LetterState
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.services import clerk
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
