"""The sent-message archive: every message a worker hands to a channel, kept byte for byte.

Persist, then send: a work item's first try archives the message it built (one transaction, with a
``message.archived`` audit entry that puts its SHA-256 in the chain) before it sends it; every later try
of that run (the claim's ``first_try_at``) sends the archived bytes again; the completion of the try the
node or server took confirms it (``work.complete(..., confirmation=...)``, same transaction). The
confirmation is a row of its own (``sent_confirmation``): the message's row is never updated, since
SQLite rewrites a row with all its bytes on any update (2.2 ms of CPU for a 205 KB letter, measured).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, Insert, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from ecms_gateway.engine import audit, raw_bytes
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.sent_values import Outgoing, SentDraft, SentMessage, SentWhat
from ecms_gateway.engine.values import Confirmation
from ecms_gateway.errors import NotFound
from ecms_gateway.store.tables import MAIL_SENT, SENT, SENT_CONFIRMATION

ARCHIVED: Final = "message.archived"
"""The audit action of an archived message; its detail names the row and the bytes' SHA-256."""

_WITH_CONFIRMATION: Final = SENT.outerjoin(SENT_CONFIRMATION, SENT_CONFIRMATION.c.sent_id == SENT.c.id)
_FACTS: Final = (
    *(c for c in SENT.c if c.name != "raw"),
    SENT_CONFIRMATION.c.confirmed_at,
    SENT_CONFIRMATION.c.answer,
)
_ADD: Final = insert(SENT).returning(SENT.c.id)
_OF_RUN: Final = (
    select(*_FACTS, SENT.c.raw)
    .select_from(_WITH_CONFIRMATION)
    .where(SENT.c.work_id == bindparam("p_work"), SENT.c.run_started_at == bindparam("p_run"))
)
_OF_LETTER: Final = (
    select(*_FACTS)
    .select_from(_WITH_CONFIRMATION)
    .where(SENT.c.letter_id == bindparam("p_id"))
    .order_by(SENT.c.created_at, SENT.c.id)
)
_RAW_OF: Final = select(SENT.c.raw_sha256, SENT.c.raw).where(SENT.c.id == bindparam("p_id"))


def _confirm(dialect: str) -> Insert:
    """The channel's answer to a message; the first one stays (a later completion adds nothing)."""
    add = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = add(SENT_CONFIRMATION).values(
        sent_id=bindparam("p_id"), confirmed_at=bindparam("p_now"), answer=bindparam("p_answer")
    )
    return stmt.on_conflict_do_nothing(index_elements=[SENT_CONFIRMATION.c.sent_id])


def _mailed(dialect: str) -> Insert:
    """A mailed letter's or notifier's Message-ID for bounces (``mail_sent``), kept once however often it
    is archived."""
    add = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = add(MAIL_SENT).values(
        message_id=bindparam("p_message_id"), letter_id=bindparam("p_letter"), recorded_at=bindparam("p_now")
    )
    return stmt.on_conflict_do_nothing(index_elements=[MAIL_SENT.c.message_id, MAIL_SENT.c.letter_id])


_MAILED: Final = {"postgresql": _mailed("postgresql"), "sqlite": _mailed("sqlite")}
_CONFIRM: Final = {"postgresql": _confirm("postgresql"), "sqlite": _confirm("sqlite")}


