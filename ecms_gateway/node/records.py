"""The node's reads and writes (SQLAlchemy core on one connection; the caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Final

from sqlalchemy import ColumnElement, Connection, Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.engine import RowMapping

from ecms_gateway.codec import OutboundStatus
from ecms_gateway.node.tables import INBOUND, OUTBOUND, PAYLOAD, InboundState, RelayState, Route
from ecms_gateway.node.values import LETTER_KIND, CarriedLetter, ItemFacts, QueuedItem, RelayJob, SentLetter

# The statements of every request, built once (SQLAlchemy reuses their compiled forms).
_ADD_INBOUND: Final = insert(INBOUND).returning(INBOUND.c.id)
_ADD_PAYLOAD: Final = insert(PAYLOAD)
_WITH_PAYLOAD: Final = INBOUND.join(PAYLOAD, PAYLOAD.c.id == INBOUND.c.id)
_ADD_OUTBOUND: Final = insert(OUTBOUND)
_IN_QUEUE: Final = select(INBOUND.c.id).where(
    INBOUND.c.org_id == bindparam("p_org"), INBOUND.c.process_id == bindparam("p_pid")
)
_MARK_FETCHED: Final = (
    update(INBOUND)
    .where(
        INBOUND.c.process_id == bindparam("p_pid"),
        INBOUND.c.org_id == bindparam("p_org"),
        INBOUND.c.state == InboundState.QUEUED,
    )
    .values(state=InboundState.FETCHED, fetched_at=bindparam("p_now"))
)
_HEAD: Final = (
    select(INBOUND.c.process_id, INBOUND.c.created_at, PAYLOAD.c.payload)
    .select_from(_WITH_PAYLOAD)
    .where(INBOUND.c.org_id == bindparam("p_org"), INBOUND.c.state == InboundState.QUEUED)
    .order_by(INBOUND.c.id)
    .limit(1)
)
_RECEIPT: Final = select(OUTBOUND.c.process_id).where(
    OUTBOUND.c.message_id == bindparam("p_mid"),
    OUTBOUND.c.item_kind == bindparam("p_kind"),
    OUTBOUND.c.book_key == bindparam("p_key"),
    OUTBOUND.c.letter_date == bindparam("p_date"),
    OUTBOUND.c.sender_dept == bindparam("p_sender"),
)
_CARRIED: Final = tuple(
    select(table.c.sender_dept, table.c.receiver_dept, table.c.created_at).where(
        table.c.item_kind == LETTER_KIND,
        table.c.book_key == bindparam("p_key"),
        table.c.letter_date == bindparam("p_date"),
    )
    for table in (INBOUND, OUTBOUND)
)

# ---------------------------------------------------------------- writes


def add_inbound(
    conn: Connection, *, process_id: str, org_id: str, facts: ItemFacts, payload: bytes, now: datetime
) -> None:
    row = {
        "process_id": process_id,
        "org_id": org_id,
        "item_kind": facts.kind,
        "book_no": facts.book_no,
        "book_key": facts.book_key,
        "letter_date": facts.letter_date,
        "sender_dept": facts.sender_dept,
        "receiver_dept": facts.receiver_dept,
        "state": InboundState.QUEUED,
        "created_at": now,
    }
    row_id = conn.execute(_ADD_INBOUND, row).scalar_one()
    conn.execute(_ADD_PAYLOAD, {"id": row_id, "payload": payload})


def add_outbound(
    conn: Connection,
    *,
    process_id: str,
    message_id: str | None,
    sender_dept: str,
    facts: ItemFacts,
    relay_to: str | None,
    envelope: bytes | None,
    now: datetime,
    first_try: datetime | None = None,
) -> int:
    """Record an accepted request: delivered here (``relay_to`` None) or to forward to ``relay_to``;
    returns the row's id."""
    row = {
        "process_id": process_id,
        "message_id": message_id,
        "sender_dept": sender_dept,
        "item_kind": facts.kind,
        "book_no": facts.book_no,
        "book_key": facts.book_key,
        "letter_date": facts.letter_date,
        "receiver_dept": facts.receiver_dept,
        "route": Route.LOCAL if relay_to is None else Route.RELAY,
        "target_url": relay_to,
        "envelope": envelope,
        "state": RelayState.LOCAL if relay_to is None else RelayState.PENDING,
        "attempts": 0,
        "created_at": now,
        "next_try_at": first_try,
    }
    result = conn.execute(_ADD_OUTBOUND, row)
    (row_id,) = result.inserted_primary_key or (None,)
    if row_id is None:
        raise RuntimeError("the database returned no id for the new node_outbound row")
    return int(row_id)


