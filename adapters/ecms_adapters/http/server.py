"""Serve an ASGI app with uvicorn on one address, optionally over HTTPS with client certificates."""

from __future__ import annotations

import contextlib
import signal
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn
import uvicorn.server
from starlette.types import ASGIApp


@dataclass(frozen=True, kw_only=True)
class Listen:
    """Where to listen; ``certfile``/``keyfile`` turn on HTTPS, ``client_ca`` requires client certificates."""

    host: str
    port: int
    certfile: Path | None = None
    keyfile: Path | None = None
    client_ca: Path | None = None
    log_level: str = "warning"
    own_logging: bool = False  # True: uvicorn's lines go through the logging we configured (JSON or text)
    access_log: bool = False  # a line per request (at INFO); off, uvicorn skips building it at all


def server(app: ASGIApp, listen: Listen) -> uvicorn.Server:
    """A uvicorn server for ``app`` (``await server.serve()``; it stops on SIGINT/SIGTERM)."""
    config = uvicorn.Config(
        app,
        host=listen.host,
        port=listen.port,
        log_level=listen.log_level,
        access_log=listen.access_log,
        ssl_certfile=str(listen.certfile) if listen.certfile else None,
        ssl_keyfile=str(listen.keyfile) if listen.keyfile else None,
        ssl_ca_certs=str(listen.client_ca) if listen.client_ca else None,
        ssl_cert_reqs=ssl.CERT_REQUIRED if listen.client_ca else ssl.CERT_NONE,
        proxy_headers=False,
        server_header=False,
        lifespan="on",
        # httptools' C parser: the node's CPU per request 10-18% below h11's (bench/bench_node.py).
        http="httptools",
        log_config=None if listen.own_logging else uvicorn.config.LOGGING_CONFIG,
    )
    return _Server(config)


class _Server(uvicorn.Server):
    """uvicorn's server, for which SIGINT and SIGTERM are a clean stop.

    uvicorn (0.29 on) raises the signal again once it has shut down, so the process ended by it
    (exit 143 on SIGTERM) before the caller's cleanup ran: the database was never closed and a
    documented clean stop (exit 0) never happened."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        original = {sig: signal.signal(sig, self.handle_exit) for sig in uvicorn.server.HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)
