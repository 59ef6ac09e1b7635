"""Accepting work: an outbound letter from a clerk or an API call, a raw item from a channel, and the
inbound letter decoded from it. Everything is committed before the call returns (and so before
anyone acknowledges it); files go to the file store first, content-addressed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from ecms_gateway.engine import audit, raw_bytes
from ecms_gateway.engine.audit import canonical_json
from ecms_gateway.engine.clerk import register_locked
from ecms_gateway.engine.context import Context
from ecms_gateway.engine.events import RECEIVED_AGAIN, RESENT, Origin, find_origin, record_origin
from ecms_gateway.engine.registry import Register, allocate, registry_year
from ecms_gateway.engine.states import Direction, Event, LetterState, WorkKind, next_state
from ecms_gateway.engine.transitions import apply, enqueue, lock_letter
from ecms_gateway.engine.values import Accepted, SignatureMark
from ecms_gateway.errors import DuplicateLetter, NotFound
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.letter.codes import Secrecy
from ecms_gateway.letter.model import FileData, Letter, LetterPackage
from ecms_gateway.letter.policy import SecrecyPolicy, check_may_leave
from ecms_gateway.store.tables import AUDIT, INBOX, LETTER, LETTER_FILE

_HARD_RULES_ONLY = SecrecyPolicy(allowed=frozenset(Secrecy))


# Built once (SQLAlchemy reuses their compiled forms); the values come as parameters.
_ADD_INBOX: Final = insert(INBOX).returning(INBOX.c.id)
_ADD_LETTER: Final = insert(LETTER).returning(LETTER.c.id)
_ADD_FILE: Final = insert(LETTER_FILE)
_INBOX_CHANNEL: Final = select(INBOX.c.channel).where(INBOX.c.id == bindparam("p_id"))


def content_digest(package: LetterPackage) -> str:
    """SHA-256 over the letter's canonical JSON and its files' digests: equal content, equal digest."""
    files = [[f.name, f.mime, f.sha256] for f in package.files]
    return hashlib.sha256(
        canonical_json({"letter": package.letter.to_json_dict(), "files": files}).encode("utf-8")
    ).hexdigest()


def accept_outbound(
    ctx: Context,
    package: LetterPackage,
    *,
    actor: str,
    channel: str,
    resend_of: int | None = None,
    origin: Origin | None = None,
) -> int:
    """Queue a letter for sending; returns its id once committed, with its outgoing registry number.

    Raises ``DuplicateLetter`` when the same letter (sender, book number, date) is live already; the
    regulation's hard rules (top secret, internal kinds) are checked here too, agency policy is not.
    With an ``origin`` (recorded in the same transaction) the call is idempotent: the letter already
    accepted from that origin is returned instead of a second one.
    """
    letter = package.letter
    check_may_leave(letter, _HARD_RULES_ONLY)
    _put_files(ctx, package.files)
    now = ctx.clock()
    try:
        with ctx.db.write() as conn:
            year = registry_year(now)
            number = allocate(conn, org=letter.sender.org_id, register=Register.OUTGOING, year=year)
            letter_id = _insert_letter(
                conn,
                package,
                direction=Direction.OUT,
                state=LetterState.QUEUED,
                channel=channel,
                now=now,
                registry=(letter.sender.org_id, year, number),
                resend_of=resend_of,
            )
            enqueue(conn, kind=WorkKind.SEND, channel=channel, now=now, letter_id=letter_id)
            if origin is not None:
                record_origin(conn, origin, letter_id=letter_id, now=now)
            if resend_of is not None:  # the withdrawn letter's history says where it went on
                audit.append(
                    conn, at=now, actor=actor, action=RESENT, letter_id=resend_of, detail={"as": letter_id}
                )
            audit.append(
                conn,
                at=now,
                actor=actor,
                action="letter.accepted",
                letter_id=letter_id,
                detail={
                    "to": LetterState.QUEUED.value,
                    "channel": channel,
                    "registry_no": number,
                    "year": year,
                },
            )
    except IntegrityError as exc:
        if origin is not None:
            with ctx.db.read() as conn:
                earlier = find_origin(conn, origin)
            if earlier is not None:  # another process accepted it from the same origin just now
                return earlier
        duplicate = _duplicate(ctx, letter)
        if duplicate is None:  # some other constraint: let the original error surface
            raise
        raise duplicate from exc
    return letter_id


def _duplicate(ctx: Context, letter: Letter) -> DuplicateLetter | None:
    with ctx.db.read() as conn:
        live = conn.execute(
            select(LETTER.c.id, LETTER.c.state).where(
                LETTER.c.direction == Direction.OUT.value,
                LETTER.c.state != LetterState.WITHDRAWN.value,
                LETTER.c.sender_dept == letter.sender.department_id,
                LETTER.c.book_key == letter.book_key,
                LETTER.c.letter_date == letter.date,
            )
        ).first()
    if live is None:
        return None
    return DuplicateLetter(
        f"letter {letter.book_no} of {letter.date.isoformat()} from {letter.sender.org_id} (e-CMS department "
        f"{letter.sender.department_id}) is already letter {live.id} (state {live.state}); it cannot be sent "
        "twice: withdraw that one after a rejection, then send again",
        fault_code="store.duplicate",
        fault_params=fault_params(
            "store.duplicate",
            book_no=letter.book_no,
            date=letter.date.isoformat(),
            department=letter.sender.department_id,
            letter_id=live.id,
            state=live.state,
        ),
    )


def accept_inbound(ctx: Context, raw: bytes, *, channel: str, process_id: str, actor: str) -> Accepted:
    """Store a received item exactly as it came; the same (channel, ProcessID) is stored only once.

    Acknowledge the item to its channel (delete it from the queue) only after this returns. Items up
    to ``INLINE_RAW_MAX`` bytes are kept in their row, committed with it; larger ones go to the file
    store first (see docs/store-and-engine.md, "Received items").
    """
    row = inbox_row(ctx, raw, channel=channel, process_id=process_id)
    try:
        with ctx.db.write() as conn:
            inbox_id = add_inbox(conn, row)
            now = row["received_at"]
            work_id = enqueue(conn, kind=WorkKind.INBOUND, channel=channel, now=now, inbox_id=inbox_id)
            audit.append(
                conn,
                at=now,
                actor=actor,
                action="inbox.received",
                work_id=work_id,
                detail=inbox_detail(row),
            )
        return Accepted(id=inbox_id, created=True)
    except IntegrityError:
        before = stored_before(ctx, channel=channel, process_id=process_id)
        if before is None:
            raise
        return before


def inbox_row(ctx: Context, raw: bytes, *, channel: str, process_id: str) -> dict[str, Any]:
    """The ``inbox_item`` row of a received item; a large one's bytes go to the file store now."""
    sha256, inline = raw_bytes.keep(ctx.files, raw)
    return {
        "channel": channel,
        "process_id": process_id,
        "raw_sha256": sha256,
        "raw_size": len(raw),
        "raw": inline,
        "received_at": ctx.clock(),
    }


