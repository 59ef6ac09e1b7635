"""Submitting a letter at most once per ``Idempotency-Key``: a retried request (same caller, same key,
same letter) gets the letter the first one made; the same key with another letter is refused.

The ``idempotency_key`` row (reserved before, completed after) lets concurrent copies wait for the
first and detects a different letter under the same key; the key recorded as the letter's origin in
the letter's own transaction makes the letter and its key one commit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ecms_adapters.api.errors import IN_PROGRESS, KEY_REUSED, ApiError
from ecms_adapters.api.schemas import SubmittedOut
from ecms_gateway.engine.events import Origin
from ecms_gateway.engine.idempotency import KeyOutcome
from ecms_gateway.engine.intake import content_digest
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.services.context import Services

ORIGIN_SOURCE = "api"
"""The letters' origin for submissions with an Idempotency-Key (key: "<actor> <key>")."""
PENDING_WAIT_S = 10.0
"""How long a request waits for an earlier one with its key to finish before answering 409."""
_POLL_S = 0.05


@dataclass(frozen=True, kw_only=True)
class Outcome:
    body: SubmittedOut
    created: bool  # False: an earlier request with the same key made this letter


async def submit_once(
    services: Services, package: LetterPackage, *, actor: str, key: str | None, base: str
) -> Outcome:
    """Submit ``package`` for ``actor``; with ``key``, at most once per (actor, key). ``base`` is the
    API's base path, for the letter's link."""
    if key is None:
        return await _submit(services, package, actor=actor, base=base)
    store = services.store
    digest = content_digest(package)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PENDING_WAIT_S
    while True:
        state = await asyncio.to_thread(
            store.reserve_idempotency_key, principal=actor, key=key, digest=digest
        )
        if state.outcome is KeyOutcome.NEW:
            break
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
    try:
        # The key is also the letter's origin, recorded in the letter's own transaction: a retry after
        # a crash between that commit and ``complete`` finds the letter instead of making a second.
        origin = Origin(source=ORIGIN_SOURCE, key=f"{actor} {key}")
        outcome = await _submit(services, package, actor=actor, base=base, origin=origin)
    except BaseException:
        await asyncio.to_thread(store.release_idempotency_key, principal=actor, key=key)
        raise
    await asyncio.to_thread(
        store.complete_idempotency_key, principal=actor, key=key, letter_id=outcome.body.id
    )
    return outcome


async def _submit(
    services: Services, package: LetterPackage, *, actor: str, base: str, origin: Origin | None = None
) -> Outcome:
    submitted = await asyncio.to_thread(services.submit, package, actor=actor, origin=origin)
    detail = await asyncio.to_thread(services.store.show, submitted.letter_id)
    body = SubmittedOut(
        id=submitted.letter_id,
        state=detail.letter.state,
        channel=submitted.route.channel,
        route=submitted.route.why,
        book_no=detail.letter.book_no,
        href=f"{base}/letters/{submitted.letter_id}",
    )
    return Outcome(body=body, created=True)


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
