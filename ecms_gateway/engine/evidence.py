"""What the store keeps about one letter, read in one transaction, for an auditor: the letter's row,
its files, received items (letter, notifiers, mail) and sent messages, its work, its audit entries and
the chain's state. The bytes of files and messages are read afterwards through ``Store.load_file``,
``Store.load_raw`` and ``Store.load_sent``.

Audit entries name a letter in several ways (see ``_linked_entries``); they are found by all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, bindparam, or_, select
from sqlalchemy.engine import RowMapping

from ecms_gateway.engine import audit, sent
from ecms_gateway.engine.events import RESENT
from ecms_gateway.engine.queries import summary
from ecms_gateway.engine.sent_values import SentMessage
from ecms_gateway.engine.states import Direction, Event
from ecms_gateway.engine.values import AuditReport, LetterSummary
from ecms_gateway.errors import NotFound
from ecms_gateway.store.database import Database
from ecms_gateway.store.tables import (
    AUDIT,
    AUDIT_HEAD,
    INBOX,
    LETTER,
    LETTER_FILE,
    MAIL_LETTER,
    NOTIFIER,
    WORK,
)

_SENT_AGAIN: Final = f"letter.{Event.SENT_AGAIN.value}"
# A worker's note on a finished send or notify item ("ProcessID X", "notify_accept ProcessID X").
_PROCESS_ID: Final = re.compile(r"ProcessID (\S+)")
_UNSAFE: Final = re.compile(r"[^0-9A-Za-z.:-]+")
# Without the raw bytes: they are read (and checked) afterwards, one item at a time.
_ITEMS: Final = select(
    INBOX.c.id, INBOX.c.channel, INBOX.c.process_id, INBOX.c.received_at, INBOX.c.raw_sha256, INBOX.c.raw_size
).order_by(INBOX.c.received_at, INBOX.c.id)
_FILES: Final = (
    select(LETTER_FILE).where(LETTER_FILE.c.letter_id == bindparam("p_id")).order_by(LETTER_FILE.c.position)
)


@dataclass(frozen=True, kw_only=True)
class AuditRecord:
    """An audit entry exactly as stored, and why it belongs to the letter (``linked_by``)."""

    seq: int
    at: datetime
    actor: str
    action: str
    letter_id: int | None
    work_id: int | None
    reason: str | None
    detail: str  # canonical JSON text, as hashed
    prev_hash: str
    hash: str
    linked_by: str


@dataclass(frozen=True, kw_only=True)
class ItemRecord:
    """A received item of the letter (the letter itself, a notifier, a mail), as recorded at intake."""

    inbox_id: int
    role: str  # letter | letter_again | notifier:<kind> | mail | the audit action that named it
    channel: str
    process_id: str
    received_at: datetime
    sha256: str
    size: int


@dataclass(frozen=True, kw_only=True)
class FileRecord:
    """A file of the letter; its bytes are in the file store under ``sha256``."""

    position: int
    name: str
    mime: str
    size: int
    sha256: str


@dataclass(frozen=True, kw_only=True)
class WorkRecord:
    """A work item of the letter (the message it sent, if any, is in ``EvidenceRecords.sent``)."""

    work_id: int
    kind: str
    channel: str
    state: str
    attempts: int
    created_at: datetime
    finished_at: datetime | None
    process_id: str | None  # from the worker's note in the audit entry ``work.done``
    process_id_entry: int | None = None  # that entry's seq


@dataclass(frozen=True, kw_only=True)
class LetterRecord:
    """The letter's row: the summary every view shows plus the columns an auditor may need."""

    summary: LetterSummary
    sender_dept: str
    registry_org: str | None
    content_digest: str
    inbox_id: int | None
    resend_of: int | None
    resent_as: tuple[int, ...]
    letter_json: str
    # When its registry number was given (ours: outgoing or receive) and the audit entry that says so.
    numbered_at: datetime | None = None
    numbered_by: int | None = None


@dataclass(frozen=True, kw_only=True)
class EvidenceRecords:
    """What the store keeps about one letter, and the audit chain's state, from one read transaction."""

    letter: LetterRecord
    files: tuple[FileRecord, ...]
    items: tuple[ItemRecord, ...]
    sent: tuple[SentMessage, ...]
    work: tuple[WorkRecord, ...]
    entries: tuple[AuditRecord, ...]
    chain: AuditReport
    head_seq: int
    head_hash: str


