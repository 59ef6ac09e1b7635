"""The node's error codes: every refusal travels as a SOAP Fault carrying ``ErrorDetail{ErrorCode,
ErrorDescription}``; ``soap:Client`` codes are permanent for the caller, ``soap:Server`` codes transient.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ecms_gateway.errors import GatewayError


class Side(StrEnum):
    """Whose fault it is, as SOAP 1.1 ``faultcode`` says it."""

    CLIENT = "Client"  # the request is wrong: sending it again cannot help
    SERVER = "Server"  # the node failed: the same request may succeed later


@dataclass(frozen=True, kw_only=True)
class ErrorCode:
    """One documented node error code (the table is in docs/ecms-channel.md)."""

    code: str
    side: Side
    meaning: str


XML_REJECTED: Final = ErrorCode(code="ECMS-100", side=Side.CLIENT, meaning="unsafe or malformed XML")
NOT_ECMS: Final = ErrorCode(code="ECMS-101", side=Side.CLIENT, meaning="not an e-CMS SOAP request")
SCHEMA_INVALID: Final = ErrorCode(code="ECMS-102", side=Side.CLIENT, meaning="breaks the e-CMS schema")
LETTER_INVALID: Final = ErrorCode(code="ECMS-103", side=Side.CLIENT, meaning="the letter cannot be read")
NOT_A_REQUEST: Final = ErrorCode(code="ECMS-104", side=Side.CLIENT, meaning="not a request this node serves")
TOO_LARGE: Final = ErrorCode(code="ECMS-105", side=Side.CLIENT, meaning="the request is too large")
UNKNOWN_ORG: Final = ErrorCode(code="ECMS-201", side=Side.CLIENT, meaning="?org= names no organisation here")
WHICH_ORG: Final = ErrorCode(code="ECMS-202", side=Side.CLIENT, meaning="say which organisation: ?org=")
RECEIVER_ELSEWHERE: Final = ErrorCode(
    code="ECMS-203", side=Side.CLIENT, meaning="the receiver is not served by this node"
)
UNKNOWN_NODE: Final = ErrorCode(
    code="ECMS-204", side=Side.CLIENT, meaning="To names no node of the directory"
)
NOTIFIER_UNROUTABLE: Final = ErrorCode(
    code="ECMS-205", side=Side.CLIENT, meaning="no organisation here awaits this notifier"
)
SENDER_MISMATCH: Final = ErrorCode(
    code="ECMS-206", side=Side.CLIENT, meaning="the letter's sender is not the calling organisation"
)
RELAY_REFUSED: Final = ErrorCode(
    code="ECMS-207", side=Side.CLIENT, meaning="the destination node refused the item for good"
)
UNKNOWN_PROCESS_ID: Final = ErrorCode(
    code="ECMS-301", side=Side.CLIENT, meaning="no such ProcessID in this organisation's queue"
)
UNKNOWN_LETTER: Final = ErrorCode(code="ECMS-302", side=Side.CLIENT, meaning="no such letter to withdraw")
INTERNAL: Final = ErrorCode(code="ECMS-500", side=Side.SERVER, meaning="the node failed; try again later")
STORE_UNAVAILABLE: Final = ErrorCode(
    code="ECMS-501", side=Side.SERVER, meaning="the node's database is unavailable; try again later"
)

CODES: Final[dict[str, ErrorCode]] = {
    entry.code: entry
    for entry in (
        XML_REJECTED,
        NOT_ECMS,
        SCHEMA_INVALID,
        LETTER_INVALID,
        NOT_A_REQUEST,
        TOO_LARGE,
        UNKNOWN_ORG,
        WHICH_ORG,
        RECEIVER_ELSEWHERE,
        UNKNOWN_NODE,
        NOTIFIER_UNROUTABLE,
        SENDER_MISMATCH,
        RELAY_REFUSED,
        UNKNOWN_PROCESS_ID,
        UNKNOWN_LETTER,
        INTERNAL,
        STORE_UNAVAILABLE,
    )
}
"""Every code the node sends, by its ``ErrorCode``."""

TRANSIENT_CODES: Final = frozenset(code for code, entry in CODES.items() if entry.side is Side.SERVER)
"""Codes after which the same request may succeed later (a client retries them)."""


class NodeRefusal(GatewayError):
    """The node refuses a request; it becomes a SOAP Fault and never leaves the node service."""

    def __init__(self, error: ErrorCode, description: str) -> None:
        self.error = error
        self.description = description
        super().__init__(f"{error.code}: {description}")
