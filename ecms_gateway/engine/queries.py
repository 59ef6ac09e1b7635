"""Read-only views for operators and workers: the queue, one letter in full, refusals, unmatched
notifiers, and a stored letter or raw item read back from the file store.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.engine import RowMapping

from ecms_gateway.engine import raw_bytes, sent
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.reasons import shown, shown_for
from ecms_gateway.engine.states import Direction, LetterState, WorkKind, WorkState
from ecms_gateway.engine.values import (
    AttemptView,
    HistoryEntry,
    LetterDetail,
    LetterFacts,
    LetterSummary,
    NotifierKind,
    QueueRow,
    RefusedView,
    SignatureMark,
    UnmatchedNotifier,
)
from ecms_gateway.errors import NotFound
from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.letter.model import STORED, FileData, Letter, LetterPackage
from ecms_gateway.store.tables import ATTEMPT, AUDIT, INBOX, LETTER, LETTER_FILE, NOTIFIER, REFUSED, WORK

# The reads workers make for every letter, built once (SQLAlchemy reuses their compiled forms).
_LETTER: Final = select(LETTER).where(LETTER.c.id == bindparam("p_id"))
_FILES: Final = (
    select(LETTER_FILE).where(LETTER_FILE.c.letter_id == bindparam("p_id")).order_by(LETTER_FILE.c.position)
)
_FILE_FACTS: Final = (
    select(LETTER_FILE.c.name, LETTER_FILE.c.mime, LETTER_FILE.c.size, LETTER_FILE.c.sha256)
    .where(LETTER_FILE.c.letter_id == bindparam("p_id"))
    .order_by(LETTER_FILE.c.position)
)
_HISTORY: Final = select(AUDIT).where(AUDIT.c.letter_id == bindparam("p_id")).order_by(AUDIT.c.seq)
_ATTEMPTS: Final = (
    select(ATTEMPT, WORK.c.kind)
    .join(WORK, WORK.c.id == ATTEMPT.c.work_id)
    .where(WORK.c.letter_id == bindparam("p_id"))
    .order_by(ATTEMPT.c.started_at, ATTEMPT.c.id)
)
_REFUSED_OF: Final = (
    select(REFUSED)
    .where(REFUSED.c.letter_id == bindparam("p_id"))
    .order_by(REFUSED.c.at, REFUSED.c.id)
    .limit(bindparam("p_limit"))
)
_RECEIVE_NOTIFIED: Final = (
    select(WORK.c.id)
    .where(
        WORK.c.letter_id == bindparam("p_id"),
        WORK.c.kind == WorkKind.NOTIFY_RECEIVE.value,
        WORK.c.state == WorkState.DONE.value,
    )
    .limit(1)
)
_RAW_OF: Final = select(INBOX.c.raw_sha256, INBOX.c.raw).where(INBOX.c.id == bindparam("p_id"))


def queue(
    ctx: Context,
    *,
    work_state: WorkState | None = None,
    letter_state: LetterState | None = None,
    channel: str | None = None,
    limit: int = 1000,
) -> list[QueueRow]:
    """Work items, oldest first: by default everything not done yet."""
    query = (
        select(WORK, LETTER.c.book_no, LETTER.c.state.label("letter_state"))
        .select_from(WORK.outerjoin(LETTER, LETTER.c.id == WORK.c.letter_id))
        .order_by(WORK.c.created_at, WORK.c.id)
        .limit(limit)
    )
    if work_state is not None:
        query = query.where(WORK.c.state == work_state.value)
    elif letter_state is None:
        query = query.where(WORK.c.state != WorkState.DONE.value)
    if letter_state is not None:
        query = query.where(LETTER.c.state == letter_state.value)
    if channel is not None:
        query = query.where(WORK.c.channel == channel)
    with ctx.db.read() as conn:
        return [_queue_row(r) for r in conn.execute(query).mappings()]


def _queue_row(r: RowMapping) -> QueueRow:
    return QueueRow(
        work_id=r["id"],
        kind=WorkKind(r["kind"]),
        channel=r["channel"],
        state=WorkState(r["state"]),
        letter_id=r["letter_id"],
        book_no=r["book_no"],
        letter_state=LetterState(r["letter_state"]) if r["letter_state"] else None,
        attempts=r["attempts"],
        created_at=r["created_at"],
        next_try_at=r["next_try_at"],
        lease_owner=r["lease_owner"],
        lease_until=r["lease_until"],
        last_error=shown(r["last_error"]),
    )


def letter_detail(ctx: Context, letter_id: int) -> LetterDetail:
    """The letter, its files, its history (audit entries), its attempts and refused events."""
    with ctx.db.read() as conn:
        row = _letter_row(conn, letter_id)
        files = conn.execute(_FILE_FACTS, {"p_id": letter_id}).all()
        history = conn.execute(_HISTORY, {"p_id": letter_id}).mappings()
        attempts = conn.execute(_ATTEMPTS, {"p_id": letter_id}).mappings()
        return LetterDetail(
            letter=summary(row),
            files=tuple((f.name, f.mime, int(f.size), f.sha256) for f in files),
            history=_history(history),
            attempts=tuple(
                AttemptView(
                    work_id=a["work_id"],
                    kind=WorkKind(a["kind"]),
                    number=a["number"],
                    worker=a["worker"],
                    started_at=a["started_at"],
                    ended_at=a["ended_at"],
                    outcome=a["outcome"],
                    error=shown(a["error"]),
                )
                for a in attempts
            ),
            refused=tuple(_refused(conn, letter_id)),
            sent=sent.of_letter(conn, letter_id),
        )


def letter_facts(ctx: Context, letter_id: int) -> LetterFacts:
    """The letter and its history, in one read: what each notifier sent about it is built from."""
    with ctx.db.read() as conn:
        row = _letter_row(conn, letter_id)
        history = conn.execute(_HISTORY, {"p_id": letter_id}).mappings()
        return LetterFacts(
            letter=summary(row),
            history=_history(history),
            receive_notified=conn.execute(_RECEIVE_NOTIFIED, {"p_id": letter_id}).first() is not None,
        )


def _history(rows: Iterable[RowMapping]) -> tuple[HistoryEntry, ...]:
    return tuple(
        HistoryEntry(
            seq=h["seq"],
            at=h["at"],
            actor=h["actor"],
            action=h["action"],
            reason=shown_for(h["action"], h["reason"]),
            detail=h["detail"],
        )
        for h in rows
    )


def refused_events(ctx: Context, *, limit: int = 1000) -> list[RefusedView]:
    with ctx.db.read() as conn:
        return _refused(conn, None, limit)


def _refused(conn: Connection, letter_id: int | None, limit: int = 1000) -> list[RefusedView]:
    if letter_id is None:
        result = conn.execute(select(REFUSED).order_by(REFUSED.c.at, REFUSED.c.id).limit(limit))
    else:
        result = conn.execute(_REFUSED_OF, {"p_id": letter_id, "p_limit": limit})
    return [
        RefusedView(
            id=r["id"],
            letter_id=r["letter_id"],
            event=r["event"],
            state=r["state"],
            actor=r["actor"],
            reason=r["reason"],
            at=r["at"],
        )
        for r in result.mappings()
    ]


def unmatched_notifiers(ctx: Context, *, limit: int = 1000) -> list[UnmatchedNotifier]:
    query = (
        select(NOTIFIER).where(NOTIFIER.c.letter_id.is_(None)).order_by(NOTIFIER.c.received_at, NOTIFIER.c.id)
    ).limit(limit)
    with ctx.db.read() as conn:
        return [
            UnmatchedNotifier(
                id=n["id"],
                kind=NotifierKind(n["kind"]),
                sender_dept=n["sender_dept"],
                book_no=n["book_no"],
                letter_date=n["letter_date"],
                accept_id=n["accept_id"],
                received_at=n["received_at"],
            )
            for n in conn.execute(query).mappings()
        ]


def load_package(ctx: Context, letter_id: int) -> LetterPackage:
    """The stored letter with the bytes of its files (checked against their SHA-256)."""
    with ctx.db.read() as conn:
        row = _letter_row(conn, letter_id)
        files = conn.execute(_FILES, {"p_id": letter_id}).mappings().all()
    datas = [FileData(name=f["name"], mime=f["mime"], content=ctx.files.get(f["sha256"])) for f in files]
    main, *attachments = datas
    return LetterPackage(
        letter=Letter.model_validate_json(row["letter_json"], context={STORED: True}),
        main=main,
        attachments=tuple(attachments),
    )


def load_letter(ctx: Context, letter_id: int) -> Letter:
    """The stored letter (format v1) without its files: one column, no file store reads."""
    with ctx.db.read() as conn:
        text = conn.execute(select(LETTER.c.letter_json).where(LETTER.c.id == letter_id)).scalar()
    if text is None:
        raise NotFound(f"there is no letter {letter_id}", cli_hint="`ecms-gateway letters` lists the letters")
    return Letter.model_validate_json(text, context={STORED: True})


def load_raw(ctx: Context, inbox_id: int) -> bytes:
    """The bytes of a received item exactly as they came: from its row when small, else the file store.

    Either way they are checked against the SHA-256 recorded at intake (``StoreError`` when corrupt)."""
    with ctx.db.read() as conn:
        row = conn.execute(_RAW_OF, {"p_id": inbox_id}).first()
    if row is None:
        raise NotFound(f"there is no inbox item {inbox_id}")
    return raw_bytes.read(ctx.files, sha256=row.raw_sha256, inline=row.raw, what=f"inbox item {inbox_id}")


def _letter_row(conn: Connection, letter_id: int) -> RowMapping:
    row = conn.execute(_LETTER, {"p_id": letter_id}).mappings().first()
    if row is None:
        raise NotFound(f"there is no letter {letter_id}", cli_hint="`ecms-gateway letters` lists the letters")
    return row


def summary(row: RowMapping) -> LetterSummary:
    return LetterSummary(
        id=row["id"],
        direction=Direction(row["direction"]),
        state=LetterState(row["state"]),
        channel=row["channel"],
        sender_org=row["sender_org"],
        receiver_org=row["receiver_org"],
        book_no=row["book_no"],
        letter_date=row["letter_date"],
        subject=row["subject"],
        speed=Speed(row["speed"]),
        secrecy=Secrecy(row["secrecy"]),
        registry_year=row["registry_year"],
        registry_no=row["registry_no"],
        registered_at=row["registered_at"],
        accept_id=row["accept_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        signature=SignatureMark(row["signature_status"]) if row["signature_status"] else None,
    )
