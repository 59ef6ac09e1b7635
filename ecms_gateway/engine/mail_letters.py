"""The mail-letter queue in the store: a person's letter kept for a clerk, then confirmed or dismissed;
and the Message-ID each mailed letter went out under, for matching bounces by index.

Every change is one transaction with its audit entry. A confirmation is two steps around the Store's
intake (which records the letter in a transaction of its own): ``begin_confirm`` takes the record
(pending -> confirming), ``finish_confirm`` names the recorded letter (confirming -> confirmed). A
confirmation cut off between them is taken over after ``stale`` by the next clerk, who finds the
letter already recorded from the same inbox item instead of recording a second one.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from ecms_gateway.engine import audit
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.mail_values import (
    MailFileView,
    MailLetterDraft,
    MailLetterFields,
    MailLetterState,
    MailLetterView,
    MissingField,
)
from ecms_gateway.engine.states import Direction
from ecms_gateway.engine.values import Accepted
from ecms_gateway.errors import NotFound, StoreError
from ecms_gateway.letter.model import FileData
from ecms_gateway.store.tables import LETTER, MAIL_LETTER, MAIL_LETTER_FILE, MAIL_SENT

OPEN_STATES = frozenset({MailLetterState.PENDING, MailLetterState.CONFIRMING})
"""States of a record a clerk may still act on."""
_OPEN = tuple(s.value for s in OPEN_STATES)


def record(ctx: Context, draft: MailLetterDraft, *, actor: str) -> Accepted:
    """Keep ``draft`` for a clerk; the same inbox item is kept once (``created=False`` after that)."""
    existing = _of_inbox(ctx, draft.inbox_id)
    if existing is not None:
        return Accepted(id=existing, created=False)
    for data in draft.files:  # before the rows that name them
        ctx.files.put(data.content)
    now = ctx.clock()
    fields = draft.fields
    try:
        with ctx.db.write() as conn:
            stmt = insert(MAIL_LETTER).values(
                inbox_id=draft.inbox_id,
                state=MailLetterState.PENDING.value,
                message_id=draft.message_id,
                from_address=draft.from_address[:320],
                from_name=draft.from_name,
                mail_subject=draft.mail_subject,
                mail_date=draft.mail_date,
                **_field_values(fields),
                not_found=json.dumps(
                    [{"field": m.field, "message": m.message} for m in draft.not_found], ensure_ascii=False
                ),
                notes=json.dumps(list(draft.notes), ensure_ascii=False),
                forwarded=draft.forwarded,
                created_at=now,
                updated_at=now,
            )
            record_id = int(conn.execute(stmt.returning(MAIL_LETTER.c.id)).scalar_one())
            if draft.files:  # none for a mail kept because it could not be taken in as a letter
                conn.execute(
                    insert(MAIL_LETTER_FILE),
                    [
                        {
                            "mail_letter_id": record_id,
                            "position": i,
                            "name": f.name,
                            "mime": f.mime,
                            "size": f.size,
                            "sha256": f.sha256,
                        }
                        for i, f in enumerate(draft.files)
                    ],
                )
            audit.append(
                conn,
                at=now,
                actor=actor,
                action="mail_letter.pending",
                detail={"mail_letter": record_id, "inbox_id": draft.inbox_id, "from": draft.from_address},
            )
    except IntegrityError:
        again = _of_inbox(ctx, draft.inbox_id)  # another processor kept it first
        if again is None:
            raise
        return Accepted(id=again, created=False)
    return Accepted(id=record_id, created=True)


def open_records(ctx: Context, *, limit: int = 1000) -> list[MailLetterView]:
    """Records waiting for a clerk (pending, and confirmations in progress), oldest first."""
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(MAIL_LETTER).where(MAIL_LETTER.c.state.in_(_OPEN)).order_by(MAIL_LETTER.c.id).limit(limit)
        ).mappings()
        return [view_of_row(conn, row) for row in rows.all()]


def view(ctx: Context, record_id: int) -> MailLetterView:
    with ctx.db.read() as conn:
        return view_of_row(conn, _row(conn, record_id))


def of_letter(ctx: Context, letter_id: int) -> MailLetterView | None:
    """The person's mail a confirmed letter was recorded from, or None (it came otherwise)."""
    with ctx.db.read() as conn:
        row = (
            conn.execute(
                select(MAIL_LETTER).where(MAIL_LETTER.c.letter_id == letter_id).order_by(MAIL_LETTER.c.id)
            )
            .mappings()
            .first()
        )
        return None if row is None else view_of_row(conn, row)


