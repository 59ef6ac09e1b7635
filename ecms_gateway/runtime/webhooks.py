"""The runtime's webhook delivery: a loop that serves the due subscriptions every ``interval_s`` (and
at once on ``wake``), and the ``Background`` port for other faces the composition root adds (the
watched folders).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from ecms_gateway.engine import RetryPolicy, Store
from ecms_gateway.runtime.outage import StoreOutage
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.webhooks import Deliverer, WebhookPoster

log = logging.getLogger(__name__)

WEBHOOK_CHANNEL = "webhook"  # the [retry.webhook] section's name


class Background(Protocol):
    """A task the gateway runs beside its workers until ``stopping`` is set."""

    @property
    def name(self) -> str: ...

    async def run(self, stopping: asyncio.Event) -> None: ...


@dataclass(frozen=True, kw_only=True)
class WebhookParts:
    """What the composition root gives the runtime for webhooks."""

    poster: WebhookPoster
    policy: RetryPolicy
    interval_s: float = 1.0
    # Renewed after every delivered event; after a crash the webhook resumes once it runs out.
    lease: timedelta = timedelta(minutes=1)


@dataclass(frozen=True, kw_only=True)
class WebhookLoop:
    store: Store
    parts: WebhookParts
    owner: str
    wake: Pulse
    outage: StoreOutage = field(default_factory=StoreOutage)  # the process's, shared by its tasks

    async def run(self, stopping: asyncio.Event) -> None:
        deliverer = Deliverer(
            store=self.store,
            poster=self.parts.poster,
            policy=self.parts.policy,
            owner=self.owner,
            lease=self.parts.lease,
        )
        while not stopping.is_set():
            wait = self.parts.interval_s
            try:
                await deliverer.run_once()
            except Exception as exc:  # the store failed: look again later, the cursors are safe in it
                outage = self.outage.failed(self.owner, exc, base_s=wait)
                if outage is None:
                    log.exception("webhooks: cannot deliver now; trying again in %s s", wait)
                wait = outage or wait
            else:
                self.outage.answered()
            await self.wake.wait(wait, unless=stopping)