def add_inbox(conn: Connection, row: Mapping[str, Any]) -> int:
    """Insert ``row`` (``inbox_row``); IntegrityError when its (channel, ProcessID) is stored already."""
    return int(conn.execute(_ADD_INBOX, row).scalar_one())


def inbox_detail(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the ``inbox.received`` audit entry says about the item."""
    return {
        "channel": row["channel"],
        "process_id": row["process_id"],
        "sha256": row["raw_sha256"],
        "size": row["raw_size"],
    }


def stored_before(ctx: Context, *, channel: str, process_id: str) -> Accepted | None:
    """The item of (channel, ProcessID) stored already (``created`` False), after a refused insert."""
    with ctx.db.read() as conn:
        existing = conn.execute(
            select(INBOX.c.id).where(INBOX.c.channel == channel, INBOX.c.process_id == process_id)
        ).scalar()
    return None if existing is None else Accepted(id=int(existing), created=False)


def record_inbound_letter(
    ctx: Context,
    inbox_id: int,
    package: LetterPackage,
    *,
    actor: str,
    signature: SignatureMark,
    register_as: str | None = None,
) -> Accepted:
    """Record the letter decoded from inbox item ``inbox_id``, once per (key, content) however often
    it arrives; a new letter queues the ReceiveLetterNotifier back to its sender.

    ``register_as``: register a new letter in the same transaction, by that actor (an agency's
    auto-register policy): its receive number comes back in ``receive_no`` and its
    AcceptLetterNotifier is queued. A letter recorded before is returned as it is.
    ``signature``: how its sender was established, kept on the letter for clerks to see.
    """
    _put_files(ctx, package.files)
    digest = content_digest(package)
    now = ctx.clock()
    try:
        with ctx.db.write() as conn:
            channel = conn.execute(_INBOX_CHANNEL, {"p_id": inbox_id}).scalar()
            if channel is None:
                raise NotFound(f"there is no inbox item {inbox_id}")
            letter_id = _insert_letter(
                conn,
                package,
                direction=Direction.IN,
                state=LetterState.RECEIVED,
                channel=channel,
                now=now,
                digest=digest,
                inbox_id=inbox_id,
                signature=signature,
            )
            enqueue(conn, kind=WorkKind.NOTIFY_RECEIVE, channel=channel, now=now, letter_id=letter_id)
            audit.append(
                conn,
                at=now,
                actor=actor,
                action="letter.received",
                letter_id=letter_id,
                detail={
                    "to": LetterState.RECEIVED.value,
                    "inbox_id": inbox_id,
                    "digest": digest,
                    "signature": signature.value,
                },
            )
            number = None
            if register_as is not None:  # one transaction (one commit) instead of two in a row
                registered = register_locked(conn, lock_letter(conn, letter_id), actor=register_as, now=now)
                number = registered if isinstance(registered, int) else None
        return Accepted(id=letter_id, created=True, receive_no=number)
    except IntegrityError:
        letter = package.letter
        with ctx.db.read() as conn:
            existing = conn.execute(
                select(LETTER.c.id).where(
                    LETTER.c.direction == Direction.IN.value,
                    LETTER.c.sender_dept == letter.sender.department_id,
                    LETTER.c.book_key == letter.book_key,
                    LETTER.c.letter_date == letter.date,
                    LETTER.c.content_digest == digest,
                )
            ).scalar()
        if existing is None:
            raise
        again = _sent_again(ctx, int(existing), inbox_id, actor=actor, register_as=register_as)
        return again if again is not None else Accepted(id=int(existing), created=False)


def _sent_again(
    ctx: Context, letter_id: int, inbox_id: int, *, actor: str, register_as: str | None
) -> Accepted | None:
    """A letter we recorded before, arriving as another inbox item: when we had refused it (rejected
    or marked invalid), its sender has withdrawn it and sent it again unchanged, so it waits for a
    clerk again (event ``sent_again``, ReceiveLetterNotifier queued). Otherwise, or for the same item
    processed again, None: the same letter delivered twice, recorded once."""
    now = ctx.clock()
    with ctx.db.write() as conn:
        letter = lock_letter(conn, letter_id)
        if letter["inbox_id"] == inbox_id or _came_again_as(conn, letter_id, inbox_id):
            return None
        if next_state(Direction.IN, LetterState(letter["state"]), Event.SENT_AGAIN) is None:
            # Delivered twice (its sender sent it again, e.g. after a timeout): recorded once, but the
            # item that brought it again is named on the letter, so its ProcessID is in the evidence.
            audit.append(
                conn,
                at=now,
                actor=actor,
                action=RECEIVED_AGAIN,
                letter_id=letter_id,
                reason=f"the same letter arrived again as inbox item {inbox_id}; recorded once",
                detail={"inbox_id": inbox_id},
            )
            return None
        apply(conn, letter, Event.SENT_AGAIN, actor=actor, now=now, detail={"inbox_id": inbox_id})
        number = None
        if register_as is not None:
            registered = register_locked(conn, lock_letter(conn, letter_id), actor=register_as, now=now)
            number = registered if isinstance(registered, int) else None
    return Accepted(id=letter_id, created=True, receive_no=number)


def _came_again_as(conn: Connection, letter_id: int, inbox_id: int) -> bool:
    """Whether inbox item ``inbox_id`` already brought the letter again once (its processing is being
    repeated): sent again after a refusal, or delivered twice."""
    details = conn.execute(
        select(AUDIT.c.detail).where(
            AUDIT.c.letter_id == letter_id,
            AUDIT.c.action.in_((f"letter.{Event.SENT_AGAIN.value}", RECEIVED_AGAIN)),
        )
    ).scalars()
    return any(json.loads(detail or "{}").get("inbox_id") == inbox_id for detail in details)


def _put_files(ctx: Context, files: tuple[FileData, ...]) -> None:
    # Before the row that names them: a crash leaves at worst an unreferenced file, never a dangling row.
    for data in files:
        ctx.files.put(data.content)


def _insert_letter(
    conn: Connection,
    package: LetterPackage,
    *,
    direction: Direction,
    state: LetterState,
    channel: str,
    now: datetime,
    digest: str | None = None,
    registry: tuple[str, int, int] | None = None,
    inbox_id: int | None = None,
    resend_of: int | None = None,
    signature: SignatureMark | None = None,
) -> int:
    letter = package.letter
    org, year, number = registry if registry else (None, None, None)
    row = {
        "direction": direction.value,
        "state": state.value,
        "channel": channel,
        "sender_org": letter.sender.org_id,
        "sender_dept": letter.sender.department_id,
        "receiver_org": letter.receiver.org_id,
        "book_no": letter.book_no,
        "book_key": letter.book_key,
        "letter_date": letter.date,
        "subject": letter.subject,
        "speed": letter.speed.value,
        "secrecy": letter.secrecy.value,
        "letter_json": canonical_json(letter.to_json_dict()),
        "content_digest": digest or content_digest(package),
        "registry_org": org,
        "registry_year": year,
        "registry_no": number,
        "inbox_id": inbox_id,
        "resend_of": resend_of,
        "signature_status": None if signature is None else signature.value,
        "created_at": now,
        "updated_at": now,
    }
    letter_id = int(conn.execute(_ADD_LETTER, row).scalar_one())
    conn.execute(
        _ADD_FILE,
        [
            {
                "letter_id": letter_id,
                "position": i,
                "name": f.name,
                "mime": f.mime,
                "size": f.size,
                "sha256": f.sha256,
            }
            for i, f in enumerate(package.files)
        ],
    )
    return letter_id
