"""The engine: one state machine per letter, the outbox/inbox work queue with leases and retries,
registry numbers and the audit chain, offered as services by ``Store``.
"""

from ecms_gateway.engine.retry import Dead, RetryAt, RetryPolicies, RetryPolicy
from ecms_gateway.engine.service import DEFAULT_LEASE, Store
from ecms_gateway.engine.states import Direction, Event, LetterState, WorkKind, WorkState
from ecms_gateway.engine.values import (
    Accepted,
    AuditReport,
    Claim,
    LetterDetail,
    NotifierIn,
    NotifierKind,
    NotifierOutcome,
    NotifierResult,
    QueueRow,
    Transition,
)

__all__ = [
    "DEFAULT_LEASE",
    "Accepted",
    "AuditReport",
    "Claim",
    "Dead",
    "Direction",
    "Event",
    "LetterDetail",
    "LetterState",
    "NotifierIn",
    "NotifierKind",
    "NotifierOutcome",
    "NotifierResult",
    "QueueRow",
    "RetryAt",
    "RetryPolicies",
    "RetryPolicy",
    "Store",
    "Transition",
    "WorkKind",
    "WorkState",
]
