"""One pooled HTTP/1.1 client (``http11.Http11Pool``) that POSTs SOAP envelopes to e-CMS nodes and reads
their replies with our codec (hardened parse, normalise, validate, decode), translating every failure at
this edge."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Self

from ecms_adapters.soap import faults
from ecms_adapters.soap.config import SoapClientConfig
from ecms_adapters.soap.exchange import Exchange, HttpFailure
from ecms_adapters.soap.http11 import Http11Pool
from ecms_gateway.codec import ErrorDetail, ReadMessage, read_message
from ecms_gateway.errors import InputError, PermanentTransportError
from ecms_gateway.xml.parser import XmlLimits

INLINE_BYTES: Final = 16 * 1024
"""Replies up to this size are decoded on the event loop, larger ones in a thread."""
HEADERS: Final = {
    "Content-Type": "text/xml; charset=utf-8",
    "SOAPAction": '""',
    "Accept": "text/xml",
    "User-Agent": "ecms-gateway",
}


@dataclass(frozen=True, kw_only=True)
class Reply:
    """A node's reply: the decoded message and the bytes exactly as they arrived."""

    read: ReadMessage
    raw: bytes


class AsyncClosing(ABC):
    """``async with`` for the SOAP classes: the block's end calls ``aclose``."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release the connections."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()


class SoapChannel(AsyncClosing):
    """POST a SOAP envelope to a node URL; the reply decoded, or a ``TransportError``.

    One keep-alive pool per channel: create it once and ``aclose`` it at the end. ``exchange``
    replaces the network (unit tests pass fakes).
    """

    def __init__(self, config: SoapClientConfig, *, exchange: Exchange | None = None) -> None:
        self.limits: XmlLimits = config.limits
        self._exchange: Exchange = (
            exchange
            if exchange is not None
            else Http11Pool(
                ssl_context=config.ssl_context(),
                timeouts=config.timeouts(),
                max_connections=config.max_connections,
            )
        )

    async def post(self, url: str, envelope: bytes, *, decode_letter: bool = True) -> Reply:
        """Send ``envelope`` to ``url``; the reply when it is an e-CMS message that is no error.

        Raises ``TransientTransportError`` or ``PermanentTransportError`` (an ErrorDetail or Fault
        reply becomes one of them, with the node's ErrorCode). ``decode_letter=False``: a letter in the
        reply is validated, its content read only when asked (see ``read_message``).
        """
        try:
            status, body = await self._exchange.post(url, envelope, HEADERS, max_bytes=self.limits.max_bytes)
        except HttpFailure as exc:
            raise faults.from_http(exc, url) from exc
        read = await self._read(body, url, strict=200 <= status < 300, decode_letter=decode_letter)
        if not 200 <= status < 300:
            raise faults.from_status(status, url, read)
        assert read is not None  # noqa: S101 - strict reading raised otherwise
        if read.envelope is None:
            raise PermanentTransportError(
                f"the node answered a bare {read.message_type}, not a SOAP envelope", endpoint=url
            )
        if isinstance(read.message, ErrorDetail):
            raise faults.from_error_detail(read, url)
        return Reply(read=read, raw=body)

    async def _read(
        self, body: bytes, url: str, *, strict: bool, decode_letter: bool = True
    ) -> ReadMessage | None:
        """The reply decoded; on a non-2xx reply, None when the body is not e-CMS (an HTML error page).

        A small reply (a ProcessID, an empty queue, a notifier) is read here on the event loop: that
        takes tens of microseconds, about what the hand-off to a thread and back costs; a larger one
        (a letter) is read in a thread.
        """
        source = f"reply of {url}"
        try:
            if len(body) <= INLINE_BYTES:
                return read_message(body, limits=self.limits, source=source, decode_letter=decode_letter)
            return await asyncio.to_thread(
                read_message, body, limits=self.limits, source=source, decode_letter=decode_letter
            )
        except InputError as exc:
            if not strict:
                return None
            raise PermanentTransportError(
                f"the reply is not a valid e-CMS message: {exc}", endpoint=url
            ) from exc

    async def aclose(self) -> None:
        await self._exchange.aclose()
