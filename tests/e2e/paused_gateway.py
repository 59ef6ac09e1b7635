"""``python paused_gateway.py CONFIG``: the real gateway (``ecms-gateway run``), with a pause after the
first inbound item is stored and before the node is told to delete it; prints ``PAUSED <ProcessID>``
there, for the test to SIGKILL it at exactly that point."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ecms_adapters.commands.run import configure_logging
from ecms_adapters.runtime.gateway import serve

from ecms_gateway.config import load_config
from ecms_gateway.runtime.poller import PollerHooks


async def pause(process_id: str) -> None:
    print(f"PAUSED {process_id}", flush=True)
    await asyncio.sleep(3600)


def main() -> int:
    configure_logging("info")
    asyncio.run(serve(load_config(Path(sys.argv[1])), hooks=PollerHooks(after_commit=pause)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