def letter_records(db: Database, letter_id: int) -> EvidenceRecords:
    """One snapshot: the letter, its files, received items and sent messages, its work, its audit
    entries, the chain."""
    with db.read() as conn:
        row = conn.execute(select(LETTER).where(LETTER.c.id == letter_id)).mappings().first()
        if row is None:
            raise NotFound(
                f"there is no letter {letter_id}", cli_hint="`ecms-gateway letters` lists the letters"
            )
        record = _letter_record(conn, row)
        files = tuple(_file(f) for f in conn.execute(_FILES, {"p_id": letter_id}).mappings())
        items = _items(conn, row)
        messages = sent.of_letter(conn, letter_id)
        work = _work(conn, letter_id, [i.inbox_id for i in items])
        entries = _linked_entries(conn, record, items, work)
        head = conn.execute(select(AUDIT_HEAD)).mappings().first()
        chain = audit.verify(conn)
    return EvidenceRecords(
        letter=_numbered(record, entries),
        files=files,
        items=items,
        sent=messages,
        work=_with_process_ids(work, entries),
        entries=entries,
        chain=chain,
        head_seq=int(head["last_seq"]) if head else 0,
        head_hash=str(head["last_hash"]) if head else audit.GENESIS,
    )


def _letter_record(conn: Connection, row: RowMapping) -> LetterRecord:
    resent = conn.execute(select(LETTER.c.id).where(LETTER.c.resend_of == row["id"]).order_by(LETTER.c.id))
    return LetterRecord(
        summary=summary(row),
        sender_dept=row["sender_dept"],
        registry_org=row["registry_org"],
        content_digest=row["content_digest"],
        inbox_id=row["inbox_id"],
        resend_of=row["resend_of"],
        resent_as=tuple(int(i) for i in resent.scalars()),
        letter_json=row["letter_json"],
    )


def _numbered(letter: LetterRecord, entries: tuple[AuditRecord, ...]) -> LetterRecord:
    """When the letter got its registry number: the ``at`` of the letter's entry that gave it (its
    detail names the number: ``letter.accepted`` for an outgoing number, given as the letter is stored,
    ``letter.register`` for a receive number). The row keeps only a receive number's time
    (``registered_at``); an outgoing number is given in the transaction that stores the letter
    (``created_at``), which is the fallback when no entry says it."""
    s = letter.summary
    if s.registry_no is None:
        return letter
    for e in entries:
        if e.letter_id == s.id and audit.detail_of(e.detail).get("registry_no") == s.registry_no:
            return replace(letter, numbered_at=e.at, numbered_by=e.seq)
    at = s.registered_at if s.registered_at is not None or s.direction is Direction.IN else s.created_at
    return replace(letter, numbered_at=at)


def _file(row: RowMapping) -> FileRecord:
    return FileRecord(
        position=int(row["position"]),
        name=row["name"],
        mime=row["mime"],
        size=int(row["size"]),
        sha256=row["sha256"],
    )


def _items(conn: Connection, letter: RowMapping) -> tuple[ItemRecord, ...]:
    """The letter's own item, the items that brought it again, its notifiers, its mail and any other item
    an entry of the letter names (``inbox_id`` in the detail), by arrival."""
    roles: dict[int, str] = {}
    if letter["inbox_id"] is not None:
        roles[int(letter["inbox_id"])] = "mail" if letter["channel"] == "mail" else "letter"
    # Entries of the letter that name an item: the letter sent again, a reply by mail noted on it.
    named = conn.execute(select(AUDIT.c.action, AUDIT.c.detail).where(AUDIT.c.letter_id == letter["id"]))
    for action, detail in named:
        inbox_id = audit.detail_of(detail).get("inbox_id")
        if isinstance(inbox_id, int):
            roles.setdefault(inbox_id, "letter_again" if action == _SENT_AGAIN else action.split(".")[-1])
    notifiers = conn.execute(
        select(NOTIFIER.c.inbox_id, NOTIFIER.c.kind).where(
            NOTIFIER.c.letter_id == letter["id"], NOTIFIER.c.inbox_id.is_not(None)
        )
    )
    for inbox_id, kind in notifiers:
        roles.setdefault(int(inbox_id), f"notifier:{kind}")
    mails = conn.execute(select(MAIL_LETTER.c.inbox_id).where(MAIL_LETTER.c.letter_id == letter["id"]))
    for inbox_id in mails.scalars():
        roles.setdefault(int(inbox_id), "mail")
    if not roles:
        return ()
    rows = conn.execute(_ITEMS.where(INBOX.c.id.in_(roles))).mappings()
    return tuple(
        ItemRecord(
            inbox_id=int(r["id"]),
            role=roles[int(r["id"])],
            channel=r["channel"],
            process_id=r["process_id"],
            received_at=r["received_at"],
            sha256=r["raw_sha256"],
            size=int(r["raw_size"]),
        )
        for r in rows
    )


