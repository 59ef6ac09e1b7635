"""How a long-running process (the gateway, the node) gives memory back after large letters.

glibc keeps what a process frees on its heaps (one per thread that allocates) for later use, and it
raises its threshold for giving a large buffer a mapping of its own (unmapped when freed) to the
largest such buffer freed, up to 32 MiB. So once large letters have gone through, their buffers come
from the heaps and stay there: the node kept 391 MB after four 20 MB letters (from 146), a gateway 341.
That memory is reused by later letters, but the rest of the machine cannot have it.

``giving_back_memory`` runs ``malloc_trim(0)`` every ``TRIM_EVERY_S`` seconds on a pool thread: it
returns the free pages of every heap to the system (about 20 ms for 250 MB; microseconds when there
is nothing to return). Not taken: fixing the mapping threshold at 1 MiB, which returns each large
buffer the moment it is freed and lowered the peaks by another quarter, but cost a quarter of the
throughput at 5 MB (every buffer of a large letter mapped, faulted in and unmapped again).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Final

log = logging.getLogger(__name__)

TRIM_EVERY_S: Final = 10.0


def malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on another C library (nothing to do there)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    function: Callable[[int], int] = trim
    return function


@asynccontextmanager
async def giving_back_memory(every_s: float = TRIM_EVERY_S) -> AsyncIterator[bool]:
    """While the block runs, return the heaps' free memory to the system every ``every_s`` seconds;
    yields whether it can (glibc)."""
    trim = malloc_trim()
    if trim is None:
        yield False
        return
    task = asyncio.create_task(_trim_every(trim, every_s), name="memory trim")
    try:
        yield True
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def _trim_every(trim: Callable[[int], int], every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        await asyncio.to_thread(trim, 0)  # ctypes lets go of the interpreter lock meanwhile
