"""A real HTTP receiver on 127.0.0.1 (stdlib ``http.server`` in a thread) that records every POST and
answers from a script of statuses (then 200), as an office system's webhook endpoint would; and
``deliver_until``, which drives the gateway's webhook loop against it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ecms_adapters.webhooks import HttpxPoster, PosterSettings

from ecms_gateway.engine import RetryPolicy, Store
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.webhooks import WebhookLoop, WebhookParts


@dataclass(frozen=True, kw_only=True)
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what we answered
    at: float  # time.monotonic() when it came


@dataclass
class Receiver:
    port: int = 0
    script: list[int] = field(default_factory=list)
    fail_all: bool = False  # answer 500 to everything until cleared
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(self) -> int:
        with self.lock:
            if self.fail_all:
                return 500
            return self.script.pop(0) if self.script else 200

    def record(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)

    def accepted(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if 200 <= r.status < 300]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            status = receiver.answer()
            receiver.record(
                Request(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    status=status,
                    at=time.monotonic(),
                )
            )
            reply = b"ok" if status < 300 else b"receiver is down for maintenance"
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def running_receiver(script: list[int] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(script=list(script or []))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def deliver_until(
    store: Store, done: Callable[[], bool], *, policy: RetryPolicy, timeout: float = 30
) -> None:
    """Run the runtime's webhook loop with the real httpx poster until ``done()``, as ``run`` would."""
    poster = HttpxPoster(PosterSettings(timeout_s=5))
    parts = WebhookParts(poster=poster, policy=policy, interval_s=0.05)
    stopping = asyncio.Event()
    loop = WebhookLoop(store=store, parts=parts, owner="test/webhooks", wake=Pulse())
    task = asyncio.create_task(loop.run(stopping))
    try:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, "the receiver did not get what was expected in time"
            assert not task.done(), task.exception()
            await asyncio.sleep(0.05)
    finally:
        stopping.set()
        await asyncio.wait_for(task, timeout=10)
        await poster.aclose()
