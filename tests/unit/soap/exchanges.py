"""Fakes of ``ecms_adapters.soap.exchange.Exchange`` for unit tests: no sockets.

``AsgiExchange`` calls an ASGI app (the node's Starlette app) directly; ``HandlerExchange`` answers
with a function that returns a reply or raises one of the exchange's failures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ecms_adapters.soap.exchange import ReplyTooLarge
from starlette.types import ASGIApp, Message, Scope


@dataclass(frozen=True, kw_only=True)
class SentRequest:
    url: str
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class FakeReply:
    status: int
    body: bytes = b""


Handler = Callable[[SentRequest], FakeReply]


class HandlerExchange:
    """Each POST goes to ``handler``; its reply is held to ``max_bytes`` as the real pool does."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.closed = False

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, max_bytes: int
    ) -> tuple[int, bytes]:
        reply = self.handler(SentRequest(url=url, body=body, headers=dict(headers)))
        if len(reply.body) > max_bytes:
            raise ReplyTooLarge(max_bytes)
        return reply.status, reply.body

    async def aclose(self) -> None:
        self.closed = True


class AsgiExchange:
    """Each POST is one ASGI ``http`` call of ``app``; the app's exceptions propagate."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, max_bytes: int
    ) -> tuple[int, bytes]:
        parts = urlsplit(url)
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": parts.scheme,
            "path": parts.path or "/",
            "raw_path": (parts.path or "/").encode(),
            "query_string": parts.query.encode(),
            "root_path": "",
            "headers": [(b"host", parts.netloc.encode())]
            + [(name.lower().encode(), value.encode()) for name, value in headers.items()]
            + [(b"content-length", str(len(body)).encode())],
            "server": (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)),
            "client": ("127.0.0.1", 50000),
        }
        request: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
        started: list[Message] = []
        chunks: list[bytes] = []

        async def receive() -> Message:
            return request.pop() if request else {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        reply = b"".join(chunks)
        if len(reply) > max_bytes:
            raise ReplyTooLarge(max_bytes)
        return int(started[0]["status"]), reply

    async def aclose(self) -> None:
        """Nothing to release."""
