"""The e-CMS node as a service, pure of HTTP: bytes of a SOAP request in, bytes of the reply out.

Every accepted request is committed before its reply. A request for another node is committed as a
relay job, tried at once, and retried by the relay worker (the server calls ``start_relays`` in the
background: each destination's jobs in turn, the destinations on their own) with the relay policy's
backoff until the other node takes it or refuses it for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from ecms_gateway.codec import (
    DeleteRequest,
    InboundRequest,
    InboundSpecialRequest,
    LetterDocument,
    Message,
    MimeCodesRequest,
    MimeCodesResponse,
    MinistryListRequest,
    MinistryListResponse,
    Notifier,
    OrganizationListRequest,
    OrganizationListResponse,
    OutboundRequest,
    OutboundStatusRequest,
    ReadMessage,
    SecretCodesRequest,
    SecretCodesResponse,
    SpeedCodesRequest,
    SpeedCodesResponse,
    TimeCheckRequest,
    TimeCheckResponse,
    WithdrawRequest,
    new_message_id,
    read_message,
    to_wire,
)
from ecms_gateway.engine.retry import Dead, RetryPolicy, describe
from ecms_gateway.errors import (
    ConfigError,
    InputError,
    LetterInvalid,
    PermanentTransportError,
    SchemaInvalid,
    StoreError,
    TransientTransportError,
    UnknownMessage,
    XmlRejected,
)
from ecms_gateway.node import codes, records
from ecms_gateway.node.codes import ErrorCode, NodeRefusal, Side
from ecms_gateway.node.directory import Directory
from ecms_gateway.node.faults import fault_envelope
from ecms_gateway.node.operations import Operations
from ecms_gateway.node.relaying import Destinations
from ecms_gateway.node.reload import directory_changes
from ecms_gateway.node.tables import RelayState
from ecms_gateway.node.values import Caller, Outcome, RelayJob, process_time
from ecms_gateway.ports import NodeRelay
from ecms_gateway.store.database import Database
from ecms_gateway.xml.parser import XmlLimits

log = logging.getLogger(__name__)


# Requests up to this size are decoded on the event loop (a poll, a delete, a notifier).
INLINE_BYTES: Final = 16 * 1024
# The requests that only read: answered on the event loop when small, on SQLite.
_READS: Final = (
    InboundRequest,
    InboundSpecialRequest,
    TimeCheckRequest,
    MinistryListRequest,
    OrganizationListRequest,
    SecretCodesRequest,
    SpeedCodesRequest,
    MimeCodesRequest,
)


def default_relay_policy() -> RetryPolicy:
    """Relay backoff: from 2 s up to 5 min between tries, for at most 2 days or 200 tries."""
    return RetryPolicy(
        base=timedelta(seconds=2), cap=timedelta(minutes=5), max_attempts=200, max_age=timedelta(days=2)
    )


@dataclass(frozen=True, kw_only=True)
class NodeSettings:
    """What the node is: its own URL (as the directory lists it), the directory, and its policies."""

    service_url: str
    directory: Directory
    relay_policy: RetryPolicy = field(default_factory=default_relay_policy)
    # How long the relay worker leaves a new job to the request that tries it at once: a job in hand
    # is never taken (``NodeService._forwarding``), so this only covers a try that died with the process.
    relay_grace: timedelta = timedelta(minutes=2)
    limits: XmlLimits = field(default_factory=XmlLimits)
    # Drop queue items and receipts finished longer ago than this (``purge``); None: keep them.
    retention: timedelta | None = None


@dataclass(frozen=True, kw_only=True)
class NodeReply:
    """The reply's bytes; ``fault`` replies go out with HTTP 500, as SOAP 1.1 requires."""

    body: bytes
    fault: bool


