"""While the gateway or the node runs, the heaps' free memory goes back to the system (glibc)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap

import pytest
from ecms_adapters.runtime.memory import giving_back_memory, malloc_trim

_PROBE = textwrap.dedent(
    """
    import asyncio, json, sys
    from ecms_adapters.runtime.memory import giving_back_memory

    def rss_mb():
        with open("/proc/self/status") as status:
            line = next(x for x in status if x.startswith("VmRSS:"))
        return int(line.split()[1]) // 1024

    def letters():  # buffers of large letters, each followed by something small that stays
        big = bytes(24 << 20)  # freed: glibc then serves buffers up to its size from its heap
        del big
        held, kept = [], []
        for _ in range(6):
            held.append(bytes(range(256)) * (16 << 12))
            kept.append(bytes(4096))
        del held
        return kept

    async def main(trimming):
        before = rss_mb()
        async with giving_back_memory(every_s=0.05 if trimming else 3600) as able:
            kept = letters()
            await asyncio.sleep(0.5)
            return {"able": able, "kept_mb": rss_mb() - before, "still": len(kept)}

    print(json.dumps(asyncio.run(main(sys.argv[1] == "trimming"))))
    """
)


def _probe(mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True, timeout=60
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(malloc_trim() is None, reason="glibc's allocator")
def test_memory_freed_after_large_letters_leaves_the_process() -> None:
    idle, trimming = _probe("idle"), _probe("trimming")
    assert idle["able"] is True
    assert trimming["able"] is True
    assert isinstance(idle["kept_mb"], int)
    assert isinstance(trimming["kept_mb"], int)
    assert idle["kept_mb"] >= 64  # the heap keeps most of the 96 MiB it freed
    assert trimming["kept_mb"] < 16


def test_the_trimming_stops_with_the_block() -> None:
    async def run() -> set[str]:
        async with giving_back_memory(every_s=0.01):
            await asyncio.sleep(0.05)
        return {task.get_name() for task in asyncio.all_tasks()}

    assert "memory trim" not in asyncio.run(run())
