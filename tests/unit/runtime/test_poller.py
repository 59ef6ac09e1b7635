"""Persist, then acknowledge: the poller stores each item before the node deletes it, stores an item
that comes again only once, and polls at once when woken."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ecms_gateway.codec import LetterDocument, build_document
from ecms_gateway.engine import Store
from ecms_gateway.errors import TransientTransportError
from ecms_gateway.runtime.poller import Poller, PollerHooks
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.testing import MemoryNode

from .support import ORGS, A, B, letter


def _node_with_letters(count: int) -> MemoryNode:
    node = MemoryNode(ORGS)
    for number in range(1, count + 1):
        node.enqueue(A, LetterDocument(element=build_document(letter(number))), message_id=None)
    return node


def _poller(store: Store, node: MemoryNode, **kwargs: object) -> Poller:
    return Poller(store=store, nodes={B: node.client(B)}, interval_s=3600, wake=Pulse(), **kwargs)  # type: ignore[arg-type]


async def _run_until(poller: Poller) -> None:
    """One round at start (the queue drained), then stop."""
    stopping = asyncio.Event()
    task = asyncio.create_task(poller.run(stopping))
    await asyncio.sleep(0.3)
    stopping.set()
    poller.wake.fire()
    await asyncio.wait_for(task, 20)


def test_every_item_is_stored_before_the_node_deletes_it(tmp_path: Path) -> None:
    node = _node_with_letters(3)
    seen_at_commit: list[int] = []

    async def after_commit(process_id: str) -> None:
        # Stored in the store, still at the node.
        seen_at_commit.append(len(node.queued(B)))

    with Store(data_dir=tmp_path) as store:
        poller = _poller(store, node, hooks=PollerHooks(after_commit=after_commit))
        asyncio.run(_run_until(poller))
        stored = store.queue()
    assert seen_at_commit == [3, 2, 1]
    assert node.queued(B) == []
    assert len(stored) == 3  # three inbound work items


def test_an_item_whose_delete_failed_comes_again_and_is_stored_once(tmp_path: Path) -> None:
    node = _node_with_letters(1)
    node.fail_next(TransientTransportError("cut", endpoint="memory"), on="delete")
    with Store(data_dir=tmp_path) as store:
        poller = _poller(store, node)

        async def twice() -> None:
            await _run_until(poller)  # stored, delete fails: the item stays at the node
            assert len(node.queued(B)) == 1
            await _run_until(poller)  # polled again: stored before, now deleted

        asyncio.run(twice())
        rows = store.queue()
        raw_ids = {row.work_id for row in rows}
    assert node.queued(B) == []
    assert len(raw_ids) == 1
    assert node.requests.count("delete") == 2


def test_waking_polls_at_once_instead_of_waiting_for_the_interval(tmp_path: Path) -> None:
    node = MemoryNode(ORGS)
    with Store(data_dir=tmp_path) as store:
        poller = _poller(store, node)

        async def woken() -> None:
            stopping = asyncio.Event()
            task = asyncio.create_task(poller.run(stopping))
            while "poll" not in node.requests:  # the first round, at start
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)  # now waiting for the 3600 s interval
            node.enqueue(A, LetterDocument(element=build_document(letter(1))), message_id=None)
            poller.wake.fire()
            for _ in range(1000):
                if not node.queued(B):
                    break
                await asyncio.sleep(0.01)
            stopping.set()
            await asyncio.wait_for(task, 20)

        asyncio.run(woken())
        assert node.queued(B) == []
        assert len(store.queue()) == 1
