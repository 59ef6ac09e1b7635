"""What the node does for each request, inside one database transaction: committed before the reply.

Pure of HTTP: a request arrives here as a decoded ``ReadMessage`` plus the raw bytes (kept to relay them
byte for byte) and the organisation the caller named (``?org=``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from lxml import etree
from sqlalchemy import Connection

from ecms_gateway.codec import (
    DeleteRequest,
    DeleteResponse,
    InboundSpecialRequest,
    LetterDocument,
    LetterItem,
    LetterKey,
    Notifier,
    OutboundRequest,
    OutboundResponse,
    OutboundStatusRequest,
    OutboundStatusResponse,
    ReadMessage,
    WithdrawRequest,
    WithdrawResponse,
    encode,
    new_message_id,
    to_wire,
)
from ecms_gateway.letter.thai import book_no_key
from ecms_gateway.node import records, routing
from ecms_gateway.node.codes import (
    RECEIVER_ELSEWHERE,
    SENDER_MISMATCH,
    UNKNOWN_LETTER,
    UNKNOWN_ORG,
    UNKNOWN_PROCESS_ID,
    WHICH_ORG,
    NodeRefusal,
)
from ecms_gateway.node.directory import Directory, department_of, org_of
from ecms_gateway.node.replies import inbound_reply
from ecms_gateway.node.tables import RelayState
from ecms_gateway.node.values import (
    LETTER_KIND,
    Caller,
    ItemFacts,
    Outcome,
    RelayJob,
    new_process_id,
    process_time,
)
from ecms_gateway.store.database import Database

ORG_LIST_SEPARATOR: Final = ","
"""Joins the organisations of a query that gives ``?org=`` more than once (no organisation ID has one)."""


def too_many_orgs(org: str) -> str:
    """Why a request naming several organisations is refused: which one calls is not for the node to guess."""
    return (
        f"the URL gives ?org= more than once ({org.replace(ORG_LIST_SEPARATOR, ', ')}): give the one "
        "organisation that calls"
    )


class Operations:
    """The node's operations on its database; each public method is one committed transaction."""

    def __init__(
        self,
        *,
        service_url: str,
        directory: Directory,
        db: Database,
        clock: Callable[[], datetime],
        relay_grace: timedelta,
    ) -> None:
        self.service_url = service_url
        self.directory = directory
        self.db = db
        self.clock = clock
        self.relay_grace = relay_grace
        self.served = tuple(o.organization_id for o in directory.served_by(service_url))

    # ------------------------------------------------------------ callers

    def caller(self, org: str | None) -> Caller:
        if org is None or not org.strip():
            return Caller(org_id=self.served[0] if len(self.served) == 1 else None, explicit=False)
        if ORG_LIST_SEPARATOR in org:
            raise NodeRefusal(UNKNOWN_ORG, too_many_orgs(org))
        wanted = org_of(org)
        if wanted not in self.served:
            raise NodeRefusal(
                UNKNOWN_ORG,
                f"?org={org} names no organisation served by this node; it serves {', '.join(self.served)}",
            )
        return Caller(org_id=wanted, explicit=True)

    def polling_org(self, caller: Caller) -> str:
        if caller.org_id is None:
            raise NodeRefusal(
                WHICH_ORG,
                "this node serves several organisations and the request does not say which one is asking: "
                f"use the service URL {self.service_url}?org=<OrganizationID> "
                f"(one of {', '.join(self.served)})",
            )
        return caller.org_id

    # ------------------------------------------------------------ outbound

    def outbound(self, read: ReadMessage, raw: bytes, caller: Caller) -> Outcome:
        request = read.message
        assert isinstance(request, OutboundRequest)  # noqa: S101 - dispatched on the type
        to = read.envelope.to if read.envelope else None
        target = routing.relay_target(to, service_url=self.service_url, directory=self.directory)
        now = self.clock()
        with self.db.write() as conn:
            facts, sender = self._outbound_facts(conn, request.item, caller)
            message_id = read.envelope.message_id if read.envelope else None
            earlier = (
                records.receipt_of(conn, message_id=message_id, sender=sender, facts=facts)
                if message_id
                else None
            )
            if earlier is not None:  # the same request again (a lost reply): the same receipt
                return Outcome(answer=OutboundResponse(process_id=earlier, process_time=process_time(now)))
            process_id = new_process_id()
            if target is None:
                org = self._receiving_org(request.item, facts)
                payload = etree.tostring(_item_element(request.item), encoding="utf-8")
                records.add_inbound(
                    conn, process_id=process_id, org_id=org, facts=facts, payload=payload, now=now
                )
            job = self._record(
                conn, process_id, message_id=message_id, sender=sender, facts=facts, target=target, raw=raw
            )
        return Outcome(
            answer=OutboundResponse(process_id=process_id, process_time=process_time(now)), relay=job
        )

    def _record(
        self,
        conn: Connection,
        process_id: str,
        *,
        message_id: str | None,
        sender: str,
        facts: ItemFacts,
        target: str | None,
        raw: bytes,
        tried_now: bool = True,
    ) -> RelayJob | None:
        """The receipt of an accepted request; the relay job when it goes to ``target``. ``tried_now``:
        the request tries the job at once (the relay worker leaves it alone for the grace), else the
        relay worker takes it at once."""
        now = self.clock()
        row_id = records.add_outbound(
            conn,
            process_id=process_id,
            message_id=message_id,
            sender_dept=sender,
            facts=facts,
            relay_to=target,
            envelope=raw if target else None,
            now=now,
            # The request path tries at once; the relay worker takes over only after this grace.
            first_try=(now + self.relay_grace if tried_now else now) if target else None,
        )
        if target is None:
            return None
        return RelayJob(
            id=row_id, process_id=process_id, target_url=target, envelope=raw, attempts=0, first_try_at=None
        )

    def _outbound_facts(self, conn: Connection, item: LetterItem, caller: Caller) -> tuple[ItemFacts, str]:
        if isinstance(item, LetterDocument):
            letter = item.letter()
            facts = ItemFacts(
                kind=LETTER_KIND,
                book_no=letter.book_no,
                book_key=letter.book_key,
                letter_date=letter.date,
                sender_dept=letter.sender.department_id,
                receiver_dept=letter.receiver.department_id,
            )
            if caller.explicit and caller.org_id and department_of(caller.org_id) != facts.sender_dept:
                raise NodeRefusal(
                    SENDER_MISMATCH,
                    f"the letter's sender is department {facts.sender_dept}, but the request came for "
                    f"organisation {caller.org_id} (?org=); send it from the sender's own service URL",
                )
            return facts, facts.sender_dept
        return self._notifier_facts(conn, item, caller)

    def _notifier_facts(self, conn: Connection, notifier: Notifier, caller: Caller) -> tuple[ItemFacts, str]:
        key = book_no_key(notifier.letter_id)
        carried = records.carried_letters(conn, book_key=key, letter_date=notifier.correspondence_date)
        letter = routing.notifier_letter(notifier, carried, served=frozenset(self.served))
        facts = ItemFacts(
            kind=notifier.kind.value,
            book_no=notifier.letter_id,
            book_key=key,
            letter_date=notifier.correspondence_date,
            sender_dept=letter.sender_dept,
            receiver_dept=letter.receiver_dept,
        )
        sender = department_of(caller.org_id) if caller.explicit and caller.org_id else ""
        return facts, sender or routing.notifier_sender(notifier, letter)

    def _receiving_org(self, item: LetterItem, facts: ItemFacts) -> str:
        if isinstance(item, Notifier):
            letter = routing.LetterParties(sender_dept=facts.sender_dept, receiver_dept=facts.receiver_dept)
            return routing.notifier_destination(item, letter, served=self.served)
        org = org_of(facts.receiver_dept)
        if org in self.served:
            return org
        entry = self.directory.organization(org)
        if entry is None:  # "send it to the receiver's node" would send the caller looking for one
            why = (
                f"the directory (GetOrganizationList) lists no organisation {org}; check the letter's "
                f"ReceiverParty department ({facts.receiver_dept})"
            )
        elif not entry.ecms_url:
            why = (
                f"the receiver {org} has no e-CMS node in the directory (GetOrganizationList): it cannot "
                "be reached through e-CMS; send the letter another way (saraban mail)"
            )
        else:
            why = (
                f"the receiver {org} is not served by this node (its node is {entry.ecms_url}); send the "
                "letter with WS-Addressing To naming the receiver's node"
            )
        raise NodeRefusal(RECEIVER_ELSEWHERE, why)

    # ------------------------------------------------------------ the queue

    def poll(self, caller: Caller) -> bytes:
        """The reply: the head of the caller's queue, its stored bytes as they are (``inbound_reply``)."""
        org = self.polling_org(caller)
        with self.db.read() as conn:
            queued = records.head(conn, org)
        return inbound_reply(queued, message_id=new_message_id(self.clock()))

    def delete(self, request: DeleteRequest, caller: Caller) -> DeleteResponse:
        org = self.polling_org(caller)
        now = self.clock()
        # Not durable: a delete lost in a power cut only offers the item again, and receivers store
        # an item once by its ProcessID. Half the node's commits are deletes; each fsync held the
        # single writer for a millisecond, in the path of every poller.
        with self.db.write(durable=False) as conn:
            if not records.fetched(conn, org_id=org, process_id=request.process_id, now=now):
                raise NodeRefusal(
                    UNKNOWN_PROCESS_ID,
                    f"ProcessID {request.process_id} is not in the queue of organisation {org}; "
                    "poll (CorrespondenceLetterInboundRequest) for the items there",
                )
        return DeleteResponse(process_id=request.process_id, process_time=process_time(now))

    def special(self, request: InboundSpecialRequest, caller: Caller) -> bytes:
        org = self.polling_org(caller)
        facts = _key_facts(request.item_kind.value, request.key)
        with self.db.read() as conn:
            found = records.find_item(conn, org_id=org, facts=facts)
        return inbound_reply(found, message_id=new_message_id(self.clock()))

    # ------------------------------------------------------------ withdraw

    def withdraw(self, read: ReadMessage, raw: bytes, caller: Caller) -> Outcome:
        request = read.message
        assert isinstance(request, WithdrawRequest)  # noqa: S101 - dispatched on the type
        letter = _key_facts(LETTER_KIND, request.key)
        if caller.explicit and caller.org_id and department_of(caller.org_id) != letter.sender_dept:
            raise NodeRefusal(
                SENDER_MISMATCH,
                f"only the sender (department {letter.sender_dept}) withdraws this letter, "
                f"not {caller.org_id}",
            )
        to = read.envelope.to if read.envelope else None
        target = routing.relay_target(to, service_url=self.service_url, directory=self.directory)
        facts = _key_facts(WithdrawRequest.TAG, request.key)
        now = self.clock()
        message_id = read.envelope.message_id if read.envelope else None
        with self.db.write() as conn:
            # Whichever way the withdrawal goes, no copy still waiting here may follow it.
            stopped = records.stop_relays_of(conn, letter, now=now)
            if target is not None:  # To names the receiver's node: forwarded as it came
                job = self._record(
                    conn,
                    new_process_id(),
                    message_id=message_id,
                    sender=letter.sender_dept,
                    facts=facts,
                    target=target,
                    raw=raw,
                )
                return _withdrawal(job, now)
            withdrawn = records.withdraw_inbound(conn, letter, now=now)
            nodes = records.relayed_to(conn, letter)
            if not nodes:
                done = withdrawn or stopped or self._withdraw_receipt(conn, request.key, letter, now)
                return Outcome(answer=WithdrawResponse(process_id=done, process_time=process_time(now)))
            # One withdrawal to each node that took a copy: it names the letter, not a copy, and a node
            # withdraws every copy it holds. The reply waits for the newest copy's node; the others are
            # the relay worker's at once.
            jobs = [
                self._withdrawal_to(
                    conn, node, request.key, message_id=message_id, tried_now=node == nodes[0]
                )
                for node in nodes
            ]
        return _withdrawal(jobs[0], now)

    def _withdrawal_to(
        self, conn: Connection, node: str, key: LetterKey, *, message_id: str | None, tried_now: bool
    ) -> RelayJob | None:
        """A withdrawal of the letter ``key`` names for ``node``, which took a copy of it: its receipt
        and relay job."""
        return self._record(
            conn,
            new_process_id(),
            message_id=message_id,
            sender=department_of(key.sender_department),
            facts=_key_facts(WithdrawRequest.TAG, key),
            target=node,
            raw=to_wire(WithdrawRequest(key=key), to=node, message_id=new_message_id(self.clock())),
            tried_now=tried_now,
        )

    def _withdraw_receipt(self, conn: Connection, key: LetterKey, letter: ItemFacts, now: datetime) -> str:
        """A letter neither queued, waiting nor relayed here: its newest receipt (refused for good, or
        withdrawn already) is marked withdrawn; ``ECMS-302`` when this node never carried it."""
        sent = records.sent_letter(conn, letter)
        if sent is None:
            raise NodeRefusal(
                UNKNOWN_LETTER,
                f"this node carried no letter {key.letter_id} of {key.correspondence_date.isoformat()} "
                f"from {letter.sender_dept} to {letter.receiver_dept}",
            )
        records.set_outbound(conn, sent.id, state=RelayState.WITHDRAWN, finished_at=now)
        return sent.process_id

    # ------------------------------------------------------------ relay

    def finish_relay(self, job: RelayJob, state: RelayState, *, error: str | None, started: datetime) -> None:
        """Record how a try at ``job`` ended: ``relayed``, or ``failed`` (refused for good).

        A copy of a letter withdrawn while it was being forwarded (the withdrawal found it pending and
        stopped it) is at its destination all the same once relayed: it is recorded relayed, and a
        withdrawal is queued for that node, for the relay worker. Overwriting the withdrawal with
        ``relayed`` sent no withdrawal anywhere (none was relayed when it came), and the destination
        delivered a letter its sender had withdrawn. Refused, the copy stays withdrawn."""
        now = self.clock()
        values = {
            "attempts": job.attempts + 1,
            "first_try_at": job.first_try_at or started,
            "finished_at": now,
            "last_error": error,
        }
        with self.db.write() as conn:
            if records.finish_relay(conn, job.id, state=state, **values):
                return
            if state is not RelayState.RELAYED or records.relay_state(conn, job.id) != RelayState.WITHDRAWN:
                return
            records.set_outbound(conn, job.id, state=state, **values)
            letter = records.outbound_facts(conn, job.id)
            assert letter is not None  # noqa: S101 - the row was read in this transaction
            key = LetterKey(
                letter_id=letter.book_no,
                correspondence_date=letter.letter_date,
                sender_department=letter.sender_dept,
                accept_department=letter.receiver_dept,
            )
            self._withdrawal_to(conn, job.target_url, key, message_id=None, tried_now=False)

    # ------------------------------------------------------------ status

    def status(self, request: OutboundStatusRequest, caller: Caller) -> OutboundStatusResponse:
        org = self.polling_org(caller)
        key = book_no_key(request.letter_id) if request.letter_id else None
        with self.db.read() as conn:
            found = records.statuses(conn, sender_dept=department_of(org), book_key=key)
        return OutboundStatusResponse(statuses=tuple(found))


def _withdrawal(job: RelayJob | None, now: datetime) -> Outcome:
    """The reply to a withdrawal forwarded as ``job`` (tried at once; the reply says how it went)."""
    assert job is not None  # noqa: S101 - a withdrawal to another node always has its job
    return Outcome(
        answer=WithdrawResponse(process_id=job.process_id, process_time=process_time(now)), relay=job
    )


def _key_facts(kind: str, key: LetterKey) -> ItemFacts:
    return ItemFacts(
        kind=kind,
        book_no=key.letter_id,
        book_key=book_no_key(key.letter_id),
        letter_date=key.correspondence_date,
        sender_dept=department_of(key.sender_department),
        receiver_dept=department_of(key.accept_department),
    )


def _item_element(item: LetterItem) -> etree._Element:
    """The item's element to queue: a received letter as it came (serialising it needs no copy)."""
    return item.element if isinstance(item, LetterDocument) else encode(item)