def fetched(conn: Connection, *, org_id: str, process_id: str, now: datetime) -> bool:
    """Mark a queued item fetched; True when the organisation has (or had) that item.

    One statement for the usual delete (a queued item); the item's state is read only when there was
    none to mark (deleted again, withdrawn, or not this organisation's)."""
    marked = conn.execute(_MARK_FETCHED, {"p_pid": process_id, "p_org": org_id, "p_now": now})
    if marked.rowcount:
        return True
    return conn.execute(_IN_QUEUE, {"p_org": org_id, "p_pid": process_id}).first() is not None


def withdraw_inbound(conn: Connection, facts: ItemFacts, *, now: datetime) -> str | None:
    """Withdraw a delivered letter: out of the queue when not yet fetched, else recorded; the newest
    copy's ProcessID. Every copy is withdrawn: a letter sent twice without a MessageID is queued twice,
    and withdrawing only the newest left the other to be fetched after its withdrawal."""
    letter = and_(_letter_is(INBOUND, facts), INBOUND.c.item_kind == LETTER_KIND)
    row = conn.execute(select(INBOUND.c.process_id).where(letter).order_by(INBOUND.c.id.desc())).first()
    if row is None:
        return None
    queued = INBOUND.c.state == InboundState.QUEUED
    conn.execute(update(INBOUND).where(letter, queued).values(state=InboundState.WITHDRAWN, withdrawn_at=now))
    conn.execute(update(INBOUND).where(letter, ~queued).values(withdrawn_at=now))
    return str(row.process_id)


def stop_relays_of(conn: Connection, facts: ItemFacts, *, now: datetime) -> str | None:
    """Stop every copy of a letter still waiting here to be relayed (``withdrawn``); the newest one's
    ProcessID. Every copy: one sent again while its node was down was relayed after the withdrawal."""
    waiting = and_(
        _letter_is(OUTBOUND, facts),
        OUTBOUND.c.item_kind == LETTER_KIND,
        OUTBOUND.c.state == RelayState.PENDING,
    )
    row = conn.execute(select(OUTBOUND.c.process_id).where(waiting).order_by(OUTBOUND.c.id.desc())).first()
    if row is None:
        return None
    conn.execute(update(OUTBOUND).where(waiting).values(state=RelayState.WITHDRAWN, finished_at=now))
    return str(row.process_id)


def relayed_to(conn: Connection, facts: ItemFacts) -> list[str]:
    """The nodes that took a copy of a letter from this node, the newest copy's node first."""
    rows = conn.execute(
        select(OUTBOUND.c.target_url)
        .where(
            _letter_is(OUTBOUND, facts),
            OUTBOUND.c.item_kind == LETTER_KIND,
            OUTBOUND.c.state == RelayState.RELAYED,
        )
        .order_by(OUTBOUND.c.id.desc())
    )
    return list(dict.fromkeys(str(r.target_url) for r in rows if r.target_url))


def set_outbound(conn: Connection, row_id: int, **values: object) -> None:
    conn.execute(update(OUTBOUND).where(OUTBOUND.c.id == row_id).values(**values))


