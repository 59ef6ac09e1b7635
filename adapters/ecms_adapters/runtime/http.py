"""The HTTP face of ``ecms-gateway run``: uvicorn serving the API app inside the gateway's own event
loop, stopped together with the gateway (uvicorn's own signal handling is switched off: the
gateway's SIGINT/SIGTERM handler stops both).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn

from ecms_adapters.api import AppHook, create_app
from ecms_gateway.config import HttpSection
from ecms_gateway.errors import ConfigError
from ecms_gateway.services.context import Services

log = logging.getLogger(__name__)


class _QuietServer(uvicorn.Server):
    """uvicorn without signal handlers: the gateway owns SIGINT/SIGTERM and sets ``should_exit``."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything starts: a taken port stops the start with one line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it every response waited ~40 ms for a delayed ACK
    # (Nagle), measured by bench/bench_api.py; uvicorn sets it only on sockets it binds itself.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        why = "is in use by another program" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc})"
        raise ConfigError(
            f"http.port: {host}:{port} {why}; choose another http.port or http.host in [http]"
        ) from exc
    sock.set_inheritable(True)
    return sock


@dataclass
class HttpFace:
    """The API server on one bound socket; ``serve()`` runs until ``stop()``."""

    server: uvicorn.Server
    sock: socket.socket

    @property
    def address(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    async def serve(self) -> None:
        try:
            await self.server.serve(sockets=[self.sock])
        finally:
            self.sock.close()

    def stop(self) -> None:
        self.server.should_exit = True


def http_face(
    section: HttpSection, services: Services, *, grace_s: float, extra: Sequence[AppHook] = ()
) -> HttpFace:
    """Bind ``section``'s address and build the server for the API of ``services``."""
    sock = bind(section.host, section.port)
    config = uvicorn.Config(
        create_app(services, extra=extra, max_request_bytes=section.max_request_bytes),
        log_config=None,  # the gateway's logging configuration stays in force
        access_log=section.access_log,
        forwarded_allow_ips=section.forwarded_allow_ips,
        timeout_graceful_shutdown=max(1, int(grace_s)),
        lifespan="on",
        http="h11",  # as before httptools was installed for the node (uvicorn's "auto" would take it)
    )
    return HttpFace(server=_QuietServer(config), sock=sock)


async def run_together(
    main: Coroutine[Any, Any, None], face: HttpFace, *, stop_main: Callable[[], None]
) -> None:
    """Run the gateway and the HTTP server; when either ends the other is stopped too."""
    gateway = asyncio.create_task(main, name="gateway")
    web = asyncio.create_task(face.serve(), name="http")
    done, _ = await asyncio.wait({gateway, web}, return_when=asyncio.FIRST_COMPLETED)
    if web in done and not gateway.done():
        log.error("the HTTP server stopped; stopping the gateway")
        stop_main()
    face.stop()
    # Both have ended before anything is closed; then a failure of either is raised.
    results = await asyncio.gather(gateway, web, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
