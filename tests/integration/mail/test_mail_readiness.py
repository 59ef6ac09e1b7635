"""Readiness probes of the mail servers against real ones: aiosmtpd (plain, STARTTLS, implicit TLS)
and Dovecot (IMAP, IMAPS) answer ready; a stopped server, a closed port and a server that never greets
fail with a reason, within the check's timeout."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from ecms_adapters.observability.probes import mail_checks

from ecms_gateway.mail.settings import TlsMode
from ecms_gateway.runtime.health import CheckResult, HealthChecks
from tests.integration.mail.conftest import imap_settings, smtp_settings
from tests.integration.mail.servers import Dovecot, MailUser, free_port
from tests.integration.mail.smtpd import MaildirDelivery, running_smtpd, silent_server


def _results(smtp_port: int, dovecot: Dovecot, user: MailUser, *, tls: TlsMode) -> dict[str, CheckResult]:
    smtp = smtp_settings(smtp_port, tls=tls, dovecot=dovecot)
    imap = imap_settings(dovecot, user, tls=TlsMode.IMPLICIT if tls is not TlsMode.NONE else TlsMode.NONE)
    readiness = asyncio.run(HealthChecks(mail_checks(smtp, imap)).readiness())
    return {check.name: check for check in readiness.checks}


@pytest.mark.parametrize(
    ("mode", "tls"), [("plain", TlsMode.NONE), ("starttls", TlsMode.STARTTLS), ("implicit", TlsMode.IMPLICIT)]
)
def test_reachable_mail_servers_are_ready(
    dovecot: Dovecot, mailbox: MailUser, mode: str, tls: TlsMode
) -> None:
    handler = MaildirDelivery(mailbox)
    with running_smtpd(handler, mode=mode, tls=dovecot.tls) as port:
        results = _results(port, dovecot, mailbox, tls=tls)
    assert results["mail:smtp"].ok, results["mail:smtp"].reason
    assert results["mail:imap"].ok, results["mail:imap"].reason


def test_a_stopped_smtp_server_and_a_closed_imap_port_fail_with_reasons(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    with running_smtpd(MaildirDelivery(mailbox)) as port:
        pass  # stopped again: nothing listens there now
    imap = replace(imap_settings(dovecot, mailbox), port=free_port())
    readiness = asyncio.run(HealthChecks(mail_checks(smtp_settings(port), imap)).readiness())
    assert not readiness.ok
    reasons = {check.name: check.reason or "" for check in readiness.failed}
    assert set(reasons) == {"mail:smtp", "mail:imap"}
    assert reasons["mail:smtp"].endswith("): cannot connect or the connection broke: connection refused")
    assert reasons["mail:imap"].endswith("): cannot connect: connection refused")


def test_a_server_that_never_greets_fails_within_the_timeout(dovecot: Dovecot, mailbox: MailUser) -> None:
    with silent_server() as port:
        checks = [replace(check, timeout_s=0.5) for check in mail_checks(smtp_settings(port), None)]
        readiness = asyncio.run(HealthChecks(checks).readiness())
    assert not readiness.ok
    assert readiness.checks[0].reason == "no answer within 0.5 s"
