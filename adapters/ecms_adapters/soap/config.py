"""How to reach our e-CMS node: its URL, TLS (a CA bundle, an optional client certificate), timeouts and
the connection pool. One ``SoapChannel`` per configuration reuses its connections."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

from ecms_adapters.soap.http11 import Timeouts
from ecms_gateway.errors import ConfigError
from ecms_gateway.xml.parser import XmlLimits


@dataclass(frozen=True, kw_only=True)
class SoapClientConfig:
    """``url`` is the node's service URL (``https://node/ecms-ws01/service2``; add ``?org=ID`` when the
    node serves several organisations). ``ca_bundle`` replaces the system's trusted CAs; a client
    certificate is ``client_cert`` (PEM, may hold the key too) plus ``client_key``."""

    url: str
    ca_bundle: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0  # a node may take a while to accept a large letter
    write_timeout_s: float = 60.0
    pool_timeout_s: float = 10.0
    # Below the keep-alive timeouts servers commonly use (5 s: uvicorn, which our node runs on,
    # Node.js, Apache httpd; 2 s: gunicorn), so the pool drops an idle connection before the node
    # closes it; a letter's requests follow each other far closer than that.
    keepalive_expiry_s: float = 2.0
    max_connections: int = 10
    limits: XmlLimits = field(default_factory=XmlLimits)

    def timeouts(self) -> Timeouts:
        return Timeouts(
            connect=self.connect_timeout_s,
            read=self.read_timeout_s,
            write=self.write_timeout_s,
            pool=self.pool_timeout_s,
            keepalive_expiry=self.keepalive_expiry_s,
        )

    def ssl_context(self) -> ssl.SSLContext:
        """Certificate and host name checks always on; the CA bundle and client certificate as configured."""
        try:
            context = ssl.create_default_context(cafile=str(self.ca_bundle) if self.ca_bundle else None)
            if self.client_cert is not None:
                context.load_cert_chain(
                    str(self.client_cert), str(self.client_key) if self.client_key else None
                )
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"e-CMS client TLS: cannot load the CA bundle {self.ca_bundle} or the client certificate "
                f"{self.client_cert} / key {self.client_key}: {exc}"
            ) from exc
        if self.client_key is not None and self.client_cert is None:
            raise ConfigError("e-CMS client TLS: client_key is set without client_cert; set both or neither")
        return context
