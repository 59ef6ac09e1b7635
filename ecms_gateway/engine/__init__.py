"""The engine: one state machine per letter, the outbox/inbox work queue with leases and retries,
registry numbers and the audit chain, offered as services by ``Store``.
"""

from typing import TYPE_CHECKING

from ecms_gateway.lazy import exports

if TYPE_CHECKING:
    from ecms_gateway.engine.accept_id import WrongAcceptIdReport
    from ecms_gateway.engine.lookup import LetterRef
    from ecms_gateway.engine.retry import Dead, RetryAt, RetryPolicies, RetryPolicy
    from ecms_gateway.engine.service import DEFAULT_LEASE, Store
    from ecms_gateway.engine.states import Direction, Event, LetterState, WorkKind, WorkState
    from ecms_gateway.engine.values import (
        DUE_STATES,
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
    "DUE_STATES",
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

# Each name loads its module when first used: the package's light modules stay light.
__getattr__ = exports(
    __name__,
    {
        "WrongAcceptIdReport": "accept_id",
        "LetterRef": "lookup",
        "Dead": "retry",
        "RetryAt": "retry",
        "RetryPolicies": "retry",
        "RetryPolicy": "retry",
        "DEFAULT_LEASE": "service",
        "Store": "service",
        "Direction": "states",
        "Event": "states",
        "LetterState": "states",
        "WorkKind": "states",
        "WorkState": "states",
        "Accepted": "values",
        "AuditReport": "values",
        "Claim": "values",
        "HourActivity": "values",
        "LetterDetail": "values",
        "DUE_STATES": "values",
        "LetterOrder": "values",
        "LetterPage": "values",
        "LetterQuery": "values",
        "LetterSummary": "values",
        "NotifierIn": "values",
        "NotifierKind": "values",
        "NotifierOutcome": "values",
        "NotifierResult": "values",
        "QueueRow": "values",
        "QueueStat": "values",
        "SignatureMark": "values",
        "Transition": "values",
    },
)