def finish_relay(conn: Connection, row_id: int, **values: object) -> bool:
    """Record the end of a relay job that is still pending; False when it is not (a withdrawal
    stopped it while it was being forwarded): one statement, so no withdrawal slips in between."""
    pending = and_(OUTBOUND.c.id == row_id, OUTBOUND.c.state == RelayState.PENDING)
    return bool(conn.execute(update(OUTBOUND).where(pending).values(**values)).rowcount)


# ---------------------------------------------------------------- reads


def head(conn: Connection, org_id: str) -> QueuedItem | None:
    """The oldest queued item of ``org_id``."""
    row = conn.execute(_HEAD, {"p_org": org_id}).mappings().first()
    return None if row is None else _queued(row)


def find_item(conn: Connection, *, org_id: str, facts: ItemFacts) -> QueuedItem | None:
    """The newest item of ``org_id`` of that kind about that letter, fetched or not (not withdrawn)."""
    row = (
        conn.execute(
            select(INBOUND.c.process_id, INBOUND.c.created_at, PAYLOAD.c.payload)
            .select_from(_WITH_PAYLOAD)
            .where(
                INBOUND.c.org_id == org_id,
                INBOUND.c.item_kind == facts.kind,
                INBOUND.c.state != InboundState.WITHDRAWN,
                _letter_is(INBOUND, facts, lenient=True),
            )
            .order_by(INBOUND.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else _queued(row)


def carried_letters(conn: Connection, *, book_key: str, letter_date: date) -> list[CarriedLetter]:
    """Every letter with this book number and date that this node enqueued or forwarded, oldest first."""
    found: list[CarriedLetter] = []
    for query in _CARRIED:
        rows = conn.execute(query, {"p_key": book_key, "p_date": letter_date})
        found.extend(
            CarriedLetter(sender_dept=r.sender_dept, receiver_dept=r.receiver_dept, at=r.created_at)
            for r in rows
        )
    return sorted(found, key=lambda letter: letter.at)


def sent_letter(conn: Connection, facts: ItemFacts) -> SentLetter | None:
    """The newest receipt of a letter a sender handed to this node."""
    row = conn.execute(
        select(
            OUTBOUND.c.id, OUTBOUND.c.process_id, OUTBOUND.c.route, OUTBOUND.c.state, OUTBOUND.c.target_url
        )
        .where(_letter_is(OUTBOUND, facts), OUTBOUND.c.item_kind == LETTER_KIND)
        .order_by(OUTBOUND.c.id.desc())
    ).first()
    if row is None:
        return None
    return SentLetter(
        id=row.id, process_id=row.process_id, route=row.route, state=row.state, target_url=row.target_url
    )


def receipt_of(conn: Connection, *, message_id: str, sender: str, facts: ItemFacts) -> str | None:
    """The ProcessID already given to this very request (same MessageID, same sender, same item), if
    any. The sender counts: MessageIDs are the senders' own (``mid://<time>@noname`` in the spec's
    example), and two receivers of one letter notify its sender about the same book number."""
    params = {
        "p_mid": message_id,
        "p_kind": facts.kind,
        "p_key": facts.book_key,
        "p_date": facts.letter_date,
        "p_sender": sender,
    }
    row = conn.execute(_RECEIPT, params).first()
    return None if row is None else str(row.process_id)


def statuses(conn: Connection, *, sender_dept: str, book_key: str | None) -> list[OutboundStatus]:
    """What ``sender_dept`` handed to this node, oldest first, with each item's status."""
    query = (
        select(
            OUTBOUND.c.process_id,
            OUTBOUND.c.book_no,
            OUTBOUND.c.state,
            INBOUND.c.state.label("queue"),
            INBOUND.c.withdrawn_at,
        )
        .select_from(OUTBOUND.outerjoin(INBOUND, INBOUND.c.process_id == OUTBOUND.c.process_id))
        .where(OUTBOUND.c.sender_dept == sender_dept)
        .order_by(OUTBOUND.c.id)
    )
    if book_key is not None:
        query = query.where(OUTBOUND.c.book_key == book_key)
    return [
        OutboundStatus(process_id=r["process_id"], letter_id=r["book_no"], process_status=_status(r))
        for r in conn.execute(query).mappings()
    ]


def due_relays(
    conn: Connection,
    *,
    now: datetime,
    limit: int,
    skip: Collection[str] = (),
    skip_jobs: Collection[int] = (),
) -> list[RelayJob]:
    """The pending relay jobs due by ``now``, in the order to try them; none for the ``skip`` nodes,
    nor the ``skip_jobs`` (row ids being forwarded now)."""
    query = (
        select(
            OUTBOUND.c.id,
            OUTBOUND.c.process_id,
            OUTBOUND.c.target_url,
            OUTBOUND.c.envelope,
            OUTBOUND.c.attempts,
            OUTBOUND.c.first_try_at,
        )
        .where(OUTBOUND.c.state == RelayState.PENDING, OUTBOUND.c.next_try_at <= now)
        .order_by(OUTBOUND.c.next_try_at, OUTBOUND.c.id)
        .limit(limit)
    )
    if skip:  # in the query, not after it: a busy node's jobs filled the limit and starved the others
        query = query.where(OUTBOUND.c.target_url.not_in(sorted(skip)))
    if skip_jobs:
        query = query.where(OUTBOUND.c.id.not_in(sorted(skip_jobs)))
    rows = conn.execute(query)
    return [
        RelayJob(
            id=r.id,
            process_id=r.process_id,
            target_url=r.target_url or "",
            envelope=r.envelope or b"",
            attempts=r.attempts,
            first_try_at=r.first_try_at,
        )
        for r in rows
    ]


def relay_state(conn: Connection, row_id: int) -> str | None:
    row = conn.execute(select(OUTBOUND.c.state).where(OUTBOUND.c.id == row_id)).first()
    return None if row is None else str(row.state)


def outbound_facts(conn: Connection, row_id: int) -> ItemFacts | None:
    """What a receipt records about its item (for a letter: the letter's key)."""
    row = conn.execute(
        select(
            OUTBOUND.c.item_kind,
            OUTBOUND.c.book_no,
            OUTBOUND.c.book_key,
            OUTBOUND.c.letter_date,
            OUTBOUND.c.sender_dept,
            OUTBOUND.c.receiver_dept,
        ).where(OUTBOUND.c.id == row_id)
    ).first()
    if row is None:
        return None
    return ItemFacts(
        kind=row.item_kind,
        book_no=row.book_no,
        book_key=row.book_key,
        letter_date=row.letter_date,
        sender_dept=row.sender_dept,
        receiver_dept=row.receiver_dept,
    )


# ---------------------------------------------------------------- helpers


def _queued(row: RowMapping) -> QueuedItem:
    return QueuedItem(process_id=row["process_id"], created_at=row["created_at"], payload=row["payload"])


def _letter_is(table: Table, facts: ItemFacts, *, lenient: bool = False) -> ColumnElement[bool]:
    """The rows about the letter ``facts`` names; ``lenient`` lets an unknown ("") department match."""
    columns = table.c
    sender = columns.sender_dept == facts.sender_dept
    receiver = columns.receiver_dept == facts.receiver_dept
    if lenient:
        sender = or_(sender, columns.sender_dept == "")
        receiver = or_(receiver, columns.receiver_dept == "")
    return and_(
        columns.book_key == facts.book_key, columns.letter_date == facts.letter_date, sender, receiver
    )


def _status(row: RowMapping) -> str:
    if row["state"] == RelayState.PENDING:
        return "relaying"
    if row["state"] != RelayState.LOCAL:
        return str(row["state"])
    if row["queue"] == InboundState.FETCHED and row["withdrawn_at"] is not None:
        return "withdrawn-after-fetch"
    return str(row["queue"] or InboundState.QUEUED)
