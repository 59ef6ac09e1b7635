"""A broadcast wake-up for asyncio tasks: ``fire`` wakes every task waiting at that moment."""

from __future__ import annotations

import asyncio
import contextlib


class Pulse:
    """Like an ``asyncio.Event`` that resets itself: each ``fire`` wakes the current waiters once."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event.clear()  # waiters already woken stay woken; later waiters wait for the next fire

    async def wait(self, timeout: float, *, unless: asyncio.Event | None = None) -> None:
        """Return on the next ``fire``, after ``timeout`` seconds, or at once when ``unless`` is set."""
        if unless is not None and unless.is_set():
            return
        waiters = [asyncio.ensure_future(self._event.wait())]
        if unless is not None:
            waiters.append(asyncio.ensure_future(unless.wait()))
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
