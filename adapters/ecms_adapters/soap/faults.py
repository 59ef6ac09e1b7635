"""Translate what went wrong talking to a node into ``TransientTransportError`` (retry) or
``PermanentTransportError`` (dead-letter), each with a reason an operator can act on.

Transient: timeouts, refused or cut connections, HTTP 5xx and 408/425/429, ``soap:Server`` faults and
the node codes marked transient. Permanent: TLS trust and handshake refusals, HTTP 3xx/4xx, ErrorDetail
and ``soap:Client`` faults, replies that are not the e-CMS message asked for.
"""

from __future__ import annotations

import ssl
from http import HTTPStatus
from typing import Final

from lxml import etree

from ecms_adapters.soap.exchange import (
    ConnectFailed,
    HttpFailure,
    HttpTimeout,
    InvalidRequest,
    ReplyTooLarge,
    TlsRefused,
)
from ecms_gateway.codec import ErrorDetail, ReadMessage
from ecms_gateway.errors import PermanentTransportError, TransientTransportError, TransportError
from ecms_gateway.node.codes import CODES, TRANSIENT_CODES
from ecms_gateway.xml.namespaces import SOAP_ENV

_TRANSIENT_STATUS: Final = frozenset({408, 425, 429})
_CUT_TLS: Final = (ssl.SSLEOFError, ssl.SSLZeroReturnError)


def from_http(exc: HttpFailure, url: str) -> TransportError:
    """The gateway error for a failed exchange (the caller raises it ``from exc``)."""
    if isinstance(exc, HttpTimeout):
        return TransientTransportError(_with_detail("timed out", exc), endpoint=url)
    if isinstance(exc, ReplyTooLarge):
        return PermanentTransportError(
            f"{exc}; raise xml.max_bytes if such replies are expected", endpoint=url
        )
    refused = _tls_refusal(exc, url)
    if refused is not None:
        return refused
    if isinstance(exc, InvalidRequest):
        return PermanentTransportError(
            f"the request cannot be sent ({exc}); check the node URL", endpoint=url
        )
    if isinstance(exc, ConnectFailed):
        return TransientTransportError(_with_detail("cannot connect", exc), endpoint=url)
    # ConnectionBroken, ReplyMalformed: the node or the network cut the exchange.
    return TransientTransportError(
        _with_detail("the connection broke before the reply was complete", exc), endpoint=url
    )


def _with_detail(what: str, exc: HttpFailure) -> str:
    """``what`` and, when the exchange said more, its words: "cannot connect: connection refused"."""
    detail = " ".join(str(exc).split())
    return f"{what}: {detail}" if detail else what


def _tls_refusal(exc: HttpFailure, url: str) -> PermanentTransportError | None:
    """A TLS failure that retrying cannot fix (trust, client certificate); None for anything else."""
    tls = _tls_cause(exc)
    if tls is None and isinstance(exc, TlsRefused):
        return _handshake_failed(exc, url)
    if tls is None or isinstance(tls, _CUT_TLS):
        return None
    if isinstance(tls, ssl.SSLCertVerificationError):
        return PermanentTransportError(
            f"the node's TLS certificate is not trusted ({getattr(tls, 'verify_message', None) or tls}); "
            "check the CA bundle "
            "(ca_bundle) and the node URL's host name",
            endpoint=url,
        )
    return _handshake_failed(tls, url)


def _handshake_failed(error: BaseException, url: str) -> PermanentTransportError:
    return PermanentTransportError(
        f"the TLS handshake failed ({error}); check the client certificate and key the node expects",
        endpoint=url,
    )


def from_status(status: int, url: str, read: ReadMessage | None) -> TransportError:
    """The error for a reply with a status that is not 2xx (``read``: its body, when it was e-CMS)."""
    if read is not None and isinstance(read.message, ErrorDetail):
        return from_error_detail(read, url, status=status)
    reason = f"HTTP {status} {_phrase(status)}"
    if status >= 500 or status in _TRANSIENT_STATUS:
        return TransientTransportError(f"{reason}; the node may be busy or restarting", endpoint=url)
    if 300 <= status < 400:
        return PermanentTransportError(
            f"{reason}: the node URL redirects; configure the final URL", endpoint=url
        )
    return PermanentTransportError(
        f"{reason}: the node refused the request; check the node URL", endpoint=url
    )


def from_error_detail(read: ReadMessage, url: str, *, status: int = 200) -> TransportError:
    """The error for an ``ErrorDetail``, alone in the Body or inside a ``soap:Fault``."""
    detail = read.message
    assert isinstance(detail, ErrorDetail)  # noqa: S101 - callers check
    side = _fault_side(read.payload)
    reason = detail.description or "(no description)"
    if detail.code in TRANSIENT_CODES or (detail.code not in CODES and side == "Server"):
        return TransientTransportError(reason, endpoint=url, error_code=detail.code or None)
    if status >= 500 and side is None and detail.code not in CODES:
        return TransientTransportError(reason, endpoint=url, error_code=detail.code or None)
    return PermanentTransportError(reason, endpoint=url, error_code=detail.code or None)


def unexpected(read: ReadMessage, url: str, expected: str) -> PermanentTransportError:
    return PermanentTransportError(
        f"the node answered {read.message_type} where {expected} was expected", endpoint=url
    )


def _fault_side(payload: etree._Element) -> str | None:
    """``Client`` or ``Server`` from a ``soap:Fault``'s faultcode; None for a bare ErrorDetail."""
    if payload.tag != f"{{{SOAP_ENV}}}Fault":
        return None
    code = (payload.findtext("faultcode") or "").strip()
    local = code.rsplit(":", 1)[-1]
    return local.split(".", 1)[0] or None  # SOAP 1.1 allows dotted refinements: Server.Busy


def _tls_cause(exc: BaseException) -> ssl.SSLError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
