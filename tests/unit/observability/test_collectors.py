"""Scrape-time gauges: the store is read at most once per cache period, a store failure shows as
``ecms_gateway_store_up 0``, poll lag counts from the last good poll, certificates show days left."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ecms_adapters.observability.certificates import CertificateCollector, signing_certificates
from ecms_adapters.observability.collectors import RuntimeCollector, StoreCollector
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from ecms_gateway.engine import Direction, LetterState, WorkKind, WorkState
from ecms_gateway.signing import KeyRef, OutboundSigner, SigningConfig, write_new_key

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class _Stat:
    state: WorkState
    channel: str
    kind: WorkKind
    count: int
    oldest_at: datetime | None


@dataclass
class _Readings:
    reads: int = 0
    broken: bool = False

    def queue_stats(self) -> Sequence[_Stat]:
        self.reads += 1
        if self.broken:
            raise OSError("database is locked")
        return [
            _Stat(
                state=WorkState.DEAD,
                channel="mail",
                kind=WorkKind.SEND,
                count=2,
                oldest_at=NOW - timedelta(hours=1),
            )
        ]

    def letter_counts(self) -> Mapping[tuple[Direction, LetterState, str], int]:
        return {(Direction.OUT, LetterState.DELIVERED, "ecms"): 5}


def _scrape(*collectors: object) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry()
    for collector in collectors:
        registry.register(collector)  # type: ignore[arg-type]
    text = generate_latest(registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_queue_and_letter_gauges_come_from_one_cached_read() -> None:
    readings, now = _Readings(), [0.0]
    collector = StoreCollector(readings, cache_s=2.0, monotonic=lambda: now[0], clock=lambda: NOW)
    values = _scrape(collector)
    labels = (("channel", "mail"), ("kind", "send"), ("state", "dead"))
    assert values[("ecms_gateway_queue_items", labels)] == 2
    assert values[("ecms_gateway_queue_oldest_age_seconds", labels)] == 3600
    assert (
        values[("ecms_gateway_letters", (("channel", "ecms"), ("direction", "out"), ("state", "delivered")))]
        == 5
    )
    assert values[("ecms_gateway_store_up", ())] == 1
    for _ in range(5):
        list(collector.collect())
    assert readings.reads == 1
    now[0] = 2.5
    list(collector.collect())
    assert readings.reads == 2


def test_a_store_that_cannot_be_read_shows_as_down_without_made_up_zeros() -> None:
    values = _scrape(StoreCollector(_Readings(broken=True)))
    assert values[("ecms_gateway_store_up", ())] == 0
    assert not [name for name, _ in values if name.startswith("ecms_gateway_queue")]


@dataclass
class _Status:
    started_at: datetime
    last_poll_ok_at: dict[str, datetime] = field(default_factory=dict)
    last_poll_error: dict[str, str] = field(default_factory=dict)
    directory_loaded_at: datetime | None = None


def test_poll_lag_counts_from_the_last_good_poll_or_from_the_start() -> None:
    status = _Status(started_at=NOW - timedelta(minutes=30))
    status.last_poll_ok_at["2099000000"] = NOW - timedelta(seconds=20)
    status.last_poll_error["2099100000"] = "connection refused"
    values = _scrape(RuntimeCollector(status, ["2099000000", "2099100000"], clock=lambda: NOW))
    assert values[("ecms_gateway_poll_lag_seconds", (("org", "2099000000"),))] == 20
    assert values[("ecms_gateway_poll_lag_seconds", (("org", "2099100000"),))] == 1800
    assert values[("ecms_gateway_poll_failing", (("org", "2099000000"),))] == 0
    assert values[("ecms_gateway_poll_failing", (("org", "2099100000"),))] == 1
    assert values[("ecms_gateway_uptime_seconds", ())] == 1800
    assert not [name for name, _ in values if name == "ecms_gateway_directory_age_seconds"]


def test_a_signing_key_shows_the_days_left_on_its_certificate(tmp_path: Path) -> None:
    org = "2099000000"
    files = write_new_key(org, tmp_path, days=90)
    signer = OutboundSigner(SigningConfig(keys={org: KeyRef(org_id=org, key=files.key, cert=files.cert)}))
    watched = signing_certificates(signer, [org])
    in_ten_days = watched[0].not_after - timedelta(days=10)
    values = _scrape(CertificateCollector(watched, clock=lambda: in_ten_days))
    [(key, days)] = [(k, v) for k, v in values.items() if k[0] == "ecms_gateway_certificate_days_left"]
    assert dict(key[1])["role"] == "signing"
    assert dict(key[1])["org"] == org
    assert days == 10
