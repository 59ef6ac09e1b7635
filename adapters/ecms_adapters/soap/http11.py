"""``Http11Pool``: the ``Exchange`` SOAP channels use, HTTP/1.1 by h11 over asyncio streams with a
keep-alive pool. It does only what talking to e-CMS nodes needs (POST, TLS, timeouts, a size limit),
for a fifth of httpx's CPU per request (docs/ecms-channel.md, "The HTTP client")."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import h11

from ecms_adapters.soap.exchange import (
    ConnectFailed,
    ConnectionBroken,
    ConnectTimeout,
    InvalidRequest,
    PoolTimeout,
    ReadTimeout,
    ReplyMalformed,
    ReplyTooLarge,
    TlsRefused,
    WriteTimeout,
)
from ecms_adapters.soap.target import Origin, Target, parse_target
from ecms_gateway.engine.reasons import describe

_READ_SIZE = 65536
_WRITE_SIZE = 262144
_CUT_TLS = (ssl.SSLEOFError, ssl.SSLZeroReturnError)
_CLOSE_WAIT_S = 1.0  # how long aclose waits for a TLS close_notify exchange before letting go
# How a peer that closed or reset the connection shows on a write or a read (with TLS: cut short).
_PEER_CLOSED = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, *_CUT_TLS)

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Timeouts:
    """Seconds; ``read`` bounds each read of the socket, not the whole reply. ``keepalive_expiry``: a
    connection idle in the pool longer than that is closed instead of reused (servers close idle ones
    at their own keep-alive timeout, and one closing just as a request goes out loses it)."""

    connect: float
    read: float
    write: float
    pool: float
    keepalive_expiry: float


class _Connection:
    """One socket and its h11 state; used by one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.http = h11.Connection(our_role=h11.CLIENT)
        self.idle_since = 0.0  # time.monotonic() when it went back to the pool
        self.answered = False  # a byte of the reply to the current request has arrived
        self.peer_closed = False  # the current request failed because the node closed or reset it

    def closed_unanswered(self) -> bool:
        """The node closed or reset the connection before a byte of the reply to this request."""
        return self.peer_closed and not self.answered

    def reusable(self) -> bool:
        """Idle on both sides, and the node has neither closed it nor sent anything unasked."""
        pending, closed = self.http.trailing_data
        return (
            self.http.our_state is h11.IDLE
            and self.http.their_state is h11.IDLE
            and not pending
            and not closed
            and not self.reader.at_eof()
            and self.reader.exception() is None
            and not self.writer.transport.is_closing()
        )

    async def exchange(
        self, target: Target, body: bytes, headers: Mapping[str, str], timeouts: Timeouts, max_bytes: int
    ) -> tuple[int, bytes]:
        self.answered = self.peer_closed = False
        await self._send(target, body, headers, timeouts.write)
        status = await self._response(timeouts.read, max_bytes)
        chunks: list[bytes] = []
        size = 0
        while True:
            event = await self._event(timeouts.read)
            if isinstance(event, h11.Data):
                size += len(event.data)
                if size > max_bytes:
                    raise ReplyTooLarge(max_bytes)
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                break
        if self.http.our_state is h11.DONE and self.http.their_state is h11.DONE:
            self.http.start_next_cycle()
        return status, b"".join(chunks)

    async def _send(self, target: Target, body: bytes, headers: Mapping[str, str], timeout: float) -> None:
        fields = [("Host", target.host_header), ("Content-Length", str(len(body)))]
        fields += [(name, value) for name, value in headers.items() if name.lower() != "host"]
        try:
            head = self.http.send(h11.Request(method="POST", target=target.request_target, headers=fields))
            # The body as it is: h11's send() would join it into new bytes, and adding the head and
            # the end would copy it again (two more copies of a 20 MB letter while it is sent).
            framed = self.http.send_with_data_passthrough(h11.Data(data=body)) or []
            end = self.http.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError as exc:
            raise InvalidRequest(str(exc)) from exc
        pieces = [head or b"", *framed, end]
        if len(body) <= _WRITE_SIZE:  # a usual envelope: one write
            pieces = [b"".join(pieces)]
        try:
            # A large letter goes in pieces, each given the write timeout: no progress for that long is
            # the timeout, as in httpx.
            for piece in pieces:
                view = memoryview(piece)
                for start in range(0, len(view), _WRITE_SIZE):
                    async with asyncio.timeout(timeout):
                        self.writer.write(view[start : start + _WRITE_SIZE])
                        await self.writer.drain()
        except TimeoutError as exc:
            raise WriteTimeout(f"no progress writing the request in {timeout} s") from exc
        except OSError as exc:
            self.peer_closed = isinstance(exc, _PEER_CLOSED)
            raise ConnectionBroken(f"writing the request failed: {exc}") from exc

    async def _response(self, timeout: float, max_bytes: int) -> int:
        while True:
            event = await self._event(timeout)
            if isinstance(event, h11.Response):
                length = _content_length(event.headers)
                if length is not None and length > max_bytes:
                    raise ReplyTooLarge(max_bytes)  # refused before reading a byte of it
                return event.status_code
            # an h11.InformationalResponse (100 Continue...) comes before the real one: skip it

    async def _event(self, timeout: float) -> h11.Event:
        while True:
            try:
                event = self.http.next_event()
            except h11.RemoteProtocolError as exc:
                if self.closed_unanswered():  # h11 refuses the end of the stream before a reply
                    raise ConnectionBroken("the node closed the connection without replying") from exc
                raise ReplyMalformed(str(exc)) from exc
            if isinstance(event, h11.ConnectionClosed):
                raise ConnectionBroken("the node closed the connection without replying")
            if isinstance(event, h11.Event):
                return event
            if event is h11.PAUSED:  # only after a complete reply, which the callers stop at
                raise ReplyMalformed("the reply went on after its end")
            self.http.receive_data(await self._read(timeout))  # NEED_DATA; b"" at the end of the stream

    async def _read(self, timeout: float) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                data = await self.reader.read(_READ_SIZE)
        except TimeoutError as exc:
            raise ReadTimeout(f"nothing received in {timeout} s") from exc
        except OSError as exc:
            self.peer_closed = isinstance(exc, _PEER_CLOSED)
            raise ConnectionBroken(f"reading the reply failed: {exc}") from exc
        if data:
            self.answered = True
        else:
            self.peer_closed = True
        return data

    async def close(self) -> None:
        self.writer.close()
        try:
            async with asyncio.timeout(_CLOSE_WAIT_S):
                await self.writer.wait_closed()
        except (TimeoutError, OSError):
            pass  # closing a connection that already broke: nothing more to release


