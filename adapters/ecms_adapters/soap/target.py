"""A node URL taken apart for an HTTP/1.1 request: where to connect and what to put on the request line."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

from ecms_adapters.soap.exchange import InvalidRequest

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are in the request target: RFC 3986's reserved ones, and % of escapes already
# in the URL. Anything else (a Thai letter, a space) is percent-encoded as UTF-8, as browsers do.
_SAFE = "/?#[]@!$&'()*+,;=:%~"


@dataclass(frozen=True, kw_only=True)
class Origin:
    """Connections are pooled per origin: scheme, host and port."""

    tls: bool
    host: str
    port: int


@dataclass(frozen=True, kw_only=True)
class Target:
    origin: Origin
    host_header: str  # host[:port] as the URL wrote it, brackets kept around an IPv6 address
    request_target: bytes  # path and query


@lru_cache(maxsize=256)  # a channel posts to a handful of node URLs, again and again
def parse_target(url: str) -> Target:
    """Raises ``InvalidRequest`` for anything but an http or https URL with a host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidRequest(f"the URL {url!r} is not valid: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidRequest(f"the URL {url!r} has an unsupported protocol {scheme + '://'!r}")
    if not parts.hostname:
        raise InvalidRequest(f"the URL {url!r} has no host")
    path = quote(parts.path or "/", safe=_SAFE)
    query = quote(parts.query, safe=_SAFE)
    return Target(
        origin=Origin(tls=scheme == "https", host=parts.hostname, port=port or _DEFAULT_PORTS[scheme]),
        host_header=parts.netloc.rpartition("@")[2],
        request_target=(path + ("?" + query if query else "")).encode("ascii"),
    )