def archive(ctx: Context, draft: SentDraft, *, actor: str) -> Outgoing:
    """Keep ``draft`` (committed when this returns), archived by ``actor`` (the worker); a mailed
    letter's or notifier's Message-ID is recorded for bounces in the same transaction. When another
    worker archived this run's message first (it took the item over), that one is returned: every try
    of a run sends the same bytes."""
    sha256, inline = raw_bytes.keep(ctx.files, draft.raw)
    now = ctx.clock()
    row = {
        "work_id": draft.work_id,
        "letter_id": draft.letter_id,
        "channel": draft.channel,
        "what": draft.what.value,
        "message_id": draft.message_id,
        "run_started_at": draft.run_started_at,
        "raw_sha256": sha256,
        "raw_size": len(draft.raw),
        "raw": inline,
        "mail_envelope": _envelope(draft),
        "created_at": now,
    }
    try:
        with ctx.db.write() as conn:
            sent_id = int(conn.execute(_ADD, row).scalar_one())
            if draft.mail_from is not None and draft.letter_id is not None:  # a letter or a notifier
                mailed = _MAILED[_dialect(conn)]
                params = {"p_message_id": draft.message_id, "p_letter": draft.letter_id, "p_now": now}
                conn.execute(mailed, params)
            audit.append(
                conn,
                at=now,
                actor=actor,
                action=ARCHIVED,
                letter_id=draft.letter_id,
                work_id=draft.work_id,
                detail={
                    "sent_id": sent_id,
                    "what": draft.what.value,
                    "channel": draft.channel,
                    "message_id": draft.message_id,
                    "sha256": sha256,
                    "size": len(draft.raw),
                },
            )
    except IntegrityError:
        first = of_run(ctx, draft.work_id, run_started_at=draft.run_started_at)
        if first is None:
            raise
        return first
    facts = {**row, "id": sent_id, "confirmed_at": None, "answer": None}
    return Outgoing(sent=_message(facts), raw=draft.raw)


def of_run(ctx: Context, work_id: int, *, run_started_at: datetime) -> Outgoing | None:
    """The message archived by the run of tries of ``work_id`` that began at ``run_started_at``."""
    with ctx.db.read() as conn:
        row = conn.execute(_OF_RUN, {"p_work": work_id, "p_run": run_started_at}).mappings().first()
    if row is None:
        return None
    raw = raw_bytes.read(ctx.files, sha256=row["raw_sha256"], inline=row["raw"], what=_name(row["id"]))
    return Outgoing(sent=_message(row), raw=raw)


def confirm_in(conn: Connection, confirmation: Confirmation, *, now: datetime) -> None:
    """Inside the completion's transaction: the channel took the message (the first answer stays)."""
    params = {"p_id": confirmation.sent_id, "p_now": now, "p_answer": confirmation.answer}
    conn.execute(_CONFIRM[_dialect(conn)], params)


def of_letter(conn: Connection, letter_id: int) -> tuple[SentMessage, ...]:
    """The messages sent about ``letter_id``, oldest first (without their bytes)."""
    return tuple(_message(r) for r in conn.execute(_OF_LETTER, {"p_id": letter_id}).mappings())


def load(ctx: Context, sent_id: int) -> bytes:
    """The bytes of archived message ``sent_id``, checked against their SHA-256 (``StoreError``)."""
    with ctx.db.read() as conn:
        row = conn.execute(_RAW_OF, {"p_id": sent_id}).first()
    if row is None:
        raise NotFound(f"there is no sent message {sent_id}")
    return raw_bytes.read(ctx.files, sha256=row.raw_sha256, inline=row.raw, what=_name(sent_id))


def _dialect(conn: Connection) -> str:
    return "postgresql" if conn.dialect.name == "postgresql" else "sqlite"


def _name(sent_id: int) -> str:
    return f"sent message {sent_id}"


def _envelope(draft: SentDraft) -> str | None:
    if draft.mail_from is None:
        return None
    return json.dumps({"mail_from": draft.mail_from, "rcpt_to": list(draft.rcpt_to)}, ensure_ascii=False)


def _message(row: RowMapping | dict[str, Any]) -> SentMessage:
    envelope = json.loads(row["mail_envelope"]) if row["mail_envelope"] else {}
    return SentMessage(
        id=int(row["id"]),
        work_id=int(row["work_id"]),
        letter_id=row["letter_id"],
        channel=row["channel"],
        what=SentWhat(row["what"]),
        message_id=row["message_id"],
        run_started_at=row["run_started_at"],
        sha256=row["raw_sha256"],
        size=int(row["raw_size"]),
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        confirmation=row["answer"],
        mail_from=envelope.get("mail_from"),
        rcpt_to=tuple(envelope.get("rcpt_to", ())),
    )
