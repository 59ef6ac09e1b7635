"""aiosmtpd servers for the mail tests: one that delivers into a Dovecot Maildir (as an MTA with a
local delivery agent would), one that answers with a chosen 4xx/5xx reply, and one that never speaks."""

from __future__ import annotations

import gc
import socket
import ssl
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.integration.mail.servers import HOST, MailUser, TlsFiles, free_port

SMTP_USER = "gateway"
SMTP_PASSWORD = "send-2569"


@dataclass
class MaildirDelivery:
    """Delivers every accepted message into ``user``'s Maildir, with trace headers an MTA adds."""

    user: MailUser
    delivered: list[bytes] = field(default_factory=list)
    connections: set[int] = field(default_factory=set)  # one SMTP session object per connection

    async def handle_DATA(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        trace = (
            f"Return-Path: <{envelope.mail_from}>\r\n"
            f"Delivered-To: {', '.join(envelope.rcpt_tos)}\r\n"
            f"Received: from {session.host_name} ([{HOST}]) by mx.test (aiosmtpd);\r\n"
            f" {format_datetime(datetime.now(UTC))}\r\n"
        ).encode("ascii")
        self.user.deliver(trace + content)
        self.delivered.append(content)
        self.connections.add(id(session))
        return "250 2.0.0 Ok: delivered"


@dataclass
class Refusing:
    """Answers ``reply`` at ``stage`` (MAIL, RCPT or DATA) and accepts everything else."""

    stage: str
    reply: str
    accepted: list[bytes] = field(default_factory=list)

    async def handle_MAIL(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.stage == "MAIL":
            return self.reply
        envelope.mail_from = address
        return "250 2.1.0 Ok"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.stage == "RCPT":
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.stage == "DATA":
            return self.reply
        content = envelope.content
        assert isinstance(content, bytes)
        self.accepted.append(content)
        return "250 2.0.0 Ok"


def _authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends the 535 itself


def _server_context(tls: TlsFiles) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls.cert, tls.key)
    return context


@contextmanager
def running_smtpd(handler: object, *, mode: str = "plain", tls: TlsFiles | None = None) -> Iterator[int]:
    """An aiosmtpd server on 127.0.0.1 for the block; yields its port.

    ``mode``: ``plain`` (no TLS, no AUTH), ``starttls`` (STARTTLS and AUTH required) or ``implicit``
    (TLS from the first byte, AUTH offered)."""
    port = free_port()
    kwargs: dict[str, Any] = {}
    if mode == "starttls":
        assert tls is not None
        kwargs = {
            "tls_context": _server_context(tls),
            "require_starttls": True,
            "authenticator": _authenticator,
            "auth_required": True,
        }
    elif mode == "implicit":
        assert tls is not None
        # aiosmtpd 1.4 advertises AUTH on an SMTPS port only when it does not insist on STARTTLS; the
        # whole connection is TLS here, so login is offered (the gateway always logs in when configured).
        kwargs = {
            "ssl_context": _server_context(tls),
            "authenticator": _authenticator,
            "auth_require_tls": False,
        }
    controller = Controller(handler, hostname=HOST, port=port, server_hostname="mx.test", **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
        # aiosmtpd stops its loop with a server-side TLS connection still closing; its transport is
        # then found by the garbage collector at any later moment, in whichever test runs (a CI run
        # failed on the "unclosed transport" warning). Collect it here, where it is known to be the
        # test server's and not the gateway's.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel's backlog) and never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((HOST, 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])
