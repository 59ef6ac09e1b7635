"""``HttpxPoster``: POSTs webhook bodies with httpx; every failure becomes a ``PostResult`` in words.

Redirects are never followed (a 3xx is a failure that names where it points: register that URL), so
a signed body only goes to the address the operator registered. Every POST has a timeout; a slow
receiver is a failure retried later, it does not hold the gateway.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from ecms_gateway.engine.reasons import describe
from ecms_gateway.webhooks import PostResult

_SNIPPET = 300  # characters of a receiver's error reply kept for operators


@dataclass(frozen=True, kw_only=True)
class PosterSettings:
    timeout_s: float = 10.0
    connect_timeout_s: float = 5.0
    max_connections: int = 10
    ca_file: str | None = None  # trust these CAs instead of the system's (an internal CA)


class HttpxPoster:
    """One pooled ``httpx.AsyncClient`` for every subscription."""

    def __init__(
        self, settings: PosterSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
    ):
        self.settings = settings or PosterSettings()
        s = self.settings
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(s.timeout_s, connect=s.connect_timeout_s),
            limits=httpx.Limits(max_connections=s.max_connections),
            follow_redirects=False,
            verify=s.ca_file if s.ca_file else True,
            transport=transport,
            trust_env=False,  # no proxy from the environment: the registered URL is the destination
        )

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> PostResult:
        started = time.monotonic()
        host = urlsplit(url).netloc
        try:
            async with self._client.stream("POST", url, content=body, headers=dict(headers)) as response:
                snippet = await _snippet(response)
        except httpx.TimeoutException:
            return _result(None, f"no answer from {host} within {self.settings.timeout_s:g} s", started)
        except httpx.HTTPError as exc:
            cause = exc.__cause__
            what = " ".join(str(exc).split()) or (
                describe(cause) if isinstance(cause, OSError) else "the connection failed"
            )
            return _result(None, f"cannot reach {host}: {what}", started)
        status = response.status_code
        if 200 <= status < 300:
            return _result(status, None, started)
        if 300 <= status < 400:
            where = response.headers.get("location", "(no Location)")
            problem = f"HTTP {status}: redirects to {where}, which is not followed; register the final URL"
            return _result(status, problem, started)
        return _result(status, f"HTTP {status}" + (f": {snippet}" if snippet else ""), started)

    async def aclose(self) -> None:
        await self._client.aclose()


async def _snippet(response: httpx.Response) -> str:
    """The start of the reply (enough to show an error page's message), never the whole of it."""
    if 200 <= response.status_code < 300:
        return ""
    data = b""
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= _SNIPPET * 4:
            break
    text = data.decode("utf-8", errors="replace")
    return " ".join(text.split())[:_SNIPPET]


def _result(status: int | None, error: str | None, started: float) -> PostResult:
    return PostResult(status=status, error=error, duration_ms=int((time.monotonic() - started) * 1000))