def files(ctx: Context, record_id: int) -> tuple[FileData, ...]:
    """The record's files with their bytes (checked against their SHA-256), main file first."""
    return tuple(
        FileData(name=f.name, mime=f.mime, content=ctx.files.get(f.sha256))
        for f in view(ctx, record_id).files
    )


def begin_confirm(ctx: Context, record_id: int, *, actor: str, stale: timedelta) -> MailLetterView:
    """Take the record for confirming (pending, or a confirmation cut off more than ``stale`` ago)."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        row = _row(conn, record_id)
        taken = conn.execute(
            update(MAIL_LETTER)
            .where(
                MAIL_LETTER.c.id == record_id,
                (MAIL_LETTER.c.state == MailLetterState.PENDING.value)
                | (
                    (MAIL_LETTER.c.state == MailLetterState.CONFIRMING.value)
                    & (MAIL_LETTER.c.updated_at < now - stale)
                ),
            )
            .values(state=MailLetterState.CONFIRMING.value, acted_by=actor, acted_at=now, updated_at=now)
        ).rowcount
        if taken != 1:
            raise not_open_error(view_of_row(conn, row), "ยืนยัน")
        return view_of_row(conn, _row(conn, record_id))


def release_confirm(ctx: Context, record_id: int) -> None:
    """Back to pending after a confirmation that recorded nothing (the intake refused the letter)."""
    with ctx.db.write() as conn:
        conn.execute(
            update(MAIL_LETTER)
            .where(MAIL_LETTER.c.id == record_id, MAIL_LETTER.c.state == MailLetterState.CONFIRMING.value)
            .values(state=MailLetterState.PENDING.value, acted_by=None, acted_at=None, updated_at=ctx.clock())
        )


def finish_confirm(
    ctx: Context, record_id: int, *, letter_id: int, fields: MailLetterFields, actor: str
) -> MailLetterView:
    """Confirmed as inbound letter ``letter_id``, with the fields as the clerk completed them."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        done = conn.execute(
            update(MAIL_LETTER)
            .where(MAIL_LETTER.c.id == record_id, MAIL_LETTER.c.state == MailLetterState.CONFIRMING.value)
            .values(
                state=MailLetterState.CONFIRMED.value,
                letter_id=letter_id,
                **_field_values(fields),
                acted_by=actor,
                acted_at=now,
                updated_at=now,
            )
        ).rowcount
        if done != 1:
            raise not_open_error(view_of_row(conn, _row(conn, record_id)), "ยืนยัน")
        audit.append(
            conn,
            at=now,
            actor=actor,
            action="mail_letter.confirmed",
            letter_id=letter_id,
            detail={"mail_letter": record_id},
        )
        return view_of_row(conn, _row(conn, record_id))


