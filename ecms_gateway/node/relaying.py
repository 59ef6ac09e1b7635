"""The relay worker's destinations: at most one task per destination node, forwarding that node's due
jobs in turn, so that a node that takes connections and never answers holds up only its own jobs."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from ecms_gateway.node.values import RelayJob

ForwardInTurn = Callable[[list[RelayJob]], Coroutine[Any, Any, None]]


class Destinations:
    """The destinations whose jobs are being forwarded now, each by its own task.

    A round of the relay worker starts a task for each destination with due jobs that has none, and
    does not wait for it: the next round leaves a busy destination's jobs alone (``busy``), so a job
    is never forwarded by two tasks at once and each node's jobs go one at a time, in order."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def busy(self) -> frozenset[str]:
        """The destination URLs a task is forwarding to now."""
        return frozenset(self._tasks)

    def start(self, jobs: Iterable[RelayJob], forward: ForwardInTurn) -> tuple[int, list[asyncio.Task[None]]]:
        """A task per destination of ``jobs`` that has none, forwarding its jobs with ``forward``; how many
        jobs they took, and the tasks. A destination that became busy meanwhile keeps its own task: its
        jobs here are that task's, or the next round's."""
        by_node: dict[str, list[RelayJob]] = {}
        for job in jobs:
            by_node.setdefault(job.target_url, []).append(job)
        started: list[asyncio.Task[None]] = []
        taken = 0
        for url, node_jobs in by_node.items():
            if url in self._tasks:
                continue
            task = asyncio.create_task(forward(node_jobs), name=f"ecms-node-relay {url}")
            self._tasks[url] = task
            task.add_done_callback(functools.partial(self._finished, url))
            started.append(task)
            taken += len(node_jobs)
        return taken, started

    def _finished(self, url: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(url) is task:
            del self._tasks[url]

    async def stop(self) -> None:
        """Cancel every destination's task and wait for them: a job cut short stays pending, and is
        forwarded again later (delivery between nodes is at-least-once)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
