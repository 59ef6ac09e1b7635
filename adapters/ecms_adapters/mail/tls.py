"""TLS for the mail adapters: contexts that always check the server's certificate and name, and the
translation of TLS failures (a certificate that is not trusted is permanent; a cut handshake is not)."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Final

from ecms_gateway.errors import ConfigError, MailError, PermanentMailError, TransientMailError

_CUT: Final = (ssl.SSLEOFError, ssl.SSLZeroReturnError)


def client_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificate and host name checked, TLS 1.2 or later; ``ca_file`` replaces the system's CAs."""
    try:
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"the mail CA file {ca_file} cannot be loaded ({exc}); give a PEM file") from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def tls_cause(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl.SSLError`` behind ``exc`` (its cause chain), or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def tls_error(exc: BaseException, server: str, setting: str) -> MailError | None:
    """The gateway error for a TLS failure behind ``exc``, or None when TLS was not the problem.

    ``setting`` names the configuration key of the CA file (``mail.smtp.ca_file``)."""
    cause = tls_cause(exc)
    if cause is None:
        return None
    if isinstance(cause, _CUT):
        return TransientMailError(f"the TLS connection was cut ({cause})", server=server)
    if isinstance(cause, ssl.SSLCertVerificationError):
        detail = getattr(cause, "verify_message", None) or str(cause)
        return PermanentMailError(
            f"the server's TLS certificate is not trusted ({detail}); check {setting} and that the host "
            "name matches the certificate",
            server=server,
        )
    tls_key = setting.rsplit(".", 1)[0] + ".tls"
    return PermanentMailError(
        f"the TLS handshake failed ({cause}); check {tls_key} and the port: 'implicit' for a port that "
        "starts with TLS (993, 465), 'starttls' for one that starts in plain text (143, 587)",
        server=server,
    )
