"""What ``ecms-gateway node`` is started with; the composition root builds the running node from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Final

SERVICE_PATH: Final = "/ecms-ws01/service2"
DATABASE_FILE: Final = "ecms-node.sqlite3"
# The relay client's timeouts unless the node is started with others (those of the gateway's client).
RELAY_CONNECT_TIMEOUT_S: Final = 10.0
RELAY_TIMEOUT_S: Final = 60.0  # to send a request, and to wait for the reply: a large letter takes a while


@dataclass(frozen=True, kw_only=True)
class NodeOptions:
    """A node's directory, data folder, address and TLS. ``public_url`` is the node's URL as the
    directory lists it (default: ``http(s)://host:port/ecms-ws01/service2``)."""

    directory: Path
    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    public_url: str | None = None
    database_url: str | None = None
    tls_cert: Path | None = None  # serve HTTPS with this certificate (PEM) ...
    tls_key: Path | None = None  # ... and this key
    tls_client_ca: Path | None = None  # require client certificates issued by this CA
    relay_ca_bundle: Path | None = None  # trust these CAs when relaying to other nodes over HTTPS
    relay_client_cert: Path | None = None  # present this certificate to other nodes
    relay_client_key: Path | None = None
    relay_connect_timeout_s: float = RELAY_CONNECT_TIMEOUT_S  # to connect to another node
    relay_timeout_s: float = RELAY_TIMEOUT_S  # to send it a request, and to wait for its reply
    relay_interval_s: float = 1.0  # how often the relay worker looks for due jobs
    retention: timedelta | None = None  # drop what was finished longer ago (None: keep everything)
    log_level: str = "warning"
    log_format: str = "text"  # json | text (ecms_gateway.logs.LogFormat)

    @property
    def service_url(self) -> str:
        if self.public_url:
            return self.public_url
        scheme = "https" if self.tls_cert else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}{SERVICE_PATH}"

    def sqlalchemy_url(self) -> str:
        """The node's database: ``database_url`` or SQLite ``<data-dir>/ecms-node.sqlite3``.

        ``ConfigError`` for a URL of another kind of database (it ended the node as an internal error
        when SQLAlchemy found no driver for it); ``postgresql://`` gets the installed driver."""
        if self.database_url:
            from ecms_gateway.store.database import resolve_url  # noqa: PLC0415 - the parser imports this module

            return resolve_url(data_dir=self.data_dir, database_url=self.database_url)
        return f"sqlite:///{(self.data_dir / DATABASE_FILE).resolve()}"
