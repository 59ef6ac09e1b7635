"""The port ``SoapChannel`` sends through (``Exchange``: one POST, the status and body back) and the
failures an implementation raises; ``faults.from_http`` turns each into a ``TransportError``.

The real implementation is ``http11.Http11Pool`` (h11 over asyncio streams); unit tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Exchange(Protocol):
    """POST ``body`` to ``url`` with ``headers``; the reply's status and body, at most ``max_bytes``."""

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, max_bytes: int
    ) -> tuple[int, bytes]:
        """Raises ``HttpFailure`` (one of the classes below) for anything but a complete reply."""
        ...

    async def aclose(self) -> None:
        """Close every connection."""
        ...


class HttpFailure(Exception):
    """The exchange did not produce a complete reply."""


class HttpTimeout(HttpFailure):
    """A phase took longer than its timeout; the class name says which (``ReadTimeout``...)."""


class ConnectTimeout(HttpTimeout):
    pass


class ReadTimeout(HttpTimeout):
    pass


class WriteTimeout(HttpTimeout):
    pass


class PoolTimeout(HttpTimeout):
    """No connection of the pool became free in time."""


class ConnectFailed(HttpFailure):
    """No connection could be made (refused, unreachable, no such host, TLS cut during the handshake)."""


class TlsRefused(ConnectFailed):
    """The TLS handshake failed for good (the certificate is not trusted, the node refused ours)."""


class ConnectionBroken(HttpFailure):
    """The connection failed after it was made: reset, closed or cut before the reply was complete."""


class ReplyMalformed(ConnectionBroken):
    """The node's bytes are not HTTP/1.1 (or end before the reply does)."""


class InvalidRequest(HttpFailure):
    """The request cannot be sent: the URL is not an http(s) URL with a host, or a header is invalid."""


class ReplyTooLarge(HttpFailure):
    """The reply is over ``limit`` bytes (said by its Content-Length or counted while reading)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the reply is over {limit:,} bytes")
        self.limit = limit
