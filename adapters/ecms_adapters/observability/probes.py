"""Readiness probes of the mail servers: connect (with TLS as configured) and read the greeting, then
say goodbye. No login: a probe every few seconds must not fill the server's authentication log or
lock the account; a wrong password shows in the failure metrics and the dead letters instead."""

from __future__ import annotations

import asyncio
import contextlib

import aioimaplib
import aiosmtplib

from ecms_adapters.mail.smtp import translate_smtp_error
from ecms_adapters.mail.tls import client_context
from ecms_gateway.engine.reasons import describe
from ecms_gateway.errors import TransientMailError
from ecms_gateway.mail.settings import ImapSettings, SmtpSettings, TlsMode
from ecms_gateway.runtime.health import DEFAULT_TIMEOUT_S, Check, Probe


def smtp_probe(settings: SmtpSettings, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Probe:
    async def probe() -> None:
        client = aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            local_hostname=settings.local_hostname,
            timeout=timeout_s,
            use_tls=settings.tls is TlsMode.IMPLICIT,
            start_tls=settings.tls is TlsMode.STARTTLS,
            tls_context=client_context(settings.ca_file) if settings.tls is not TlsMode.NONE else None,
        )
        server = f"{settings.host}:{settings.port}"
        try:
            await client.connect()
            await client.quit()
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise translate_smtp_error(exc, server, connecting=True, tls=settings.tls) from exc
        finally:
            client.close()
            await asyncio.sleep(0)  # let the transport finish closing

    return probe


def imap_probe(settings: ImapSettings, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Probe:
    async def probe() -> None:
        server = f"{settings.host}:{settings.port}"
        if settings.tls is TlsMode.IMPLICIT:
            context = client_context(settings.ca_file)
            client = aioimaplib.IMAP4_SSL(
                settings.host, settings.port, timeout=timeout_s, ssl_context=context
            )
        else:
            client = aioimaplib.IMAP4(settings.host, settings.port, timeout=timeout_s)
        try:
            await client.wait_hello_from_server()
            if client.get_state() == "NONAUTH" and client.protocol.transport is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.logout(), timeout_s)
                return
            raise TransientMailError("no greeting from the IMAP server", server=server)
        except (OSError, aioimaplib.CommandTimeout, aioimaplib.Abort) as exc:
            raise TransientMailError(f"cannot connect: {describe(exc)}", server=server) from exc
        finally:
            transport = client.protocol.transport
            if isinstance(transport, asyncio.Transport):
                transport.abort()
            await asyncio.sleep(0)

    return probe


def mail_checks(smtp: SmtpSettings, imap: ImapSettings | None) -> list[Check]:
    checks = [Check(name="mail:smtp", probe=smtp_probe(smtp))]
    if imap is not None:
        checks.append(Check(name="mail:imap", probe=imap_probe(imap)))
    return checks
