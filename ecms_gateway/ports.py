"""The ports the core defines and the adapters implement: what the gateway needs from an e-CMS node.

``EcmsNode`` is our own node as a client sees it (``ecms_adapters.soap.EcmsSoapClient``); ``NodeRelay``
is how a node hands an item to another node (``ecms_adapters.soap.SoapRelay``). Both raise
``TransientTransportError`` or ``PermanentTransportError`` (``ecms_gateway.errors``) and nothing else
from the network.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from ecms_gateway.codec import (
    CodeValue,
    DeleteResponse,
    LetterItem,
    LetterKey,
    Message,
    MimeCode,
    MinistryInfo,
    OrganizationInfo,
    OutboundResponse,
    OutboundStatus,
    SpecialItemKind,
    WithdrawResponse,
)


@dataclass(frozen=True, kw_only=True)
class ReceivedItem:
    """One item from our node's inbound queue, to be stored durably before it is deleted there.

    ``raw`` is the node's reply exactly as it arrived: store it, and check a signature on it, never on
    a re-encoding of ``item``.
    """

    process_id: str
    process_time: str | None
    item: LetterItem
    raw: bytes


Commit = Callable[[ReceivedItem], Awaitable[None]]
"""Stores a received item durably; returns only once it is committed (then the item is deleted)."""


class EcmsNode(Protocol):
    """Every operation of the agency's own e-CMS node."""

    async def send(
        self, item: LetterItem, *, to: str | None = None, message_id: str | None = None
    ) -> OutboundResponse:
        """Send a letter or a notifier; ``to`` is the destination node's URL (WS-Addressing To)."""
        ...

    async def send_encoded(self, envelope: bytes) -> OutboundResponse:
        """Send a ``CorrespondenceLetterOutboundRequest`` already encoded (``codec.letter_request``):
        a large letter is built, signed and encoded in a worker thread, not on the event loop."""
        ...

    async def poll(self) -> ReceivedItem | None:
        """The head of our inbound queue (it stays there until deleted), or None when it is empty."""
        ...

    async def drain(self, commit: Commit, *, limit: int | None = None) -> int:
        """Poll until the queue is empty: ``commit`` each item, then delete it; returns how many."""
        ...

    async def delete(self, process_id: str) -> DeleteResponse:
        """Remove a stored item from our inbound queue."""
        ...

    async def withdraw(self, key: LetterKey, *, to: str | None = None) -> WithdrawResponse:
        """Withdraw a letter we sent (after a rejection) so that it can be corrected and sent again."""
        ...

    async def withdraw_encoded(self, envelope: bytes) -> WithdrawResponse:
        """Send a ``CorrespondenceDeleteGovernmentDocumentRequest`` already encoded (``codec.to_wire``):
        the runtime archives the bytes of what it sends before the first try and sends those on retries."""
        ...

    async def ask_again(self, kind: SpecialItemKind, key: LetterKey) -> ReceivedItem | None:
        """Ask again for one item about a letter; None when the node has no such item."""
        ...

    async def outbound_status(self, letter_id: str | None = None) -> tuple[OutboundStatus, ...]:
        """The node's status of what we sent (of one letter when ``letter_id`` is given)."""
        ...

    async def time_check(self) -> str:
        """The node's clock, as the node writes it."""
        ...

    async def ministries(self) -> tuple[MinistryInfo, ...]: ...

    async def organizations(self) -> tuple[OrganizationInfo, ...]:
        """The directory: every organisation and the URL of its node (the routing table)."""
        ...

    async def secret_codes(self) -> tuple[CodeValue, ...]: ...

    async def speed_codes(self) -> tuple[CodeValue, ...]: ...

    async def mime_codes(self) -> tuple[MimeCode, ...]: ...

    async def aclose(self) -> None:
        """Close the connections."""
        ...


class NodeRelay(Protocol):
    """How a node forwards a request to the node that WS-Addressing ``To`` names."""

    async def forward(self, url: str, envelope: bytes) -> Message:
        """POST ``envelope`` (a SOAP request, as received) to ``url``; the node's decoded reply."""
        ...
