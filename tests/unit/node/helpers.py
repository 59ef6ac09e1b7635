"""A node in-process for unit tests: SQLite in a temp folder, a scripted relay, a settable clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ecms_gateway.codec import (
    ErrorDetail,
    LetterDocument,
    Message,
    Notifier,
    NotifierKind,
    OutboundResponse,
    build_document,
    read_message,
    to_wire,
)
from ecms_gateway.engine.retry import RetryPolicy
from ecms_gateway.errors import TransportError
from ecms_gateway.letter.model import Party
from ecms_gateway.node import Directory, NodeService, NodeSettings, load_directory
from ecms_gateway.node.migrate import prepare
from ecms_gateway.node.service import NodeReply
from ecms_gateway.store.database import Database
from tests.conftest import SAMPLES
from tests.unit.codec.helpers import make_package

HERE = "http://node-a.test/ecms-ws01/service2"
THERE = "http://node-b.test/ecms-ws01/service2"
ORG_A = "2099000000"  # department 20990, served HERE
ORG_B = "2099100000"  # department 20991, served HERE
ORG_C = "2199000000"  # department 21990, served THERE


def directory(*, orgs: Iterable[tuple[str, str | None]] | None = None) -> Directory:
    """The sample directory with its organisations' nodes set to ``orgs`` (org id -> node URL)."""
    sample = load_directory(SAMPLES / "directory.json")
    urls = dict(orgs if orgs is not None else [(ORG_A, HERE), (ORG_B, HERE), (ORG_C, THERE)])
    organizations = tuple(
        dataclasses.replace(o, ecms_url=urls.get(o.organization_id)) for o in sample.organizations
    )
    return dataclasses.replace(sample, organizations=organizations)


@dataclass
class Clock:
    now: datetime = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class ScriptedRelay:
    """``NodeRelay`` that records each forward and fails with the scripted errors first."""

    failures: list[TransportError] = field(default_factory=list)
    forwarded: list[tuple[str, bytes]] = field(default_factory=list)

    async def forward(self, url: str, envelope: bytes) -> Message:
        if self.failures:
            raise self.failures.pop(0)
        self.forwarded.append((url, envelope))
        return OutboundResponse(process_id="remote-1", process_time="t")


def make_node(
    tmp_path: Path,
    *,
    service_url: str = HERE,
    dir_: Directory | None = None,
    inline_reads: bool | None = None,
) -> tuple[NodeService, ScriptedRelay, Clock]:
    db = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    prepare(db)
    relay = ScriptedRelay()
    clock = Clock()
    # No jitter: the wait before try n is exactly 2 s * 2**(n-1); five tries at most.
    policy = RetryPolicy(
        base=timedelta(seconds=2), cap=timedelta(minutes=5), max_attempts=5, rand=lambda: 1.0
    )
    settings = NodeSettings(service_url=service_url, directory=dir_ or directory(), relay_policy=policy)
    node = NodeService(settings, db=db, relay=relay, clock=clock, inline_reads=inline_reads)
    return node, relay, clock


async def call(
    node: NodeService,
    message: Message,
    *,
    org: str | None = None,
    to: str | None = None,
    message_id: str | None = None,
) -> Message:
    """Send ``message`` to the node as a SOAP request; the decoded reply (an ``ErrorDetail`` for a fault)."""
    reply = await node.handle(to_wire(message, to=to, message_id=message_id), org=org)
    return decoded(reply)


def decoded(reply: NodeReply) -> Message:
    message = read_message(reply.body).message
    assert reply.fault == isinstance(message, ErrorDetail)
    return message


def letter(
    *, sender: str = ORG_A, receiver: str = ORG_B, book_no: str = "ศธ ๐๙๙๐/๑๒๓", day: date | None = None
) -> LetterDocument:
    package = make_package(sender_org=sender)
    updates: dict[str, object] = {"receiver": Party(org_id=receiver), "book_no": book_no}
    if day is not None:
        updates["date"] = day
    package = dataclasses.replace(package, letter=package.letter.model_copy(update=updates))
    return LetterDocument(element=build_document(package))


def notifier(
    kind: NotifierKind, *, book_no: str = "ศธ 0990/123", accept_department: str | None = None
) -> Notifier:
    return Notifier(
        kind=kind,
        letter_id=book_no,
        correspondence_date=date(2026, 11, 20),
        subject="ทดสอบการส่งหนังสือ",
        accept_department=accept_department,
        accept_id="๑๒" if kind is NotifierKind.ACCEPT else None,
    )
