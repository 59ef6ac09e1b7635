"""Observability of a running gateway: ``/metrics`` (Prometheus), ``/healthz`` and ``/readyz`` on an
ASGI app, the runtime's counters, and the probes of the mail servers."""

from ecms_adapters.observability.endpoints import Observability
from ecms_adapters.observability.recorder import PrometheusRecorder
from ecms_adapters.observability.wiring import gateway_observability

__all__ = ["Observability", "PrometheusRecorder", "gateway_observability"]