class NodeService:
    """One e-CMS node: the organisations the directory lists at ``settings.service_url``."""

    def __init__(
        self,
        settings: NodeSettings,
        *,
        db: Database,
        relay: NodeRelay,
        clock: Callable[[], datetime],
        inline_reads: bool | None = None,
    ) -> None:
        """``inline_reads``: answer small reads on the event loop (default: on SQLite, see ``_answer``)."""
        self.settings = settings
        self.relay = relay
        self.clock = clock
        self.ops = Operations(
            service_url=settings.service_url,
            directory=settings.directory,
            db=db,
            clock=clock,
            relay_grace=settings.relay_grace,
        )
        self.db = db
        self._destinations = Destinations()
        # The jobs (row ids) being forwarded now, by a request or the relay worker: the worker never
        # takes one of them. Authoritative: one node a database (node/lock.py).
        self._forwarding: set[int] = set()
        # PostgreSQL answers over the network: every request goes to a thread there.
        self._inline_reads = db.dialect == "sqlite" if inline_reads is None else inline_reads

    @property
    def served(self) -> tuple[str, ...]:
        """The OrganizationIDs this node serves."""
        return self.ops.served

    def use_directory(self, directory: Directory) -> list[str]:
        """Serve with ``directory`` from now on; what changed (``reload.directory_changes``).

        ``ConfigError``, keeping the directory in use, when the new one lists no organisation at this
        node's URL: every request would then be refused."""
        served = tuple(o.organization_id for o in directory.served_by(self.settings.service_url))
        if not served:
            raise ConfigError(
                f"it lists no organisation with ECMS-URL {self.settings.service_url}; this node would "
                "serve nobody"
            )
        changes = directory_changes(self.settings.directory, directory)
        # Plain attribute swaps: a request in hand finishes with the directory it started with.
        self.settings = dataclasses.replace(self.settings, directory=directory)
        self.ops.directory = directory
        self.ops.served = served
        return changes

    async def handle(self, body: bytes, *, org: str | None = None) -> NodeReply:
        """Answer one SOAP request; ``org`` is the ``?org=`` of the request URL, if any."""
        try:
            done = await self._answer(body, org)
            if isinstance(done, bytes):
                return NodeReply(body=done, fault=False)
            answer = await self._relay_now(done)
            reply = answer if isinstance(answer, bytes) else await asyncio.to_thread(self._encode, answer)
            return NodeReply(body=reply, fault=False)
        except NodeRefusal as exc:
            return self._fault(exc.error, exc.description)
        except (XmlRejected, UnknownMessage, SchemaInvalid, LetterInvalid, InputError) as exc:
            return self._fault(_input_code(exc), str(exc))
        except (StoreError, SQLAlchemyError) as exc:
            said = database_problem(exc)
            if isinstance(exc, OperationalError | InterfaceError):  # down or busy: no defect to trace
                log.error("node database failed: %s", said)
            else:
                log.exception("node database failed: %s", said)
            return self._fault(
                codes.STORE_UNAVAILABLE, f"the node's database failed ({said}); try again later"
            )
        except Exception as exc:
            log.exception("node failed on a request")
            return self._fault(codes.INTERNAL, f"the node failed ({describe(exc)})")

    def fault(self, error: ErrorCode, description: str) -> NodeReply:
        """A fault reply for errors found before the request reaches ``handle`` (e.g. too large)."""
        return self._fault(error, description)

    async def relay_due(self, *, limit: int = 50) -> int:
        """Try every relay job whose time has come, waiting for them; how many were tried. The jobs of
        a destination the background worker is busy with are left to it (``start_relays``)."""
        taken, started = await self._start_relays(limit)
        await asyncio.gather(*started)
        return taken

    async def start_relays(self, *, limit: int = 50) -> int:
        """Start forwarding the due relay jobs of each destination not busy already, without waiting for
        them; how many were taken. The relay worker calls this every round: it waited for the slowest
        destination, so one node that accepts connections and never answers held every other node's
        new jobs for its timeout, round after round."""
        taken, _ = await self._start_relays(limit)
        return taken

    async def stop_relays(self) -> None:
        """Cancel the forwarding in progress (at shutdown); a job cut short stays pending."""
        await self._destinations.stop()

    async def _start_relays(self, limit: int) -> tuple[int, list[asyncio.Task[None]]]:
        jobs = await asyncio.to_thread(self._due, limit, self._destinations.busy, frozenset(self._forwarding))
        return self._destinations.start(jobs, self._forward_in_turn)

    async def _forward_in_turn(self, jobs: list[RelayJob]) -> None:
        """One destination's jobs, one at a time, in order; a failure of this node (its database) stops
        them here: they stay pending for a later round."""
        try:
            for job in jobs:
                # A refusal is recorded as failed; the sender sees it in OutboundStatus.
                with contextlib.suppress(PermanentTransportError):
                    await self._forward(job)
        except (StoreError, SQLAlchemyError) as exc:
            log.error(
                "the relay to %s stopped: the node's database failed (%s)",
                jobs[0].target_url,
                database_problem(exc),
            )
        except Exception:
            log.exception("the relay to %s failed", jobs[0].target_url)

    # ------------------------------------------------------------ requests

    async def _answer(self, body: bytes, org: str | None) -> bytes | Outcome:
        """The reply's bytes, committed; or the outcome still to relay (its reply is built after).

        At most one hand-off to a thread, which decodes, commits and encodes: each hand-off wakes a
        worker and then the event loop, which costs about as much CPU as a poll's own work. A request
        of up to ``INLINE_BYTES`` is decoded here (tens of microseconds), and on SQLite the reads among
        them (a poll, the listings) are answered here too: a WAL read never waits for the writer and
        commits nothing. Writes stay in the thread (their commit waits for the disk)."""
        if len(body) > INLINE_BYTES:
            return await asyncio.to_thread(self._read_and_reply, body, org)
        read, caller = self._read(body, org)
        if self._inline_reads and isinstance(read.message, _READS):
            return self._reply(read, body, caller)
        return await asyncio.to_thread(self._reply, read, body, caller)

    def _read_and_reply(self, body: bytes, org: str | None) -> bytes | Outcome:
        read, caller = self._read(body, org)
        return self._reply(read, body, caller)

    def _reply(self, read: ReadMessage, body: bytes, caller: Caller) -> bytes | Outcome:
        outcome = self._dispatch(read, body, caller)
        if outcome.relay is not None:
            return outcome
        answer = outcome.answer
        return answer if isinstance(answer, bytes) else self._encode(answer)

    def _encode(self, answer: Message) -> bytes:
        return to_wire(answer, message_id=self._message_id())

    def _read(self, body: bytes, org: str | None) -> tuple[ReadMessage, Caller]:
        read = read_message(body, limits=self.settings.limits, source="request")
        if read.envelope is None:
            raise NodeRefusal(
                codes.NOT_ECMS, "send the request in a SOAP 1.1 envelope (soap:Envelope/soap:Body)"
            )
        return read, self.ops.caller(org)

    def _dispatch(self, read: ReadMessage, body: bytes, caller: Caller) -> Outcome:  # noqa: PLR0911 - one per operation
        message = read.message
        directory = self.settings.directory
        if isinstance(message, OutboundRequest):
            return self.ops.outbound(read, body, caller)
        if isinstance(message, WithdrawRequest):
            return self.ops.withdraw(read, body, caller)
        if isinstance(message, InboundRequest):
            return Outcome(answer=self.ops.poll(caller))
        if isinstance(message, DeleteRequest):
            return Outcome(answer=self.ops.delete(message, caller))
        if isinstance(message, InboundSpecialRequest):
            return Outcome(answer=self.ops.special(message, caller))
        if isinstance(message, OutboundStatusRequest):
            return Outcome(answer=self.ops.status(message, caller))
        if isinstance(message, TimeCheckRequest):
            return Outcome(answer=TimeCheckResponse(process_time=process_time(self.clock())))
        listing = _listing(message, directory)
        if listing is None:
            wrap = (
                ": send it inside CorrespondenceLetterOutboundRequest"
                if isinstance(message, LetterDocument | Notifier)
                else ""
            )
            raise NodeRefusal(
                codes.NOT_A_REQUEST,
                f"{read.message_type} is not a request this node serves{wrap}; the requests are those of "
                f"the WSDL ({self.settings.service_url}?wsdl)",
            )
        return Outcome(answer=listing)

    # ------------------------------------------------------------ relay

    async def _relay_now(self, outcome: Outcome) -> Message | bytes:
        assert outcome.relay is not None  # noqa: S101 - only called with a relay job
        try:
            await self._forward(outcome.relay)
        except PermanentTransportError as exc:
            code = exc.error_code or codes.RELAY_REFUSED.code
            raise NodeRefusal(
                ErrorCode(code=code, side=Side.CLIENT, meaning=codes.RELAY_REFUSED.meaning),
                f"the destination node {outcome.relay.target_url} refused the item for good: {exc.reason}",
            ) from exc
        return outcome.answer

    async def _forward(self, job: RelayJob) -> None:
        """One try at a relay job, recorded; ``PermanentTransportError`` when it failed for good.

        The job is in ``_forwarding`` until its outcome is committed: a try at once outlasting
        ``relay_grace`` (a slow destination: connect, write and read timeouts add up to more) had the
        relay worker take the same job and the destination got it twice."""
        started = self.clock()
        self._forwarding.add(job.id)
        try:
            try:
                await self.relay.forward(job.target_url, job.envelope)
            except TransientTransportError as exc:
                await asyncio.to_thread(self._retry_later, job, exc, started)
                return
            except PermanentTransportError as exc:
                await asyncio.to_thread(
                    self.ops.finish_relay, job, RelayState.FAILED, error=describe(exc), started=started
                )
                log.warning(
                    "relay %s to %s refused for good: %s", job.process_id, job.target_url, describe(exc)
                )
                raise
            await asyncio.to_thread(
                self.ops.finish_relay, job, RelayState.RELAYED, error=None, started=started
            )
        finally:
            self._forwarding.discard(job.id)

    def _due(self, limit: int, busy: frozenset[str], forwarding: frozenset[int]) -> list[RelayJob]:
        with self.db.read() as conn:
            return records.due_relays(conn, now=self.clock(), limit=limit, skip=busy, skip_jobs=forwarding)

    def _retry_later(self, job: RelayJob, error: Exception, started: datetime) -> None:
        first = job.first_try_at or started
        decision = self.settings.relay_policy.decide(error, job.attempts + 1, first, self.clock())
        with self.db.write() as conn:
            if records.relay_state(conn, job.id) != RelayState.PENDING:
                return  # withdrawn meanwhile
            common = {"attempts": job.attempts + 1, "first_try_at": first, "last_error": describe(error)}
            if isinstance(decision, Dead):
                records.set_outbound(
                    conn, job.id, state=RelayState.FAILED, finished_at=self.clock(), **common
                )
                log.warning("relay %s to %s gave up: %s", job.process_id, job.target_url, decision.reason)
            else:
                records.set_outbound(conn, job.id, next_try_at=decision.at, **common)
                # Failed tries were silent until the last: an operator saw a relay stuck in relaying
                # and nothing in the log.
                log.warning(
                    "relay %s to %s failed (try %d): %s; next try at %s",
                    job.process_id,
                    job.target_url,
                    job.attempts + 1,
                    describe(error),
                    decision.at.isoformat(timespec="seconds"),
                )

    # ------------------------------------------------------------ replies

    def _message_id(self) -> str:
        return new_message_id(self.clock())

    def _fault(self, error: ErrorCode, description: str) -> NodeReply:
        return NodeReply(body=fault_envelope(error, description, message_id=self._message_id()), fault=True)


