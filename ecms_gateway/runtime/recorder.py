"""What the work loop tells the metrics: each attempt, each item done, each failure by a bounded class
of reason. A port: the runtime calls ``WorkRecorder``; the Prometheus adapter
(``ecms_adapters.observability``) implements it, so the core never imports a metrics library.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Protocol

from ecms_gateway.engine import WorkKind
from ecms_gateway.errors import (
    ConfigError,
    InputError,
    LeaseLost,
    PermanentFailure,
    PermanentMailError,
    PermanentTransportError,
    PolicyRefused,
    SignatureInvalid,
    StoreError,
    TransientFailure,
    TransientMailError,
    TransientTransportError,
    TrustError,
)


class Outcome(StrEnum):
    """What became of a work item after a failed attempt."""

    RETRY = "retry"  # tried again later (the retry policy's backoff)
    DEAD = "dead"  # gave up: a dead letter, until an operator redrives it
    RELEASED = "released"  # the gateway stopped with it in hand; tried again at the next start
    LOST = "lost"  # the worker's lease ran out and another worker took it over
    UNRECORDED = "unrecorded"  # the store failed to record the result; the lease runs out, then it is retried


class WorkRecorder(Protocol):
    """Counts what the work loop does; must not raise and must not block (it runs on the event loop)."""

    def attempted(self, *, channel: str, kind: WorkKind) -> None:
        """A worker took an item and starts on it."""

    def delivered(self, *, channel: str, kind: WorkKind) -> None:
        """The item is done (sent, or for inbound work, recorded) and the store knows it."""

    def failed(self, *, channel: str, kind: WorkKind, reason: str, outcome: Outcome) -> None:
        """An attempt failed; ``reason`` is one of ``REASONS`` (``reason_class``)."""


class NullRecorder:
    """Counts nothing: the runtime without metrics (tests, commands)."""

    def attempted(self, *, channel: str, kind: WorkKind) -> None:
        return None

    def delivered(self, *, channel: str, kind: WorkKind) -> None:
        return None

    def failed(self, *, channel: str, kind: WorkKind, reason: str, outcome: Outcome) -> None:
        return None


NULL_RECORDER: Final = NullRecorder()

# Most specific first: the transport pairs subclass both TransportError and Transient/PermanentFailure.
_CLASSES: Final[tuple[tuple[type[BaseException], str], ...]] = (
    (TransientTransportError, "ecms_transient"),  # the node or network failed for now
    (PermanentTransportError, "ecms_refused"),  # the node refused for good
    (TransientMailError, "mail_transient"),
    (PermanentMailError, "mail_refused"),
    (SignatureInvalid, "signature"),  # broken, tampered or missing signature
    (TrustError, "trust"),  # an intact signature from a signer we do not trust
    (InputError, "invalid_input"),  # schema, XML, letter faults
    (PolicyRefused, "policy"),
    (ConfigError, "config"),
    (LeaseLost, "lease_lost"),  # another worker took the item over
    (StoreError, "store"),
    (TransientFailure, "transient"),
    (PermanentFailure, "permanent"),
)

SHUTDOWN: Final = "shutdown"
"""The reason of an item released because the gateway stopped while it was in hand."""

REASONS: Final = (*(name for _, name in _CLASSES), SHUTDOWN, "unexpected")
"""Every reason class a failure is counted under: few, so that metrics stay cheap to keep."""


def reason_class(error: BaseException) -> str:
    """The bounded class of ``error`` for metrics (the full text goes to the attempt record and the log)."""
    for kind, name in _CLASSES:
        if isinstance(error, kind):
            return name
    return "unexpected"
