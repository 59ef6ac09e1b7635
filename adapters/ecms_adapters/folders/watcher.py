"""The watched folders as one task of ``ecms-gateway run``: scan the outbox and export to the inbox
every ``scan_seconds`` (polling: works on every file system, network shares included)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from ecms_adapters.folders.inbox import InboxExport
from ecms_adapters.folders.outbox import Outbox
from ecms_gateway.runtime.outage import StoreOutage

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class FolderWatcher:
    outbox: Outbox | None
    inbox: InboxExport | None
    scan_s: float
    # The database out of reach: said once for the process (shared with the gateway's workers), not a
    # traceback every scan; the folders are scanned again as usual meanwhile.
    outage: StoreOutage = field(default_factory=StoreOutage)

    @property
    def name(self) -> str:
        return "folders"

    async def run(self, stopping: asyncio.Event) -> None:
        if self.outbox is not None:
            await asyncio.to_thread(self.outbox.prepare)
            log.info("watching outbox folder %s every %s s", self.outbox.root, self.scan_s)
        if self.inbox is not None:
            await asyncio.to_thread(self.inbox.prepare)
            log.info("writing received letters to inbox folder %s", self.inbox.root)
        while not stopping.is_set():
            await self.once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.scan_s)

    async def once(self) -> None:
        if self.outbox is not None:
            try:
                await self.outbox.scan()  # touches the database only for a folder to take: no "answered"
            except Exception as exc:  # a folder we cannot list or move: say so, try again at the next scan
                if self.outage.failed("folders", exc, base_s=self.scan_s) is None:
                    log.exception("outbox folder %s: scan failed", self.outbox.root)
        if self.inbox is not None:
            try:
                await self.inbox.run_once()
                self.outage.answered()  # it read its cursor: the database answers
            except OSError as exc:  # the folder's own fault (disk full, no permission): no traceback
                log.error(
                    "inbox folder %s: cannot write to it (%s); trying again at the next scan",
                    self.inbox.root,
                    exc,
                )
            except Exception as exc:
                if self.outage.failed("folders", exc, base_s=self.scan_s) is None:
                    log.exception(
                        "inbox folder %s: export failed; trying again at the next scan", self.inbox.root
                    )
