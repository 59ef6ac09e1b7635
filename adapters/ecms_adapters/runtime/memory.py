"""How a long-running process (the gateway, the node) gets its memory back after large letters.

glibc's allocator serves a request of 128 KiB or more with a mapping of its own and unmaps it when it is
freed, but after the first such free it raises that threshold to the freed size (up to 32 MiB). A
process that has handled one 20 MB letter then serves every later buffer of a big letter (its Base64
text, the parsed tree, the serialised request) from its heaps, one per thread, and keeps what it freed
there: in measurements the node stayed at 455 MB after four 20 MB letters instead of 150, and the
peaks of the threads' heaps added up. Setting the threshold once fixes it at 1 MiB: buffers of a
large letter are mapped and go back to the system as soon as they are freed; a 100 KB letter's
buffers stay on the heaps, as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from typing import Final

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD: Final = -3  # glibc malloc.h
LARGE_BUFFER: Final = 1 << 20
"""Allocations of this many bytes or more are mapped on their own and unmapped when freed."""


def return_large_buffers(threshold: int = LARGE_BUFFER) -> bool:
    """Fix glibc's mapping threshold at ``threshold`` bytes; False (nothing changed) elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_MMAP_THRESHOLD, threshold))  # 1 on success; musl's stub answers 0
    if not done:
        log.debug("the C library did not take the mapping threshold; large buffers stay on its heaps")
    return done
