"""A small HTTP proxy that breaks some requests on purpose, between the gateways and the node.

For a share ``rate`` of the requests it does one of three things, in equal parts: answer HTTP 500
without forwarding; cut the connection without forwarding; forward the request and cut the connection
instead of returning the node's reply (the node did the work, the gateway does not know). The rest go
through unchanged. Runs its own event loop in a thread of the test process.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections import Counter
from concurrent.futures import Future

import httpx


class FaultProxy:
    def __init__(self, target_port: int, *, rate: float, seed: int = 7) -> None:
        self.target = f"http://127.0.0.1:{target_port}"
        self.rate = rate
        self.random = random.Random(seed)  # noqa: S311 - fault injection, not cryptography
        self.counts: Counter[str] = Counter()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._client: httpx.AsyncClient | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def start(self) -> int:
        self._thread.start()
        started: Future[int] = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.port = started.result(timeout=10)
        return self.port

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        # Close callbacks scheduled in the loop's last moments (a transport's connection_lost closes its
        # socket) run here; a socket left for the garbage collector is a ResourceWarning in some test.
        self._loop.run_until_complete(asyncio.sleep(0.05))
        self._loop.close()

    async def _start(self) -> int:
        self._client = httpx.AsyncClient(timeout=60, trust_env=False)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        # A connection accepted while stopping starts its handler after the first cancelling: cancel
        # until no handler is left, then abort what is still open.
        for _ in range(20):
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if not others:
                break
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
        for writer in list(self._writers):
            writer.transport.abort()
        if self._client is not None:
            await self._client.aclose()
        await asyncio.sleep(0.05)  # the aborted transports' close callbacks

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                if not await self._answer(request, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()
            self._writers.discard(writer)

    async def _answer(self, request: tuple[str, dict[str, str], bytes], writer: asyncio.StreamWriter) -> bool:
        """Reply (True: keep the connection) or break it (False)."""
        target, headers, body = request
        roll = self.random.random()
        third = self.rate / 3
        if roll < third:
            self.counts["500"] += 1
            writer.write(_response(500, "text/plain", b"injected failure"))
            await writer.drain()
            return True
        if roll < 2 * third:
            self.counts["cut before"] += 1
            return False
        assert self._client is not None
        reply = await self._client.post(
            self.target + target,
            content=body,
            headers={"Content-Type": headers.get("content-type", "text/xml")},
        )
        if roll < self.rate:
            self.counts["cut after"] += 1
            return False
        self.counts["passed"] += 1
        writer.write(
            _response(reply.status_code, reply.headers.get("content-type", "text/xml"), reply.content)
        )
        await writer.drain()
        return True


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    target = lines[0].split(" ")[1]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return target, headers, body


def _response(status: int, content_type: str, body: bytes) -> bytes:
    phrase = httpx.codes.get_reason_phrase(status)
    head = (
        f"HTTP/1.1 {status} {phrase}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class LosingProxy(FaultProxy):
    """Forwards every request; the first ``lose`` requests whose body holds ``match`` are forwarded and
    answered HTTP 500 instead of the node's reply (the node did the work; the gateway is told it
    failed). ``matched`` keeps the body of every matching request, as it came."""

    def __init__(self, target_port: int, *, match: bytes, lose: int = 1) -> None:
        super().__init__(target_port, rate=0.0)
        self.match = match
        self.lose = lose
        self.matched: list[bytes] = []

    async def _answer(self, request: tuple[str, dict[str, str], bytes], writer: asyncio.StreamWriter) -> bool:
        target, headers, body = request
        if self.match not in body or len(self.matched) >= self.lose:
            if self.match in body:
                self.matched.append(body)
            return await super()._answer(request, writer)  # rate 0: passed through
        self.matched.append(body)
        assert self._client is not None
        await self._client.post(
            self.target + target,
            content=body,
            headers={"Content-Type": headers.get("content-type", "text/xml")},
        )
        self.counts["reply lost"] += 1
        writer.write(_response(500, "text/plain", b"injected failure after forwarding"))
        await writer.drain()
        return True
