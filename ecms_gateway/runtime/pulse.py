"""A wake-up for asyncio tasks: ``fire()`` wakes every task waiting at that moment, ``fire(1)`` the one
that has waited longest.

Workers of one queue are woken one per new item: waking them all for one item made each of the others
look at the store for nothing (on SQLite a read transaction per worker per item). No wake-up is ever
needed for correctness: a busy worker claims the next item as it completes one, and an idle one looks
again after its idle time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any


class Pulse:
    """Like an ``asyncio.Event`` that resets itself: each ``fire`` wakes the current waiters once."""

    def __init__(self) -> None:
        self._waiters: deque[asyncio.Future[None]] = deque()

    def fire(self, count: int | None = None) -> None:
        """Wake ``count`` waiters, longest waiting first (all of them when None); a fire with nobody
        waiting is not kept for later waiters."""
        woken = 0
        while self._waiters and (count is None or woken < count):
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                woken += 1

    def one(self) -> None:
        """Wake the waiter that has waited longest (one new item for one worker)."""
        self.fire(1)

    async def wait(self, timeout: float, *, unless: asyncio.Event | None = None) -> bool:
        """True on a ``fire``; False after ``timeout`` seconds, or at once when ``unless`` is set."""
        if unless is not None and unless.is_set():
            return False
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        stop = asyncio.ensure_future(unless.wait()) if unless is not None else None
        watched: list[asyncio.Future[Any]] = [waiter] if stop is None else [waiter, stop]
        try:
            await asyncio.wait(watched, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if stop is not None:
                stop.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await stop
            if not waiter.done():
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
        return not waiter.cancelled()
