"""The port the webhook delivery needs from an HTTP client (``ecms_adapters.webhooks.HttpxPoster``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, kw_only=True)
class PostResult:
    """How one POST ended: the HTTP status (None when no response came) and what went wrong, if anything."""

    status: int | None
    error: str | None = None  # None for a 2xx
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and self.error is None


class WebhookPoster(Protocol):
    """POSTs one body; never raises for network or HTTP trouble, it returns a ``PostResult`` saying so.

    Redirects are not followed (a moved endpoint is registered again), and each POST has a timeout.
    """

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> PostResult: ...

    async def aclose(self) -> None: ...