def database_problem(error: Exception) -> str:
    """The database's own words for a failure, first line only: not SQLAlchemy's rendering, which
    carries the statement, its parameters and a link, and went to SOAP callers in the fault."""
    cause: BaseException = error.orig if isinstance(error, DBAPIError) and error.orig else error
    text = str(cause).strip()
    if isinstance(cause, SQLAlchemyError):
        text = text.split("(Background on this error")[0].strip()
    return text.splitlines()[0] if text else type(cause).__name__


def _input_code(error: Exception) -> ErrorCode:
    if isinstance(error, XmlRejected):
        return codes.XML_REJECTED
    if isinstance(error, UnknownMessage):
        return codes.NOT_ECMS
    if isinstance(error, SchemaInvalid):
        return codes.SCHEMA_INVALID
    return codes.LETTER_INVALID


def _listing(message: Message, directory: Directory) -> Message | None:
    if isinstance(message, MinistryListRequest):
        return MinistryListResponse(ministries=directory.ministries)
    if isinstance(message, OrganizationListRequest):
        return OrganizationListResponse(organizations=directory.organizations)
    if isinstance(message, SecretCodesRequest):
        return SecretCodesResponse(codes=directory.secret_codes)
    if isinstance(message, SpeedCodesRequest):
        return SpeedCodesResponse(codes=directory.speed_codes)
    if isinstance(message, MimeCodesRequest):
        return MimeCodesResponse(codes=directory.mime_codes)
    return None
