"""``SmtpSender``: the ``MailSender`` port over aiosmtplib, one connection kept open between sends.

Replies are translated at this edge: 4xx, timeouts and broken connections are ``TransientMailError``
(the engine retries with backoff); 5xx, refused logins, untrusted certificates and a server without
the TLS the settings require are ``PermanentMailError`` carrying the server's own words.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Final

import aiosmtplib

from ecms_adapters.mail.tls import client_context, tls_error
from ecms_gateway.engine.reasons import describe
from ecms_gateway.errors import MailError, PermanentMailError, TransientMailError
from ecms_gateway.mail.compose import OutgoingMail
from ecms_gateway.mail.ports import SentMail
from ecms_gateway.mail.settings import SmtpSettings, TlsMode

_IDLE_CHECK_SECONDS: Final = 10.0  # a connection idle longer than this is checked with NOOP before use


class SmtpSender:
    """Sends through the configured SMTP server; safe to share between tasks (sends are serialised)."""

    def __init__(
        self, settings: SmtpSettings, *, password: str | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        settings.check()
        self._settings = settings
        if password is None and settings.login is not None:
            password = settings.login.password(environ, section="mail.smtp")
        self._password = password
        self._client: aiosmtplib.SMTP | None = None
        self._last_used = 0.0
        self._lock = asyncio.Lock()

    @property
    def server(self) -> str:
        return f"{self._settings.host}:{self._settings.port}"

    async def send(self, mail: OutgoingMail) -> SentMail:
        async with self._lock:
            client = await self._ready_client()
            try:
                _refused, reply = await client.sendmail(mail.envelope_from, list(mail.recipients), mail.data)
            except (aiosmtplib.SMTPException, OSError) as exc:
                await self._discard()
                raise self._translate(exc) from exc
            self._last_used = time.monotonic()
            return SentMail(message_id=mail.message_id, reply=reply)

    async def aclose(self) -> None:
        async with self._lock:
            client, self._client = self._client, None
            if client is None:
                return
            try:
                if client.is_connected:
                    await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                pass  # the server went away first: nothing left to say
            finally:
                client.close()
                await asyncio.sleep(0)

    async def _ready_client(self) -> aiosmtplib.SMTP:
        client = self._client
        if client is not None and client.is_connected:
            if time.monotonic() - self._last_used < _IDLE_CHECK_SECONDS:
                return client
            try:
                await client.noop()
                return client
            except (aiosmtplib.SMTPException, OSError):
                await self._discard()  # the server closed an idle connection: open a new one
        self._client = await self._connect()
        self._last_used = time.monotonic()
        return self._client

    async def _connect(self) -> aiosmtplib.SMTP:
        settings = self._settings
        tls = settings.tls
        client = _Client(
            hostname=settings.host,
            port=settings.port,
            username=settings.login.username if settings.login else None,
            password=self._password,
            local_hostname=settings.local_hostname,
            timeout=settings.timeout_seconds,
            use_tls=tls is TlsMode.IMPLICIT,
            start_tls=tls is TlsMode.STARTTLS,
            tls_context=client_context(settings.ca_file) if tls is not TlsMode.NONE else None,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            await asyncio.sleep(0)  # let the transport finish closing
            raise self._translate(exc, connecting=True) from exc
        return client

    async def _discard(self) -> None:
        """Forget the connection after a failure: its state is unknown, and unsent data is dropped."""
        client, self._client = self._client, None
        if client is not None:
            client.close()
            await asyncio.sleep(0)  # let the transport finish closing

    def _translate(self, exc: BaseException, *, connecting: bool = False) -> MailError:
        return translate_smtp_error(exc, self.server, connecting=connecting, tls=self._settings.tls)


class _Client(aiosmtplib.SMTP):
    """aiosmtplib's client, closing by abort: a TLS connection then ends at once instead of waiting
    for the server's close_notify (after QUIT or a failure nothing more is exchanged)."""

    def close(self) -> None:
        transport = self.transport
        super().close()
        if isinstance(transport, asyncio.Transport):
            transport.abort()


def translate_smtp_error(exc: BaseException, server: str, *, connecting: bool, tls: TlsMode) -> MailError:
    """The gateway error for an aiosmtplib failure (4xx and the network: transient; 5xx: permanent)."""
    refused = tls_error(exc, server, "mail.smtp.ca_file")
    if refused is not None:
        return refused
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return _recipients(exc, server)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _reply(exc, server, starttls=connecting and tls is TlsMode.STARTTLS)
    return _other(exc, server, connecting=connecting)


def _recipients(exc: aiosmtplib.SMTPRecipientsRefused, server: str) -> MailError:
    words = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
    code = min((r.code for r in exc.recipients), default=None)
    if any(400 <= r.code < 500 for r in exc.recipients):
        return TransientMailError(f"recipient deferred: {words}", server=server, code=code)
    return PermanentMailError(f"recipient refused: {words}", server=server, code=code)


def _reply(exc: aiosmtplib.SMTPResponseException, server: str, *, starttls: bool) -> MailError:
    cls = TransientMailError if 400 <= exc.code < 500 else PermanentMailError
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        hint = (
            ""
            if cls is TransientMailError
            else "; check mail.smtp.username and its password (mail.smtp.password_file or password_env)"
        )
        return cls(f"login refused: {exc.message}{hint}", server=server, code=exc.code)
    if starttls and cls is PermanentMailError:
        return cls(
            f"the server refused STARTTLS or the greeting ({exc.message}); it must offer STARTTLS, "
            "or set mail.smtp.tls to 'implicit' for an SMTPS port",
            server=server,
            code=exc.code,
        )
    return cls(exc.message or f"reply {exc.code}", server=server, code=exc.code)


def _other(exc: BaseException, server: str, *, connecting: bool) -> MailError:
    if connecting and type(exc) is aiosmtplib.SMTPException:  # no STARTTLS or no AUTH offered
        return PermanentMailError(
            f"{exc}; check mail.smtp.tls and mail.smtp.username against what the server offers", server=server
        )
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return PermanentMailError(f"the server does not support what is needed: {exc}", server=server)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return TransientMailError(f"timed out ({exc})", server=server)
    if isinstance(exc, aiosmtplib.SMTPConnectError | OSError):
        return TransientMailError(f"cannot connect or the connection broke: {describe(exc)}", server=server)
    return TransientMailError(f"the SMTP exchange failed: {describe(exc)}", server=server)
