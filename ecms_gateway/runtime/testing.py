"""An in-memory e-CMS node for tests of the runtime without sockets: ``MemoryNode`` holds one queue per
organisation and hands out an ``EcmsNode`` client per organisation (``node.client(org_id)``).

It routes as a node does (a letter to its receiver, a notifier to the sender of the letter it names,
InvalidAcceptID to the receiver), answers a repeated MessageID with the same ProcessID, serves the
queue's head as the bytes of a real ``CorrespondenceLetterInboundResponse``, and can be told to fail
the next requests (``fail_next``) with any error, e.g. ``TransientTransportError``: before it does
anything, or after it did the work (``after=True``: the reply was lost). ``envelopes`` keeps the bytes
of every encoded request it was sent, as they came.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ecms_gateway.codec import (
    CodeValue,
    DeleteResponse,
    InboundResponse,
    LetterDocument,
    LetterItem,
    LetterKey,
    MimeCode,
    MinistryInfo,
    NotifierKind,
    OrganizationInfo,
    OutboundRequest,
    OutboundResponse,
    OutboundStatus,
    SpecialItemKind,
    WithdrawRequest,
    WithdrawResponse,
    read_message,
    to_wire,
)
from ecms_gateway.errors import PermanentTransportError
from ecms_gateway.letter.thai import book_no_key
from ecms_gateway.ports import Commit, ReceivedItem


@dataclass
class _Queued:
    process_id: str
    item: LetterItem
    key: tuple[str, str]  # (book key, date) of the letter the item is (about)
    kind: str


@dataclass
class MemoryNode:
    """One node serving every organisation in ``organizations``."""

    organizations: Sequence[OrganizationInfo]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    queues: dict[str, list[_Queued]] = field(default_factory=dict)
    receipts: dict[str, str] = field(default_factory=dict)  # MessageID -> ProcessID
    letters: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # key -> sender, receiver
    requests: list[str] = field(default_factory=list)
    envelopes: list[bytes] = field(default_factory=list)  # encoded requests (send, withdraw) as they came
    _faults: list[tuple[str | None, str | None, Exception, bool]] = field(default_factory=list)

    def client(self, org_id: str) -> MemoryClient:
        return MemoryClient(node=self, org_id=org_id)

    def fail_next(
        self, *errors: Exception, on: str | None = None, org: str | None = None, after: bool = False
    ) -> None:
        """The next requests (only ``on`` requests: send, poll, delete...; only those of ``org``'s
        client) raise these errors, one each, in order, before the node does anything; ``after``:
        once the node has done what was asked (queued the item), as when its reply is lost."""
        self._faults.extend((on, org, error, after) for error in errors)

    def queued(self, org_id: str) -> list[LetterItem]:
        return [q.item for q in self.queues.get(org_id, [])]

    def request(self, name: str, org: str | None = None) -> None:
        self.requests.append(name)
        self._fault(name, org, after=False)

    def replied(self, name: str, org: str | None = None) -> None:
        """The node did the work of request ``name``; a fault set ``after=True`` loses its reply now."""
        self._fault(name, org, after=True)

    def _fault(self, name: str, org: str | None, *, after: bool) -> None:
        for index, (on, of, error, when) in enumerate(self._faults):
            if on in (None, name) and of in (None, org) and when is after:
                del self._faults[index]
                raise error

    def enqueue(self, sender_org: str, item: LetterItem, message_id: str | None) -> str:
        if message_id is not None and message_id in self.receipts:
            return self.receipts[message_id]
        process_id = uuid.uuid4().hex
        if isinstance(item, LetterDocument):
            letter = item.letter()
            key = (letter.book_key, letter.date.isoformat())
            self.letters[key] = (letter.sender.org_id, letter.receiver.org_id)
            destination, kind = letter.receiver.org_id, "CorrespondenceLetter"
        else:
            key = (book_no_key(item.letter_id), item.correspondence_date.isoformat())
            sender, receiver = self.letters.get(key, ("", ""))
            destination = receiver if item.kind is NotifierKind.INVALID_ACCEPT_ID else sender
            kind = item.kind.value
            if not destination:
                raise PermanentTransportError(f"no letter {item.letter_id} went through this node")
        self.queues.setdefault(destination, []).append(_Queued(process_id, item, key, kind))
        if message_id is not None:
            self.receipts[message_id] = process_id
        return process_id

    def now(self) -> str:
        return self.clock().isoformat(timespec="seconds")


@dataclass
class MemoryClient:
    """``ecms_gateway.ports.EcmsNode`` of one organisation at a ``MemoryNode``."""

    node: MemoryNode
    org_id: str

    async def send(
        self, item: LetterItem, *, to: str | None = None, message_id: str | None = None
    ) -> OutboundResponse:
        self.node.request("send", self.org_id)
        process_id = self.node.enqueue(self.org_id, item, message_id)
        self.node.replied("send", self.org_id)
        return OutboundResponse(process_id=process_id, process_time=self.node.now())

    async def send_encoded(self, envelope: bytes) -> OutboundResponse:
        self.node.envelopes.append(envelope)
        read = read_message(envelope)
        if not isinstance(read.message, OutboundRequest):
            raise TypeError(f"send_encoded takes an outbound request, not {read.message_type}")
        message_id = read.envelope.message_id if read.envelope else None
        return await self.send(read.message.item, message_id=message_id)

    async def poll(self) -> ReceivedItem | None:
        self.node.request("poll", self.org_id)
        queue = self.node.queues.get(self.org_id, [])
        return self._received(queue[0]) if queue else None

    async def drain(self, commit: Commit, *, limit: int | None = None) -> int:
        done = 0
        while limit is None or done < limit:
            item = await self.poll()
            if item is None:
                break
            await commit(item)
            await self.delete(item.process_id)
            done += 1
        return done

    async def delete(self, process_id: str) -> DeleteResponse:
        self.node.request("delete", self.org_id)
        queue = self.node.queues.get(self.org_id, [])
        kept = [q for q in queue if q.process_id != process_id]
        if len(kept) == len(queue):
            raise PermanentTransportError(f"ProcessID {process_id} is not in the queue of {self.org_id}")
        self.node.queues[self.org_id] = kept
        return DeleteResponse(process_id=process_id, process_time=self.node.now())

    async def withdraw(self, key: LetterKey, *, to: str | None = None) -> WithdrawResponse:
        self.node.request("withdraw", self.org_id)
        wanted = (book_no_key(key.letter_id), key.correspondence_date.isoformat())
        for queue in self.node.queues.values():
            queue[:] = [q for q in queue if not (q.key == wanted and q.kind == "CorrespondenceLetter")]
        self.node.replied("withdraw", self.org_id)
        return WithdrawResponse(process_id=uuid.uuid4().hex, process_time=self.node.now())

    async def withdraw_encoded(self, envelope: bytes) -> WithdrawResponse:
        self.node.envelopes.append(envelope)
        read = read_message(envelope)
        if not isinstance(read.message, WithdrawRequest):
            raise TypeError(f"withdraw_encoded takes a withdrawal, not {read.message_type}")
        return await self.withdraw(read.message.key)

    async def ask_again(self, kind: SpecialItemKind, key: LetterKey) -> ReceivedItem | None:
        self.node.request("ask_again", self.org_id)
        wanted = (book_no_key(key.letter_id), key.correspondence_date.isoformat())
        for queued in self.node.queues.get(self.org_id, []):
            if queued.key == wanted and queued.kind == kind.value:
                return self._received(queued)
        return None

    async def outbound_status(self, letter_id: str | None = None) -> tuple[OutboundStatus, ...]:
        self.node.request("status", self.org_id)
        return ()

    async def time_check(self) -> str:
        self.node.request("time", self.org_id)
        return self.node.now()

    async def ministries(self) -> tuple[MinistryInfo, ...]:
        self.node.request("ministries", self.org_id)
        return ()

    async def organizations(self) -> tuple[OrganizationInfo, ...]:
        self.node.request("organizations", self.org_id)
        return tuple(self.node.organizations)

    async def secret_codes(self) -> tuple[CodeValue, ...]:
        return ()

    async def speed_codes(self) -> tuple[CodeValue, ...]:
        return ()

    async def mime_codes(self) -> tuple[MimeCode, ...]:
        return ()

    async def aclose(self) -> None:
        return None

    def _received(self, queued: _Queued) -> ReceivedItem:
        process_time = self.node.now()
        response = InboundResponse(process_id=queued.process_id, process_time=process_time, item=queued.item)
        return ReceivedItem(
            process_id=queued.process_id, process_time=process_time, item=queued.item, raw=to_wire(response)
        )
