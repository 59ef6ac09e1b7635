"""Gauges read at scrape time: the work queue and the letters (from the store, cached for a moment so
that scrapes cannot hammer the database) and the runtime's poll lag (from ``RuntimeStatus``).

Scrapes call ``collect`` in a worker thread (the store is synchronous); the cache is thread-safe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ecms_adapters.observability.recorder import PREFIX
from ecms_gateway.engine import Direction, LetterState, WorkKind, WorkState
from ecms_gateway.engine.context import utc_now

log = logging.getLogger(__name__)

DEFAULT_CACHE_S = 2.0


class QueueStatView(Protocol):
    """One group of work not done (``ecms_gateway.engine.QueueStat``)."""

    @property
    def state(self) -> WorkState: ...
    @property
    def channel(self) -> str: ...
    @property
    def kind(self) -> WorkKind: ...
    @property
    def count(self) -> int: ...
    @property
    def oldest_at(self) -> datetime | None: ...


class StoreReadings(Protocol):
    """What the metrics read from the store (``ecms_gateway.engine.Store``)."""

    def queue_stats(self) -> Sequence[QueueStatView]: ...

    def letter_counts(self) -> Mapping[tuple[Direction, LetterState, str], int]: ...


@dataclass(frozen=True, kw_only=True)
class _Reading:
    queue: tuple[QueueStatView, ...]
    letters: Mapping[tuple[Direction, LetterState, str], int]
    at: datetime


class StoreCollector(Collector):
    """Queue depth and oldest age by work state, channel and kind; letters by direction, state, channel.

    ``ecms_gateway_store_up`` is 0 when the store could not be read (the other store gauges are then
    left out of that scrape rather than shown as zeros).
    """

    def __init__(
        self,
        store: StoreReadings,
        *,
        cache_s: float = DEFAULT_CACHE_S,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._cache_s = cache_s
        self._monotonic = monotonic
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, _Reading] | None = None

    def reading(self) -> _Reading | None:
        """The store's figures, read at most once per ``cache_s``; None when the store failed."""
        with self._lock:
            cached = self._cached
            if cached is not None and self._monotonic() - cached[0] < self._cache_s:
                return cached[1]
            try:
                reading = _Reading(
                    queue=tuple(self._store.queue_stats()),
                    letters=dict(self._store.letter_counts()),
                    at=self._clock(),
                )
            except Exception:  # a scrape must answer; the failure shows as ecms_gateway_store_up 0
                log.exception("metrics: cannot read the queue and letter counts from the store")
                return None
            self._cached = (self._monotonic(), reading)
            return reading

    def collect(self) -> Iterator[GaugeMetricFamily]:
        reading = self.reading()
        up = int(reading is not None)
        yield GaugeMetricFamily(f"{PREFIX}_store_up", "1 when the store answered the metrics' queries", up)
        if reading is None:
            return
        yield from _queue_families(reading)
        letters = GaugeMetricFamily(
            f"{PREFIX}_letters",
            "Letters by direction (in | out), state and channel",
            labels=("direction", "state", "channel"),
        )
        for (direction, state, channel), count in sorted(reading.letters.items()):
            letters.add_metric((direction.value, state.value, channel), count)
        yield letters


def _queue_families(reading: _Reading) -> Iterator[GaugeMetricFamily]:
    labels = ("state", "channel", "kind")
    depth = GaugeMetricFamily(
        f"{PREFIX}_queue_items",
        "Work items not done (ready, leased, dead) by work state, channel and kind",
        labels=labels,
    )
    oldest = GaugeMetricFamily(
        f"{PREFIX}_queue_oldest_age_seconds",
        "Age of the oldest work item in the group (since it was queued)",
        labels=labels,
    )
    for stat in sorted(reading.queue, key=lambda s: (s.state.value, s.channel, s.kind.value)):
        values = (stat.state.value, stat.channel, stat.kind.value)
        depth.add_metric(values, stat.count)
        if stat.oldest_at is not None:
            oldest.add_metric(values, max(0.0, (reading.at - stat.oldest_at).total_seconds()))
    yield depth
    yield oldest


class PollStatus(Protocol):
    """What the runtime keeps about its polls (``ecms_gateway.services.context.RuntimeStatus``)."""

    @property
    def started_at(self) -> datetime: ...
    @property
    def last_poll_ok_at(self) -> Mapping[str, datetime]: ...
    @property
    def last_poll_error(self) -> Mapping[str, str]: ...
    @property
    def directory_loaded_at(self) -> datetime | None: ...


class RuntimeCollector(Collector):
    """Poll lag per served organisation, whether its last poll failed, and the directory's age."""

    def __init__(
        self, status: PollStatus, orgs: Sequence[str], *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._status = status
        self._orgs = tuple(orgs)
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        status, now = self._status, self._clock()
        lag = GaugeMetricFamily(
            f"{PREFIX}_poll_lag_seconds",
            "Seconds since the organisation's inbound queue was last drained without error "
            "(since the gateway started, when it never was)",
            labels=("org",),
        )
        failing = GaugeMetricFamily(
            f"{PREFIX}_poll_failing",
            "1 when the organisation's last poll failed (the reason is in the log)",
            labels=("org",),
        )
        ok_at, errors = dict(status.last_poll_ok_at), dict(status.last_poll_error)
        for org in self._orgs:
            since = ok_at.get(org, status.started_at)
            lag.add_metric((org,), max(0.0, (now - since).total_seconds()))
            failing.add_metric((org,), int(org in errors))
        yield lag
        yield failing
        uptime = (now - status.started_at).total_seconds()
        yield GaugeMetricFamily(f"{PREFIX}_uptime_seconds", "Seconds since the gateway started", value=uptime)
        loaded = status.directory_loaded_at
        if loaded is not None:
            yield GaugeMetricFamily(
                f"{PREFIX}_directory_age_seconds",
                "Seconds since the routing directory was last loaded (from the node or the file)",
                value=max(0.0, (now - loaded).total_seconds()),
            )
