"""``python paused_folders.py CONFIG POINT``: the real gateway (``ecms-gateway run``) that pauses an
outbox pickup at POINT ("loaded", "submitted", "receipt" or "moved") and prints ``PAUSED <point>
<folder>`` there, for the test to SIGKILL it at exactly that point."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ecms_adapters.commands.run import configure_logging
from ecms_adapters.folders import FolderHooks
from ecms_adapters.runtime.gateway import serve

from ecms_gateway.config import load_config


def main() -> int:
    config, point = Path(sys.argv[1]), sys.argv[2]

    async def pause(name: str, folder: str) -> None:
        if name == point:
            print(f"PAUSED {name} {folder}", flush=True)
            await asyncio.sleep(3600)

    configure_logging("info")
    asyncio.run(serve(load_config(config), folder_hooks=FolderHooks(at=pause)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
