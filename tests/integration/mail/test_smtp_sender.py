"""``SmtpSender`` against real SMTP servers on 127.0.0.1 (aiosmtpd): TLS, login, one connection, and
4xx/5xx/timeouts sorted into retry or dead-letter with the server's own words."""

from __future__ import annotations

import asyncio
import time

import pytest
from ecms_adapters.mail.smtp import SmtpSender

from ecms_gateway.errors import PermanentMailError, TransientMailError
from ecms_gateway.mail.compose import OutgoingMail
from ecms_gateway.mail.ports import MailSender
from ecms_gateway.mail.settings import SmtpSettings, TlsMode
from tests.integration.mail.conftest import smtp_settings
from tests.integration.mail.servers import Dovecot, MailUser, free_port
from tests.integration.mail.smtpd import MaildirDelivery, Refusing, running_smtpd, silent_server


def _mail(n: int = 1) -> OutgoingMail:
    data = (
        f"Message-ID: <t{n}@gateway.test>\r\nFrom: a@gateway.test\r\nTo: b@mx.test\r\nSubject: test {n}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "4LiX4LiU4Liq4Lit4Lia\r\n"
    ).encode("ascii")
    return OutgoingMail(
        message_id=f"<t{n}@gateway.test>",
        envelope_from="a@gateway.test",
        recipients=("b@mx.test",),
        subject=f"test {n}",
        data=data,
    )


async def _send_all(settings: SmtpSettings, mails: list[OutgoingMail]) -> list[str]:
    sender: MailSender = SmtpSender(settings)  # (mypy checks the adapter against the port)
    try:
        return [(await sender.send(mail)).reply for mail in mails]
    finally:
        await sender.aclose()


@pytest.mark.parametrize(("mode", "tls"), [("starttls", TlsMode.STARTTLS), ("implicit", TlsMode.IMPLICIT)])
def test_mail_goes_through_tls_with_login_and_a_checked_certificate_into_the_mailbox(
    dovecot: Dovecot, mailbox: MailUser, mode: str, tls: TlsMode
) -> None:
    handler = MaildirDelivery(mailbox)
    with running_smtpd(handler, mode=mode, tls=dovecot.tls) as port:
        replies = asyncio.run(_send_all(smtp_settings(port, tls=tls, dovecot=dovecot), [_mail()]))
    assert replies == ["2.0.0 Ok: delivered"]
    assert handler.delivered == [_mail().data]
    assert len(mailbox.files()) == 1


def test_many_letters_share_one_smtp_connection(dovecot: Dovecot, mailbox: MailUser) -> None:
    handler = MaildirDelivery(mailbox)
    with running_smtpd(handler, mode="starttls", tls=dovecot.tls) as port:
        asyncio.run(
            _send_all(
                smtp_settings(port, tls=TlsMode.STARTTLS, dovecot=dovecot), [_mail(i) for i in range(5)]
            )
        )
    assert len(handler.delivered) == 5
    assert len(handler.connections) == 1


def test_an_untrusted_server_certificate_is_permanent_and_nothing_is_sent(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    handler = MaildirDelivery(mailbox)
    with running_smtpd(handler, mode="implicit", tls=dovecot.tls) as port:
        settings = smtp_settings(port, tls=TlsMode.IMPLICIT)  # no ca_file: the system CAs do not know it
        with pytest.raises(PermanentMailError, match="certificate is not trusted"):
            asyncio.run(_send_all(settings, [_mail()]))
    assert handler.delivered == []


def test_a_wrong_password_is_permanent_with_the_servers_words(
    dovecot: Dovecot, mailbox: MailUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECMS_TEST_SMTP_PASSWORD", "wrong")
    with (
        running_smtpd(MaildirDelivery(mailbox), mode="starttls", tls=dovecot.tls) as port,
        pytest.raises(PermanentMailError, match=r"login refused: .*[Aa]uthentication") as caught,
    ):
        asyncio.run(_send_all(smtp_settings(port, tls=TlsMode.STARTTLS, dovecot=dovecot), [_mail()]))
    assert caught.value.code == 535


def test_a_server_that_demands_starttls_refuses_plain_text_permanently(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    with (
        running_smtpd(MaildirDelivery(mailbox), mode="starttls", tls=dovecot.tls) as port,
        pytest.raises(PermanentMailError, match="STARTTLS") as caught,
    ):
        asyncio.run(_send_all(smtp_settings(port), [_mail()]))
    assert caught.value.code == 530


@pytest.mark.parametrize(
    ("stage", "reply", "expected", "code"),
    [
        ("RCPT", "450 4.2.0 <b@mx.test>: Mailbox busy, try later", TransientMailError, 450),
        ("DATA", "451 4.3.0 Temporary local problem", TransientMailError, 451),
        ("MAIL", "421 4.7.0 Too many connections", TransientMailError, 421),
        ("RCPT", "550 5.1.1 <b@mx.test>: Recipient address rejected: User unknown", PermanentMailError, 550),
        ("DATA", "552 5.3.4 Message size exceeds fixed limit", PermanentMailError, 552),
        ("MAIL", "553 5.7.1 Sender address rejected: not owned by user", PermanentMailError, 553),
    ],
)
def test_4xx_replies_are_retried_5xx_are_dead_letters_with_the_servers_reason(
    stage: str, reply: str, expected: type[Exception], code: int
) -> None:
    handler = Refusing(stage=stage, reply=reply)
    with running_smtpd(handler) as port, pytest.raises(expected) as caught:
        asyncio.run(_send_all(smtp_settings(port), [_mail()]))
    error = caught.value
    assert isinstance(error, TransientMailError | PermanentMailError)
    assert error.code == code
    assert reply.split(" ", 2)[2] in error.reason  # the server's own words
    assert handler.accepted == []


def test_the_sender_reconnects_after_a_failure_and_then_delivers(dovecot: Dovecot, mailbox: MailUser) -> None:
    handler = Refusing(stage="DATA", reply="451 4.3.0 Try again")

    async def scenario(port: int) -> None:
        sender = SmtpSender(smtp_settings(port))
        with pytest.raises(TransientMailError):
            await sender.send(_mail(1))
        handler.stage = "none"
        await sender.send(_mail(2))
        await sender.aclose()

    with running_smtpd(handler) as port:
        asyncio.run(scenario(port))
    assert handler.accepted == [_mail(2).data]


def test_a_server_that_never_answers_times_out_as_transient() -> None:
    with silent_server() as port:
        settings = SmtpSettings(host="127.0.0.1", port=port, tls=TlsMode.NONE, timeout_seconds=0.5)
        started = time.monotonic()
        with pytest.raises(TransientMailError, match=r"[Tt]imed out"):
            asyncio.run(_send_all(settings, [_mail()]))
    assert time.monotonic() - started < 5


def test_a_closed_port_is_transient() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), tls=TlsMode.NONE, timeout_seconds=2)
    with pytest.raises(TransientMailError, match="cannot connect"):
        asyncio.run(_send_all(settings, [_mail()]))
