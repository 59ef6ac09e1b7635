"""The engine: one state machine per letter, the outbox/inbox work queue with leases and retries,
registry numbers and the audit chain, offered as services by ``Store``.
"""

from ecms_gateway.engine.accept_id import WrongAcceptIdReport
from ecms_gateway.engine.lookup import LetterRef
from ecms_gateway.engine.retry import Dead, RetryAt, RetryPolicies, RetryPolicy
from ecms_gateway.engine.service import DEFAULT_LEASE, Store
from ecms_gateway.engine.states import Direction, Event, LetterState, WorkKind, WorkState
from ecms_gateway.engine.values import (
    Accepted,
    AuditReport,
    Claim,
    HourActivity,
    LetterDetail,
    LetterOrder,
    LetterPage,
    LetterQuery,
    LetterSummary,
    NotifierIn,
    NotifierKind,
    NotifierOutcome,
    NotifierResult,
    QueueRow,
    QueueStat,
    SignatureMark,
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
    "HourActivity",
    "LetterDetail",
    "LetterOrder",
    "LetterPage",
    "LetterQuery",
    "LetterRef",
    "LetterState",
    "LetterSummary",
    "NotifierIn",
    "NotifierKind",
    "NotifierOutcome",
    "NotifierResult",
    "QueueRow",
    "QueueStat",
    "RetryAt",
    "RetryPolicies",
    "RetryPolicy",
    "SignatureMark",
    "Store",
    "Transition",
    "WorkKind",
    "WorkState",
    "WrongAcceptIdReport",
]