def _work(conn: Connection, letter_id: int, inbox_ids: list[int]) -> tuple[WorkRecord, ...]:
    query = (
        select(WORK)
        .where(or_(WORK.c.letter_id == letter_id, WORK.c.inbox_id.in_(inbox_ids)))
        .order_by(WORK.c.created_at, WORK.c.id)
    )
    return tuple(
        WorkRecord(
            work_id=int(w["id"]),
            kind=w["kind"],
            channel=w["channel"],
            state=w["state"],
            attempts=int(w["attempts"]),
            created_at=w["created_at"],
            finished_at=w["finished_at"],
            process_id=None,
        )
        for w in conn.execute(query).mappings()
    )


def _linked_entries(
    conn: Connection, letter: LetterRecord, items: tuple[ItemRecord, ...], work: tuple[WorkRecord, ...]
) -> tuple[AuditRecord, ...]:
    """Entries about the letter: by its id; by the id of its work items (an inbound item's entries name
    no letter); ``inbox.received`` of its items (named by channel and ProcessID in the detail, since a
    notifier stored and matched at once has no work item); the ``letter.resent`` entry of the letter it
    replaces (kept on that letter, naming this one in the detail)."""
    letter_id = letter.summary.id
    found: dict[int, AuditRecord] = {}
    work_ids = [w.work_id for w in work]
    rows = conn.execute(
        select(AUDIT).where(or_(AUDIT.c.letter_id == letter_id, AUDIT.c.work_id.in_(work_ids)))
    ).mappings()
    for r in rows:
        found[int(r["seq"])] = _entry(r, "letter" if r["letter_id"] == letter_id else f"work:{r['work_id']}")
    for item in items:
        for r in _received_entries(conn, item):
            found.setdefault(int(r["seq"]), _entry(r, f"inbox:{item.inbox_id}"))
    if letter.resend_of is not None:
        for r in conn.execute(
            select(AUDIT).where(AUDIT.c.letter_id == letter.resend_of, AUDIT.c.action == RESENT)
        ).mappings():
            if audit.detail_of(r["detail"]).get("as") == letter_id:
                found.setdefault(int(r["seq"]), _entry(r, f"resend_of:{letter.resend_of}"))
    return tuple(found[seq] for seq in sorted(found))


def _received_entries(conn: Connection, item: ItemRecord) -> list[RowMapping]:
    # The LIKE only narrows the scan (characters JSON or LIKE would escape become wildcards); the
    # parsed detail decides.
    pattern = "%" + _UNSAFE.sub("%", item.process_id) + "%"
    rows = conn.execute(
        select(AUDIT).where(AUDIT.c.action == "inbox.received", AUDIT.c.detail.like(pattern))
    ).mappings()
    return [
        r
        for r in rows
        if audit.detail_of(r["detail"]).get("process_id") == item.process_id
        and audit.detail_of(r["detail"]).get("channel") == item.channel
    ]


def _entry(row: RowMapping, linked_by: str) -> AuditRecord:
    return AuditRecord(
        seq=int(row["seq"]),
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        letter_id=row["letter_id"],
        work_id=row["work_id"],
        reason=row["reason"],
        detail=row["detail"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        linked_by=linked_by,
    )


def _with_process_ids(
    work: tuple[WorkRecord, ...], entries: tuple[AuditRecord, ...]
) -> tuple[WorkRecord, ...]:
    # The worker's note lands on the entry that ends the item: ``work.done``, or the letter's ``letter.sent``.
    notes = {e.work_id: e for e in entries if e.work_id is not None and _PROCESS_ID.search(e.reason or "")}
    out = []
    for w in work:
        note = notes.get(w.work_id)
        match = _PROCESS_ID.search(note.reason or "") if note is not None else None
        if note is None or match is None:
            out.append(w)
            continue
        out.append(replace(w, process_id=match.group(1), process_id_entry=note.seq))
    return tuple(out)


def received_entry(item: ItemRecord, entries: tuple[AuditRecord, ...]) -> AuditRecord | None:
    """The ``inbox.received`` entry that recorded the item's intake (its channel and ProcessID)."""
    for e in entries:
        detail = audit.detail_of(e.detail) if e.action == "inbox.received" else {}
        if detail.get("process_id") == item.process_id and detail.get("channel") == item.channel:
            return e
    return None


def proven(records: EvidenceRecords, seq: int | None) -> bool:
    """Whether the chain vouches for entry ``seq``: an entry exists and lies before any break (the check
    stops at the break, so the entry there and every one after it prove nothing)."""
    first_bad = records.chain.first_bad
    return seq is not None and (first_bad is None or seq < first_bad)
