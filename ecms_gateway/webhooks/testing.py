"""A ``WebhookPoster`` for tests without sockets: records every POST and answers from a script."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ecms_gateway.webhooks.ports import PostResult


@dataclass(frozen=True, kw_only=True)
class Posted:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class ScriptedPoster:
    """Answers each POST with the next status of ``script`` (200 once the script is used up)."""

    script: list[int] = field(default_factory=list)
    posted: list[Posted] = field(default_factory=list)
    closed: bool = False

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> PostResult:
        self.posted.append(Posted(url=url, body=body, headers=dict(headers)))
        status = self.script.pop(0) if self.script else 200
        error = None if 200 <= status < 300 else f"HTTP {status}"
        return PostResult(status=status, error=error)

    async def aclose(self) -> None:
        self.closed = True
