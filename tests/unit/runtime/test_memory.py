"""Large buffers go back to the system when freed, after ``return_large_buffers`` (glibc)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from ecms_adapters.runtime.memory import return_large_buffers

_PROBE = textwrap.dedent(
    """
    import json, sys
    from ecms_adapters.runtime.memory import return_large_buffers

    def rss_mb():
        with open("/proc/self/status") as status:
            line = next(x for x in status if x.startswith("VmRSS:"))
        return int(line.split()[1]) // 1024

    fixed = return_large_buffers() if sys.argv[1] == "fixed" else None
    big = bytes(24 << 20)  # freed below: glibc then raises its threshold to its size
    del big
    before = rss_mb()
    held, kept = [], []
    for _ in range(6):  # six buffers of 16 MiB, each followed by something small that stays
        held.append(bytes(range(256)) * (16 << 12))
        kept.append(bytes(4096))
    del held
    print(json.dumps({"fixed": fixed, "kept_mb": rss_mb() - before}))
    """
)


def _probe(mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True, timeout=60
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_freed_large_buffers_leave_the_process_once_the_threshold_is_fixed() -> None:
    default, fixed = _probe("default"), _probe("fixed")
    assert fixed["fixed"] is True
    assert isinstance(default["kept_mb"], int)
    assert isinstance(fixed["kept_mb"], int)
    assert default["kept_mb"] >= 64  # without it the heaps keep most of the 96 MiB
    assert fixed["kept_mb"] < 8


def test_it_is_safe_to_call_again() -> None:
    assert return_large_buffers() is return_large_buffers()
