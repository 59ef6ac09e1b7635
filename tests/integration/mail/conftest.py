"""Fixtures for the mail integration tests: a Dovecot per xdist worker (session scope, stopped at the
end), a fresh mailbox per test, and settings for the gateway's SMTP sender and IMAP reader.

Without the ``dovecot`` binary the tests skip locally and fail under ``CI=true``
(CI installs the Debian package ``dovecot-imapd``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from ecms_gateway.mail.settings import AfterCommit, ImapSettings, ServerLogin, SmtpSettings, TlsMode
from tests.integration.mail.servers import (
    HOST,
    NOIDLE_HOST,
    PASSWORD,
    Dovecot,
    MailUser,
    remove_dovecot,
    start_dovecot,
)
from tests.integration.mail.smtpd import SMTP_PASSWORD, SMTP_USER

PASSWORD_ENV = "ECMS_TEST_MAIL_PASSWORD"


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if shutil.which("dovecot") is None:
        message = "dovecot not found (apt-get install dovecot-imapd)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must run the mail suite")
        pytest.skip(message)
    server = start_dovecot()
    try:
        yield server
    finally:
        if server.process is None or server.process.poll() is not None:
            print(server.log_text())
        remove_dovecot(server)


@pytest.fixture
def mailbox(dovecot: Dovecot) -> MailUser:
    """A new, empty mailbox (a new Dovecot user) for this test."""
    return dovecot.new_user()


def imap_settings(
    dovecot: Dovecot,
    user: MailUser,
    *,
    tls: TlsMode = TlsMode.NONE,
    idle: bool = True,
    after: AfterCommit = AfterCommit.FLAG_SEEN,
    batch_size: int = 20,
    poll_seconds: float = 0.2,
    timeout: float = 10.0,
) -> ImapSettings:
    """Settings for ``user``'s mailbox: ``idle=False`` uses the listener that does not offer IDLE."""
    host, port = HOST, dovecot.imap_port
    if tls is TlsMode.IMPLICIT:
        port = dovecot.imaps_port
    elif not idle:
        host, port = NOIDLE_HOST, dovecot.noidle_port
    return ImapSettings(
        host=host,
        port=port,
        tls=tls,
        login=ServerLogin(username=user.name, password_env=PASSWORD_ENV),
        ca_file=dovecot.tls.cert,
        after_commit=after,
        batch_size=batch_size,
        poll_seconds=poll_seconds,
        timeout_seconds=timeout,
    )


def smtp_settings(port: int, *, tls: TlsMode = TlsMode.NONE, dovecot: Dovecot | None = None) -> SmtpSettings:
    login = (
        None
        if tls is TlsMode.NONE
        else ServerLogin(username=SMTP_USER, password_env="ECMS_TEST_SMTP_PASSWORD")
    )
    return SmtpSettings(
        host=HOST,
        port=port,
        tls=tls,
        login=login,
        ca_file=dovecot.tls.cert if dovecot else None,
        timeout_seconds=5.0,
        local_hostname="gateway.test",
    )


@pytest.fixture(autouse=True)
def _passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv("ECMS_TEST_SMTP_PASSWORD", SMTP_PASSWORD)
