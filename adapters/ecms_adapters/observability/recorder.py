"""The core's ``WorkRecorder`` as Prometheus counters: attempts, items done and failures by reason class,
counted by the work loops where they happen."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from ecms_gateway.engine import WorkKind
from ecms_gateway.runtime.recorder import Outcome

PREFIX = "ecms_gateway"


class PrometheusRecorder:
    """Implements ``ecms_gateway.runtime.recorder.WorkRecorder`` on counters in ``registry``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        labels = ("channel", "kind")
        self.attempts = Counter(
            f"{PREFIX}_attempts",
            "Work items taken by a worker and tried (letters, notifiers, withdrawals, received items)",
            labels,
            registry=registry,
        )
        self.deliveries = Counter(
            f"{PREFIX}_deliveries",
            "Work items done: sent and taken by the node or mail server, or (kind inbound) recorded",
            labels,
            registry=registry,
        )
        self.failures = Counter(
            f"{PREFIX}_failures",
            "Failed attempts by reason class and by what became of the item (retry, dead, released, ...)",
            (*labels, "reason", "outcome"),
            registry=registry,
        )

    def attempted(self, *, channel: str, kind: WorkKind) -> None:
        self.attempts.labels(channel, kind.value).inc()

    def delivered(self, *, channel: str, kind: WorkKind) -> None:
        self.deliveries.labels(channel, kind.value).inc()

    def failed(self, *, channel: str, kind: WorkKind, reason: str, outcome: Outcome) -> None:
        self.failures.labels(channel, kind.value, reason, outcome.value).inc()
