"""The work loop completes an item together with the claim of the next one, and gives back untried
(released, not counted) an item it took with its last completion as the gateway began to stop."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from ecms_gateway.engine import Claim, LetterState, RetryPolicies, RetryPolicy, Store, WorkKind, WorkState
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.worker import WorkLoop
from tests.unit.runtime.support import letter


class CountingStore(Store):
    """A real store that counts the worker's calls and can run a callback after each handover."""

    def __init__(self, path: Path) -> None:
        super().__init__(data_dir=path, policies=RetryPolicies(default=RetryPolicy(max_attempts=1)))
        self.claims = 0
        self.handovers = 0
        self.after_handover: list[asyncio.Event] = []
        self.loop: asyncio.AbstractEventLoop | None = None

    def claim(self, channel: str, worker: str, **kwargs: object) -> Claim | None:  # type: ignore[override]
        self.claims += 1
        return super().claim(channel, worker, **kwargs)  # type: ignore[arg-type]

    def complete_and_claim(self, work_id: int, **kwargs: object) -> Claim | None:  # type: ignore[override]
        self.handovers += 1
        following = super().complete_and_claim(work_id, **kwargs)  # type: ignore[arg-type]
        for event in self.after_handover:  # the gateway starts stopping while this commits
            assert self.loop is not None
            self.loop.call_soon_threadsafe(event.set)
        return following


def _loop(store: Store, seen: list[int]) -> WorkLoop:
    async def handler(claim: Claim) -> str:
        seen.append(claim.letter_id or 0)
        return "sent"

    return WorkLoop(
        store=store,
        channel="ecms",
        kinds=(WorkKind.SEND,),
        name="test/out-1",
        handler=handler,
        idle_s=0.01,
        lease=timedelta(minutes=5),
        wake=Pulse(),
    )


def _submit(store: Store, count: int) -> list[int]:
    return [store.accept_outbound(letter(i), actor="test", channel="ecms") for i in range(1, count + 1)]


def test_a_busy_worker_claims_each_next_item_with_the_last_completion(tmp_path: Path) -> None:
    seen: list[int] = []
    with CountingStore(tmp_path) as store:
        letters = _submit(store, 3)
        work = _loop(store, seen)

        async def main() -> None:
            stopping = asyncio.Event()
            task = asyncio.create_task(work.run(stopping))
            while len(store.queue(work_state=WorkState.DONE)) < 3:
                await asyncio.sleep(0.01)
            stopping.set()
            await task

        asyncio.run(main())
        assert seen == letters
        assert store.handovers == 3  # the last one found nothing more to take
        assert all(store.show(i).letter.state is LetterState.SENT for i in letters)


def test_an_item_taken_as_the_gateway_stops_is_released_uncounted(tmp_path: Path) -> None:
    seen: list[int] = []
    with CountingStore(tmp_path) as store:
        first, second = _submit(store, 2)
        work = _loop(store, seen)

        async def main() -> None:
            stopping = asyncio.Event()
            store.loop = asyncio.get_running_loop()
            store.after_handover.append(stopping)
            await asyncio.wait_for(work.run(stopping), 20)

        asyncio.run(main())
        assert seen == [first]
        assert store.show(first).letter.state is LetterState.SENT
        detail = store.show(second)
        assert detail.letter.state is LetterState.QUEUED
        assert [a.outcome for a in detail.attempts] == ["released"]
        [row] = [r for r in store.queue() if r.letter_id == second]
        assert (row.state, row.attempts) == (WorkState.READY, 0)  # max_attempts=1 is not used up


def test_a_worker_whose_completion_found_nothing_waits_for_a_wake_up_before_asking_again(
    tmp_path: Path,
) -> None:
    """The completion of the last item already asked for the next one: the worker then waits (here
    for an hour) instead of claiming again at once; a wake-up for a new item gets it claimed."""
    seen: list[int] = []
    with CountingStore(tmp_path) as store:
        letters = _submit(store, 2)
        work = replace(_loop(store, seen), idle_s=3600)

        async def main() -> None:
            stopping = asyncio.Event()
            task = asyncio.create_task(work.run(stopping))
            while len(store.queue(work_state=WorkState.DONE)) < 2:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)
            assert (store.claims, store.handovers) == (1, 2)  # one claim, then two handovers
            letters.append(_submit_one(store, 3))
            work.wake.one()
            while len(store.queue(work_state=WorkState.DONE)) < 3:
                await asyncio.sleep(0.01)
            assert store.claims == 2
            stopping.set()
            await asyncio.wait_for(task, 10)

        asyncio.run(main())
        assert seen == letters


def _submit_one(store: Store, number: int) -> int:
    return store.accept_outbound(letter(number), actor="test", channel="ecms")