class Http11Pool:
    """At most ``max_connections`` connections over every origin; idle ones reused newest first, for
    at most ``timeouts.keepalive_expiry`` seconds.

    A connection is put back only after a complete reply on a connection both sides keep alive;
    after a timeout, an error or a cancellation it is closed. A request that a reused connection
    loses because the node closed or reset it before a byte of the reply is sent once more on a new
    connection: almost always the node closed it idle, without reading the request (see
    docs/ecms-channel.md, "The HTTP client", for why resending is safe for every e-CMS request).
    """

    def __init__(self, *, ssl_context: ssl.SSLContext, timeouts: Timeouts, max_connections: int) -> None:
        self._ssl = ssl_context
        self._timeouts = timeouts
        self._max = max_connections
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: dict[Origin, list[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._closed = False

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, max_bytes: int
    ) -> tuple[int, bytes]:
        if self._closed:
            raise RuntimeError("the SOAP channel is closed: no request can be sent through it")
        target = parse_target(url)
        await self._acquire()
        try:
            reused = self._idle_connection(target.origin)
            if reused is not None:
                try:
                    return await self._exchange(reused, target, body, headers, max_bytes)
                except ConnectionBroken:
                    if not reused.closed_unanswered():
                        raise
                    log.debug(
                        "%s closed a kept-alive connection as a request went out; sending it again "
                        "on a new connection",
                        target.origin.host,
                    )
            connection = await self._connect(target.origin)
            return await self._exchange(connection, target, body, headers, max_bytes)
        finally:
            self._slots.release()

    async def _exchange(
        self, connection: _Connection, target: Target, body: bytes, headers: Mapping[str, str], max_bytes: int
    ) -> tuple[int, bytes]:
        """One request on ``connection``; afterwards it is back in the pool or closed."""
        try:
            reply = await connection.exchange(target, body, headers, self._timeouts, max_bytes)
        except BaseException:
            self._discard(connection)  # no await here: a cancelled task must not wait again
            raise
        if connection.reusable():
            connection.idle_since = time.monotonic()
            self._idle.setdefault(target.origin, []).append(connection)
        else:
            self._discard(connection)
        return reply

    async def _acquire(self) -> None:
        try:
            async with asyncio.timeout(self._timeouts.pool):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise PoolTimeout(f"all {self._max} connections stayed busy for {self._timeouts.pool} s") from exc

    def _idle_connection(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin, [])
        fresh_since = time.monotonic() - self._timeouts.keepalive_expiry
        while idle:
            connection = idle.pop()
            if connection.idle_since >= fresh_since and connection.reusable():
                return connection
            self._discard(connection)  # idle too long, or the node closed it while it was idle
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        self._make_room()
        tls = self._ssl if origin.tls else None
        try:
            async with asyncio.timeout(self._timeouts.connect):
                reader, writer = await asyncio.open_connection(
                    origin.host, origin.port, ssl=tls, server_hostname=origin.host if tls else None
                )
        except TimeoutError as exc:
            raise ConnectTimeout(f"no connection within {self._timeouts.connect} s") from exc
        except ssl.SSLError as exc:
            if isinstance(exc, _CUT_TLS):
                raise ConnectFailed(f"the TLS handshake was cut: {exc}") from exc
            raise TlsRefused(str(exc)) from exc
        except OSError as exc:
            raise ConnectFailed(describe(exc)) from exc
        connection = _Connection(reader, writer)
        self._open.add(connection)
        return connection

    def _make_room(self) -> None:
        """Close idle connections (the oldest of each origin first) until a new one fits the limit."""
        for idle in self._idle.values():
            while idle and len(self._open) >= self._max:
                self._discard(idle.pop(0))

    def _discard(self, connection: _Connection) -> None:
        """Close at once (the transport finishes closing on its own) and forget it."""
        self._open.discard(connection)
        connection.writer.close()

    async def aclose(self) -> None:
        self._closed = True
        connections = list(self._open)
        self._open.clear()
        self._idle.clear()
        for connection in connections:
            await connection.close()


def _content_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            return int(value)  # h11 has checked it is digits
    return None
