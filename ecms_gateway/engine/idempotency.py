"""Idempotency keys of submissions: a caller that retries with the same key gets the same letter.

``reserve`` claims the (caller, key) pair in one transaction; the table's primary key makes two
concurrent requests with one key race-free (one reserves, the other waits for its letter). The letter
is then accepted in its own transaction and ``complete`` records its id; a failed submission
``release``s the key, so that the corrected request may use it again. A reservation left behind by a
crash between the two is taken over after ``stale_after``; the API also records the key as the
letter's origin in the letter's own transaction, so the retry then finds that letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ecms_gateway.engine.context import Context
from ecms_gateway.store.tables import IDEMPOTENCY

DEFAULT_STALE_AFTER = timedelta(minutes=2)


class KeyOutcome(StrEnum):
    """What a reservation found."""

    NEW = "new"  # reserved for this request: submit the letter, then complete or release
    DONE = "done"  # an earlier request with this key made ``letter_id``: answer with that letter
    PENDING = "pending"  # an earlier request with this key is still submitting: wait and ask again
    MISMATCH = "mismatch"  # this key was used for a different letter: refuse


@dataclass(frozen=True, kw_only=True)
class KeyState:
    outcome: KeyOutcome
    letter_id: int | None = None


def reserve(
    ctx: Context, *, principal: str, key: str, digest: str, stale_after: timedelta = DEFAULT_STALE_AFTER
) -> KeyState:
    """Reserve ``key`` of ``principal`` for a request whose letter has content ``digest``."""
    now = ctx.clock()
    try:
        with ctx.db.write() as conn:
            found = _found(conn, principal, key)
            if found is None:
                conn.execute(
                    insert(IDEMPOTENCY).values(
                        principal=principal, key=key, request_digest=digest, created_at=now
                    )
                )
                return KeyState(outcome=KeyOutcome.NEW)
            if found.request_digest != digest:
                return KeyState(outcome=KeyOutcome.MISMATCH, letter_id=found.letter_id)
            if found.letter_id is not None:
                return KeyState(outcome=KeyOutcome.DONE, letter_id=found.letter_id)
            if now - found.created_at < stale_after:
                return KeyState(outcome=KeyOutcome.PENDING)
            # Left behind by a crash: take it over (only one request can move created_at on).
            taken = conn.execute(
                update(IDEMPOTENCY)
                .where(_is(principal, key), IDEMPOTENCY.c.created_at == found.created_at)
                .values(created_at=now)
            ).rowcount
            return KeyState(outcome=KeyOutcome.NEW if taken else KeyOutcome.PENDING)
    except IntegrityError:  # another request inserted the same key first (PostgreSQL)
        return KeyState(outcome=KeyOutcome.PENDING)


def complete(ctx: Context, *, principal: str, key: str, letter_id: int) -> None:
    """Record the letter the reserved key made."""
    with ctx.db.write() as conn:
        conn.execute(
            update(IDEMPOTENCY)
            .where(_is(principal, key))
            .values(letter_id=letter_id, completed_at=ctx.clock())
        )


def release(ctx: Context, *, principal: str, key: str) -> None:
    """Free a reserved key whose submission failed (no letter was made)."""
    with ctx.db.write() as conn:
        conn.execute(delete(IDEMPOTENCY).where(_is(principal, key), IDEMPOTENCY.c.letter_id.is_(None)))


def _is(principal: str, key: str) -> ColumnElement[bool]:
    return and_(IDEMPOTENCY.c.principal == principal, IDEMPOTENCY.c.key == key)


def _found(conn: Connection, principal: str, key: str) -> Row[Any] | None:
    return conn.execute(select(IDEMPOTENCY).where(_is(principal, key))).first()
