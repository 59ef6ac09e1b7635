"""The routing table's sources: a directory file, or the node's ``GetOrganizationList`` fetched at
start and every ``directory.refresh_minutes``, kept in ``<data_dir>/directory-cache.json`` so that
clerk commands (``ecms-gateway send``) route without asking the node.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from ecms_gateway.codec import OrganizationInfo
from ecms_gateway.config import GatewayConfig
from ecms_gateway.errors import ConfigError, DeliveryFailed
from ecms_gateway.node.directory import load_directory
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime.routing import DirectoryFrom, DirectoryOrigin, RoutingTable

log = logging.getLogger(__name__)

CACHE_FILE: Final = "directory-cache.json"
_NODE_SOURCE: Final = "GetOrganizationList of "
UNADDRESSABLE_SHOWN: Final = 5


def write_cache(data_dir: Path, table: RoutingTable, *, now: datetime) -> None:
    """Replace the cache atomically (temp file, fsync, rename)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "source": table.source,
        "node_url": _node_of(table),  # so that a page can name the node a kept copy came from
        "fetched_at": now.isoformat(),
        "organizations": [
            {
                "id": org.organization_id,
                "th_name": org.th_name,
                "en_name": org.en_name,
                "ecms_url": org.ecms_url,
            }
            for org in table.organizations
        ],
    }
    fd, temp = tempfile.mkstemp(prefix=".directory-", dir=data_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, data_dir / CACHE_FILE)


def _node_of(table: RoutingTable) -> str | None:
    origin = table.origin
    return None if origin is None or origin.kind is DirectoryFrom.FILE else origin.where


def read_cache(data_dir: Path) -> RoutingTable | None:
    """The cached directory, or None when there is none (or it cannot be read)."""
    path = data_dir / CACHE_FILE
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        orgs = [
            OrganizationInfo(
                organization_id=str(o["id"]),
                th_name=str(o["th_name"]),
                en_name=str(o["en_name"]),
                ecms_url=None if o["ecms_url"] is None else str(o["ecms_url"]),
            )
            for o in payload["organizations"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    source, fetched_at = payload.get("source"), payload.get("fetched_at")
    origin = DirectoryOrigin(
        kind=DirectoryFrom.CACHE,
        # a cache written before node_url was kept names the node in its source only
        where=str(payload.get("node_url") or str(source).removeprefix(_NODE_SOURCE)),
        fetched_at=_when(fetched_at),
    )
    return RoutingTable(orgs, source=f"{source} as fetched at {fetched_at}", origin=origin)


def _when(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def table_from_file(path: Path) -> RoutingTable:
    return RoutingTable(
        load_directory(path).organizations,
        source=f"directory file {path}",
        origin=DirectoryOrigin(kind=DirectoryFrom.FILE, where=str(path)),
    )


def load_routing(config: GatewayConfig) -> RoutingTable:
    """The routing table for a clerk command: the directory file, else the running gateway's cache."""
    if config.directory.file is not None:
        return table_from_file(config.directory.file)
    cached = read_cache(config.gateway.data_dir)
    if cached is None:
        raise ConfigError(
            "no organisation directory to route the letter with: set directory.file, or start "
            "`ecms-gateway run` once so that it fetches the node's directory into "
            f"{config.gateway.data_dir / CACHE_FILE}"
        )
    return cached


class DirectoryKeeper:
    """Holds the current routing table for the workers and refreshes it from its source."""

    def __init__(
        self,
        *,
        data_dir: Path,
        file: Path | None = None,
        node: EcmsNode | None = None,
        node_url: str = "",
        on_loaded: Callable[[RoutingTable], None] = lambda _table: None,  # each fresh load (metrics)
    ) -> None:
        if file is None and node is None:
            raise ConfigError("the directory needs a source: directory.file or the e-CMS node")
        self._data_dir = data_dir
        self._file = file
        self._node = node
        self._node_url = node_url
        self._on_loaded = on_loaded
        self.table: RoutingTable | None = None
        self._failing = False
        self._unaddressable: frozenset[str] = frozenset()

    async def refresh(self) -> RoutingTable:
        """Read the source again; the node's answer is cached for clerk commands."""
        if self._file is not None:
            table = await asyncio.to_thread(table_from_file, self._file)
        else:
            assert self._node is not None  # noqa: S101 - checked in __init__
            orgs = await self._node.organizations()
            table = RoutingTable(
                orgs,
                source=f"{_NODE_SOURCE}{self._node_url}",
                origin=DirectoryOrigin(kind=DirectoryFrom.NODE, where=self._node_url),
            )
            await asyncio.to_thread(write_cache, self._data_dir, table, now=datetime.now(UTC))
            self._warn_unaddressable(table)
        self.table = table
        self._on_loaded(table)
        return table

    def _warn_unaddressable(self, table: RoutingTable) -> None:
        """Say once per change which of the node's entries letters cannot reach (not departments)."""
        unaddressable = frozenset(org.organization_id for org in table.unaddressable())
        if unaddressable and unaddressable != self._unaddressable:
            shown = ", ".join(sorted(unaddressable)[:UNADDRESSABLE_SHOWN])
            more = len(unaddressable) - UNADDRESSABLE_SHOWN
            log.warning(
                "directory: the node lists %d organisation(s) on e-CMS under an ID that is not a "
                "department's (5-digit code + 00000), which e-CMS cannot address: %s%s; letters to them "
                "are refused at submission and the web pages do not offer them; ask the node's operator "
                "to correct its organisation list",
                len(unaddressable),
                shown,
                f" and {more} more" if more > 0 else "",
            )
        self._unaddressable = unaddressable

    async def start(self) -> None:
        """First load: the source, else the cache (the node may be down); later refreshes retry."""
        try:
            table = await self.refresh()
            log.info("directory: %d organisations from %s", len(table), table.source)
        except (DeliveryFailed, ConfigError) as exc:
            if self._file is not None:
                raise
            self.table = await asyncio.to_thread(read_cache, self._data_dir)
            where = f"using the cached one ({self.table.source})" if self.table else "no cached copy yet"
            log.warning("directory: cannot fetch it now (%s); %s", exc, where)

    async def run(self, stopping: asyncio.Event, *, every_s: float, retry_s: float) -> None:
        """Refresh every ``every_s`` (every ``retry_s`` while there is no table yet) until ``stopping``."""
        while True:
            wait = every_s if self.table is not None else retry_s
            try:
                await asyncio.wait_for(stopping.wait(), timeout=wait)
                return
            except TimeoutError:
                pass
            try:
                table = await self.refresh()
            except (DeliveryFailed, ConfigError) as exc:
                if not self._failing:
                    log.warning("directory: refresh failed, keeping the previous one, retrying: %s", exc)
                self._failing = True
                continue
            if self._failing:
                log.info("directory: %d organisations from %s", len(table), table.source)
            self._failing = False