def dismiss(ctx: Context, record_id: int, *, reason: str, actor: str) -> MailLetterView:
    """Not a letter: pending -> dismissed with ``reason``."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        row = _row(conn, record_id)
        done = conn.execute(
            update(MAIL_LETTER)
            .where(MAIL_LETTER.c.id == record_id, MAIL_LETTER.c.state == MailLetterState.PENDING.value)
            .values(
                state=MailLetterState.DISMISSED.value,
                reason=reason,
                acted_by=actor,
                acted_at=now,
                updated_at=now,
            )
        ).rowcount
        if done != 1:
            raise not_open_error(view_of_row(conn, row), "ปัดตก")
        audit.append(
            conn,
            at=now,
            actor=actor,
            action="mail_letter.dismissed",
            reason=reason,
            detail={"mail_letter": record_id, "inbox_id": row["inbox_id"]},
        )
        return view_of_row(conn, _row(conn, record_id))


def letter_of_inbox(ctx: Context, inbox_id: int) -> int | None:
    """The inbound letter already recorded from inbox item ``inbox_id`` (a cut-off confirmation's)."""
    with ctx.db.read() as conn:
        found = conn.execute(
            select(LETTER.c.id)
            .where(LETTER.c.inbox_id == inbox_id, LETTER.c.direction == Direction.IN.value)
            .order_by(LETTER.c.id)
        ).scalar()
    return None if found is None else int(found)


def record_mailed(ctx: Context, *, message_id: str, letter_id: int) -> None:
    """Keep the Message-ID letter ``letter_id`` is mailed under (idempotent: retries record it once)."""
    try:
        with ctx.db.write() as conn:
            conn.execute(
                insert(MAIL_SENT).values(message_id=message_id, letter_id=letter_id, recorded_at=ctx.clock())
            )
    except IntegrityError:
        with ctx.db.read() as conn:
            known = conn.execute(
                select(MAIL_SENT.c.id).where(
                    MAIL_SENT.c.message_id == message_id, MAIL_SENT.c.letter_id == letter_id
                )
            ).scalar()
        if known is None:
            raise


def letter_of_message(ctx: Context, message_id: str) -> int | None:
    """The newest outbound letter mailed under ``message_id`` (by index), or None."""
    with ctx.db.read() as conn:
        found = conn.execute(
            select(MAIL_SENT.c.letter_id)
            .join(LETTER, LETTER.c.id == MAIL_SENT.c.letter_id)
            .where(MAIL_SENT.c.message_id == message_id, LETTER.c.direction == Direction.OUT.value)
            .order_by(MAIL_SENT.c.letter_id.desc())
        ).scalar()
    return None if found is None else int(found)


# ---------------------------------------------------------------- helpers


def _field_values(fields: MailLetterFields) -> dict[str, object]:
    return {
        "book_no": fields.book_no,
        "subject": fields.subject,
        "letter_date": fields.letter_date,
        "sender_org": fields.sender_org,
        "receiver_org": fields.receiver_org,
        "speed": fields.speed,
        "secrecy": fields.secrecy,
    }


def _of_inbox(ctx: Context, inbox_id: int) -> int | None:
    with ctx.db.read() as conn:
        found = conn.execute(select(MAIL_LETTER.c.id).where(MAIL_LETTER.c.inbox_id == inbox_id)).scalar()
    return None if found is None else int(found)


def _row(conn: Connection, record_id: int) -> RowMapping:
    row = conn.execute(select(MAIL_LETTER).where(MAIL_LETTER.c.id == record_id)).mappings().first()
    if row is None:
        raise NotFound(
            f"ไม่มีหนังสือทางอีเมลรายการที่ {record_id} (there is no mail letter {record_id})",
            cli_hint="ดูรายการที่รอยืนยันด้วย `ecms-gateway mail pending`",
        )
    return row


def not_open_error(record: MailLetterView, action: str) -> StoreError:
    """Why ``action`` (Thai verb) cannot be done to ``record`` any more, for the clerk."""
    who = f" โดย {record.acted_by}" if record.acted_by else ""
    when = f" เมื่อ {record.acted_at.isoformat(timespec='minutes')}" if record.acted_at else ""
    if record.state is MailLetterState.CONFIRMED:
        return StoreError(
            f"หนังสือทางอีเมลรายการที่ {record.id} ยืนยันแล้วเป็นหนังสือเลขที่ {record.letter_id}{who}{when} "
            f"จึง{action}อีกไม่ได้ (mail letter {record.id} is already confirmed as letter {record.letter_id})",
            cli_hint=f"ลงทะเบียนรับด้วย `ecms-gateway register {record.letter_id}`",
        )
    if record.state is MailLetterState.DISMISSED:
        return StoreError(
            f"หนังสือทางอีเมลรายการที่ {record.id} ถูกปัดตกแล้ว{who}{when} เหตุผล: {record.reason} "
            f"จึง{action}ไม่ได้ (mail letter {record.id} was dismissed)"
        )
    return StoreError(
        f"หนังสือทางอีเมลรายการที่ {record.id} กำลังถูกยืนยันอยู่{who}{when} โปรดรอสักครู่แล้วดูอีกครั้ง "
        f"(mail letter {record.id} is being confirmed now)"
    )


def view_of_row(conn: Connection, row: RowMapping) -> MailLetterView:
    """The record in ``row`` with its files (for the queue's readers in mail_queries.py too)."""
    stored = conn.execute(
        select(MAIL_LETTER_FILE)
        .where(MAIL_LETTER_FILE.c.mail_letter_id == row["id"])
        .order_by(MAIL_LETTER_FILE.c.position)
    ).mappings()
    return MailLetterView(
        id=row["id"],
        inbox_id=row["inbox_id"],
        state=MailLetterState(row["state"]),
        message_id=row["message_id"],
        from_address=row["from_address"],
        from_name=row["from_name"],
        mail_subject=row["mail_subject"],
        mail_date=row["mail_date"],
        fields=MailLetterFields(
            book_no=row["book_no"],
            subject=row["subject"],
            letter_date=row["letter_date"],
            sender_org=row["sender_org"],
            receiver_org=row["receiver_org"],
            speed=row["speed"],
            secrecy=row["secrecy"],
        ),
        not_found=tuple(
            MissingField(field=m["field"], message=m["message"]) for m in json.loads(row["not_found"])
        ),
        notes=tuple(json.loads(row["notes"])),
        forwarded=bool(row["forwarded"]),
        files=tuple(
            MailFileView(
                position=f["position"], name=f["name"], mime=f["mime"], size=f["size"], sha256=f["sha256"]
            )
            for f in stored
        ),
        letter_id=row["letter_id"],
        reason=row["reason"],
        acted_by=row["acted_by"],
        acted_at=row["acted_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
