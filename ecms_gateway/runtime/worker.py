"""A worker loop over the store's work queue: claim under a lease, do, then complete or fail through
the channel's retry policy. A done item is completed together with the claim of the next one (one
transaction), and the archived message the channel took is confirmed in it. Stopping lets the item in
hand finish; a cancelled item, or one claimed as the gateway began to stop, is released (ready again at
once, the attempt not counted) instead of waiting for its lease to run out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta

from ecms_gateway.engine import Claim, Dead, Store, WorkKind
from ecms_gateway.engine.retry import Decision, describe
from ecms_gateway.engine.values import Done
from ecms_gateway.errors import GatewayError, LeaseLost, TransientFailure
from ecms_gateway.logs import log_context
from ecms_gateway.runtime.outage import StoreOutage
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.recorder import NULL_RECORDER, SHUTDOWN, Outcome, WorkRecorder, reason_class

log = logging.getLogger(__name__)

Handler = Callable[[Claim], Awaitable[str | Done | None]]
"""Does one work item; returns a note for the audit log (``Done``: with the confirmation of the message
the channel took), raises to fail it (the policy decides)."""


@dataclass(frozen=True, kw_only=True)
class WorkLoop:
    store: Store
    channel: str
    kinds: Collection[WorkKind]
    name: str
    handler: Handler
    idle_s: float
    lease: timedelta
    wake: Pulse
    on_done: Callable[[], None] = lambda: None
    ready: Callable[[], bool] = lambda: True  # False: do not claim now (e.g. no directory to route with)
    recorder: WorkRecorder = NULL_RECORDER  # metrics: attempts, items done, failures by reason class
    outage: StoreOutage = field(default_factory=StoreOutage)  # the process's, shared by its tasks

    async def run(self, stopping: asyncio.Event) -> None:
        """Work until ``stopping`` is set; an empty queue is looked at again every ``idle_s`` or on wake."""
        claim: Claim | None = None
        woken = False
        while not stopping.is_set():
            if claim is None:
                claim, woken = await self._claim(stopping, look_first=not woken)
                continue
            claim, looked = await self._in_hand(claim, stopping)
            if claim is None and looked:
                # The completion asked for the next item and there was none: wait for a new one
                # instead of asking again at once.
                woken = await self.wake.wait(self.idle_s, unless=stopping)
        if claim is not None:  # taken with the last completion, as the gateway began to stop
            await self._release(claim, "released: the gateway stopped before it was tried")

    async def _claim(self, stopping: asyncio.Event, *, look_first: bool) -> tuple[Claim | None, bool]:
        """The next item, or None and whether a wake-up (not the idle time) ended the wait after it.

        ``look_first=False`` after a wake-up: something was just queued, so the store's read-only
        look for due work (which spares idle workers the single writer) would only cost a transaction.
        """
        if not self.ready():
            return None, await self.wake.wait(self.idle_s, unless=stopping)
        try:
            claim = await asyncio.to_thread(
                self.store.claim,
                self.channel,
                self.name,
                lease=self.lease,
                kinds=self.kinds,
                look_first=look_first,
            )
        except Exception as exc:
            wait = self.outage.failed(self.name, exc, base_s=self.idle_s)
            if wait is None:
                log.exception("%s: cannot claim work; trying again in %s s", self.name, self.idle_s)
                wait = self.idle_s
            return None, await self.wake.wait(wait, unless=stopping)
        self.outage.answered()
        if claim is None:
            return None, await self.wake.wait(self.idle_s, unless=stopping)
        return claim, False

    async def do(self, claim: Claim, stopping: asyncio.Event | None = None) -> Claim | None:
        """Do ``claim``; the next item, claimed with this one's completion unless ``stopping`` is set."""
        # Every line logged while the item is in hand (here, in the handler, in library code and in
        # the threads it starts) names the letter and the work item.
        following, _ = await self._in_hand(claim, stopping)
        return following

    async def _in_hand(self, claim: Claim, stopping: asyncio.Event | None) -> tuple[Claim | None, bool]:
        with log_context(letter_id=claim.letter_id, work_id=claim.work_id):
            self.recorder.attempted(channel=claim.channel, kind=claim.kind)
            return await self._do(claim, stopping)

    async def _do(self, claim: Claim, stopping: asyncio.Event | None) -> tuple[Claim | None, bool]:
        """The next item, and whether the store was asked for it (with this one's completion)."""
        try:
            result = await self.handler(claim)
        except asyncio.CancelledError:
            await self._release(claim, "released: the gateway stopped while it was in hand")
            raise
        except Exception as exc:
            await self._fail(claim, exc)
            return None, False
        done = result if isinstance(result, Done) else Done(note=result)
        go_on = stopping is not None and not stopping.is_set() and self.ready()
        try:
            if go_on:
                following = await asyncio.to_thread(
                    self.store.complete_and_claim,
                    claim.work_id,
                    worker=self.name,
                    note=done.note,
                    confirmation=done.confirmation,
                    channel=self.channel,
                    lease=self.lease,
                    kinds=self.kinds,
                )
            else:
                following = None
                await asyncio.to_thread(
                    self.store.complete,
                    claim.work_id,
                    worker=self.name,
                    note=done.note,
                    confirmation=done.confirmation,
                )
        except LeaseLost as exc:
            log.warning("%s: %s", self.name, exc)
            self._count_failure(claim, "lease_lost", Outcome.LOST)
            return None, False
        except Exception:  # the store failed: the lease runs out and the item is tried again
            log.exception("%s: cannot record work %d as done", self.name, claim.work_id)
            self._count_failure(claim, "store", Outcome.UNRECORDED)
            return None, False
        self.recorder.delivered(channel=claim.channel, kind=claim.kind)
        self.on_done()
        return following, go_on

    async def _release(self, claim: Claim, reason: str) -> None:
        """Give the item back untried: ready again now, the attempt not counted (``Store.release``)."""
        try:
            await asyncio.to_thread(self.store.release, claim.work_id, worker=self.name, reason=reason)
        except LeaseLost as exc:
            log.warning("%s: %s", self.name, exc)
            self._count_failure(claim, SHUTDOWN, Outcome.LOST)
            return
        except Exception:  # the store failed: the lease runs out and the item is tried again
            log.exception("%s: cannot release work %d", self.name, claim.work_id)
            self._count_failure(claim, SHUTDOWN, Outcome.UNRECORDED)
            return
        self._count_failure(claim, SHUTDOWN, Outcome.RELEASED)

    def _count_failure(self, claim: Claim, reason: str, outcome: Outcome) -> None:
        self.recorder.failed(channel=claim.channel, kind=claim.kind, reason=reason, outcome=outcome)

    async def _fail(self, claim: Claim, error: BaseException) -> None:
        reason = reason_class(error)
        try:
            decision = await asyncio.to_thread(self.store.fail, claim.work_id, worker=self.name, error=error)
        except LeaseLost as exc:
            log.warning("%s: %s", self.name, exc)
            self._count_failure(claim, reason, Outcome.LOST)
            return
        except Exception:  # the store failed: the lease runs out and the item is tried again
            log.exception("%s: cannot record the failure of work %d (%s)", self.name, claim.work_id, error)
            self._count_failure(claim, reason, Outcome.UNRECORDED)
            return
        outcome = Outcome.DEAD if isinstance(decision, Dead) else Outcome.RETRY
        self._count_failure(claim, reason, outcome)
        what = f"{claim.kind.value} work {claim.work_id}"
        if claim.letter_id is not None:  # a received item has none until its letter is recorded
            what += f" (letter {claim.letter_id})"
        about = error.letter_id if isinstance(error, TransientFailure) else None
        with log_context(letter_id=about) if claim.letter_id is None and about is not None else nullcontext():
            self._log_failure(what, claim, decision, error)

    def _log_failure(self, what: str, claim: Claim, decision: Decision, error: BaseException) -> None:
        if isinstance(decision, Dead):
            # The stored reason is what happened; the operator's log, read at the command line, also
            # says what to type (the error's cli_hint: "fix the key, then `ecms-gateway retry`").
            hint = error.cli_hint if isinstance(error, GatewayError) and error.cli_hint else None
            said = f"{decision.reason}; {hint}" if hint else decision.reason
            log.error("%s: %s is a dead letter: %s", self.name, what, said)
        else:
            log.warning(
                "%s: %s failed (attempt %d), next try at %s: %s",
                self.name,
                what,
                claim.attempt,
                decision.at.isoformat(timespec="seconds"),
                describe(error),
            )
