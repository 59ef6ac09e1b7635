"""Submitting a letter, or sending a withdrawn one again, at most once per ``Idempotency-Key``: a
retried request (same caller, same key, same request) gets the letter the first one made; the same key
with another request is refused.

The ``idempotency_key`` row (reserved before, completed after) lets concurrent copies wait for the
first and detects a different request under the same key; the key recorded as the letter's origin in
the letter's own transaction makes the letter and its key one commit.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header

from ecms_adapters.api.errors import IN_PROGRESS, KEY_REUSED, ApiError
from ecms_adapters.api.schemas import SubmittedOut
from ecms_gateway.engine.events import Origin
from ecms_gateway.engine.idempotency import KeyOutcome
from ecms_gateway.engine.intake import content_digest
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.services.clerk import Submitted
from ecms_gateway.services.context import Services

ORIGIN_SOURCE = "api"
"""The letters' origin for submissions with an Idempotency-Key (key: "<actor> <key>")."""
PENDING_WAIT_S = 10.0
"""How long a request waits for an earlier one with its key to finish before answering 409."""
_POLL_S = 0.05

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="the same key (from the same caller) again returns the same letter",
    ),
]
Make = Callable[[Origin | None], Awaitable[Submitted]]
"""Makes the letter, recording the origin (``None`` without a key) in the letter's own transaction."""


@dataclass(frozen=True, kw_only=True)
class Outcome:
    body: SubmittedOut
    created: bool  # False: an earlier request with the same key made this letter


async def submit_once(
    services: Services, package: LetterPackage, *, actor: str, key: str | None, base: str
) -> Outcome:
    """Submit ``package`` for ``actor``; with ``key``, at most once per (actor, key). ``base`` is the
    API's base path, for the letter's link."""

    async def make(origin: Origin | None) -> Submitted:
        return await asyncio.to_thread(services.submit, package, actor=actor, origin=origin)

    digest = "" if key is None else content_digest(package)
    return await once(services, make, actor=actor, key=key, digest=digest, base=base)


def resend_digest(letter_id: int, corrected: LetterPackage | None) -> str:
    """What a resend asks, for its key: the letter sent again, and its correction (or none)."""
    what = "as it was" if corrected is None else content_digest(corrected)
    return hashlib.sha256(f"resend {letter_id}: {what}".encode()).hexdigest()


async def once(
    services: Services, make: Make, *, actor: str, key: str | None, digest: str, base: str
) -> Outcome:
    """The letter ``make`` makes; with ``key``, made at most once per (actor, key) for requests of
    ``digest``, and the same key with another digest refused."""
    if key is None:
        return Outcome(body=await _made(services, await make(None), base), created=True)
    earlier = await _reserve(services, actor=actor, key=key, digest=digest, base=base)
    if earlier is not None:
        return earlier
    store = services.store
    try:
        # The key is also the letter's origin, recorded in the letter's own transaction: a retry after
        # a crash between that commit and ``complete`` finds the letter instead of making a second.
        submitted = await make(Origin(source=ORIGIN_SOURCE, key=f"{actor} {key}"))
        outcome = Outcome(body=await _made(services, submitted, base), created=True)
    except BaseException:
        await asyncio.to_thread(store.release_idempotency_key, principal=actor, key=key)
        raise
    await asyncio.to_thread(
        store.complete_idempotency_key, principal=actor, key=key, letter_id=outcome.body.id
    )
    return outcome


async def _reserve(services: Services, *, actor: str, key: str, digest: str, base: str) -> Outcome | None:
    """``None`` once the key is reserved for this request; the letter an earlier request with it made;
    422 when that request was another, 409 when it is still being made after ``PENDING_WAIT_S``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PENDING_WAIT_S
    while True:
        state = await asyncio.to_thread(
            services.store.reserve_idempotency_key, principal=actor, key=key, digest=digest
        )
        if state.outcome is KeyOutcome.NEW:
            return None
        if state.outcome is KeyOutcome.MISMATCH:
            raise ApiError(
                422,
                f"Idempotency-Key {key!r} was already used for a different letter"
                + (f" (letter {state.letter_id})" if state.letter_id else "")
                + "; use a new key for a new letter, the same key only to retry the same request",
                code=KEY_REUSED,
            )
        if state.outcome is KeyOutcome.DONE and state.letter_id is not None:
            return Outcome(body=await _existing(services, state.letter_id, base), created=False)
        if loop.time() >= deadline:
            raise ApiError(
                409,
                f"a request with Idempotency-Key {key!r} is still being submitted; retry in a few seconds",
                code=IN_PROGRESS,
                headers={"Retry-After": "5"},
            )
        await asyncio.sleep(_POLL_S)


async def _made(services: Services, submitted: Submitted, base: str) -> SubmittedOut:
    detail = await asyncio.to_thread(services.store.show, submitted.letter_id)
    return SubmittedOut(
        id=submitted.letter_id,
        state=detail.letter.state,
        channel=submitted.route.channel,
        route=submitted.route.why,
        book_no=detail.letter.book_no,
        href=f"{base}/letters/{submitted.letter_id}",
    )


async def _existing(services: Services, letter_id: int, base: str) -> SubmittedOut:
    summary = (await asyncio.to_thread(services.store.show, letter_id)).letter
    return SubmittedOut(
        id=letter_id,
        state=summary.state,
        channel=summary.channel,
        route=None,
        book_no=summary.book_no,
        href=f"{base}/letters/{letter_id}",
    )
