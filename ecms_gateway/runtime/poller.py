"""The inbound poller: take the head of each served organisation's queue at the node, store it durably
(``Store.accept_inbound``: the raw reply and its ProcessID), and only then let the node delete it.

It drains every ``poll_interval`` and at once when woken (SIGUSR1, ``ecms-gateway poll-now``).
A notifier that can be verified and matched at once is stored and matched in one transaction;
everything else is stored as inbound work for the inbound workers.
A crash between storing and deleting gives the same item again; storing is idempotent by ProcessID.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from ecms_gateway.codec import Notifier
from ecms_gateway.engine import Store
from ecms_gateway.errors import DeliveryFailed
from ecms_gateway.logs import log_context
from ecms_gateway.ports import EcmsNode, ReceivedItem
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.settings import ECMS

log = logging.getLogger(__name__)


async def _nothing(_process_id: str) -> None:
    return None


def _ignore(_org: str, _error: str | None) -> None:
    return None


@dataclass(frozen=True, kw_only=True)
class AppliedAtOnce:
    """A notifier stored and matched as it was polled: what became of it, and the letter it is about
    (named on the log line, so that the letter's log lines can be found by its id)."""

    note: str
    letter_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class PollerHooks:
    """Test seams: ``after_commit`` runs once an item is stored and before the node deletes it."""

    after_commit: Callable[[str], Awaitable[None]] = _nothing


@dataclass(frozen=True, kw_only=True)
class Poller:
    store: Store
    nodes: Mapping[str, EcmsNode]  # organisation -> the client polling its queue
    interval_s: float
    wake: Pulse
    on_stored: Callable[[], None] = lambda: None
    hooks: PollerHooks = field(default_factory=PollerHooks)
    # After each drain of an organisation's queue: None when it worked, else why not (poll lag metric).
    on_polled: Callable[[str, str | None], None] = _ignore
    # A notifier stored and matched in one transaction (``InboundProcessor.at_once``): what became
    # of it, or None to store the item as inbound work.
    at_once: Callable[[ReceivedItem, str], AppliedAtOnce | None] = lambda _item, _actor: None

    async def run(self, stopping: asyncio.Event) -> None:
        failing: set[str] = set()
        while not stopping.is_set():
            for org, node in self.nodes.items():
                if stopping.is_set():
                    return
                with log_context(org=org):
                    await self._drain(org, node, stopping, failing)
            await self.wake.wait(self.interval_s, unless=stopping)

    async def _drain(self, org: str, node: EcmsNode, stopping: asyncio.Event, failing: set[str]) -> None:
        """Take items one at a time until the queue is empty or the gateway stops."""

        async def commit(item: ReceivedItem) -> None:
            actor = f"poller:{org}"
            if isinstance(item.item, Notifier):  # small: often nothing is left to do after storing it
                done = await asyncio.to_thread(self.at_once, item, actor)
                if done is not None:
                    with log_context(letter_id=done.letter_id):
                        log.info("stored ProcessID %s: %s", item.process_id, done.note)
                    await self.hooks.after_commit(item.process_id)
                    return
            accepted = await asyncio.to_thread(
                self.store.accept_inbound, item.raw, channel=ECMS, process_id=item.process_id, actor=actor
            )
            log.info(
                "stored inbox item %d (ProcessID %s)%s",
                accepted.id,
                item.process_id,
                "" if accepted.created else ", stored before",
            )
            self.on_stored()
            await self.hooks.after_commit(item.process_id)

        try:
            while not stopping.is_set() and await node.drain(commit, limit=1):
                pass
        except DeliveryFailed as exc:
            if org not in failing:
                log.warning("poll for %s failed; trying again every %s s: %s", org, self.interval_s, exc)
            failing.add(org)
            self.on_polled(org, str(exc))
            return
        except Exception:  # the store failed: the item stays at the node and comes again
            log.exception("poll for %s: cannot store what the node gave; trying again", org)
            failing.add(org)
            self.on_polled(org, "cannot store what the node gave (the log says why)")
            return
        self.on_polled(org, None)
        if org in failing:
            log.info("poll for %s works again", org)
            failing.discard(org)
