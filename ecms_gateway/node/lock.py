"""One node on one SQLite data folder: ``<data_dir>/ecms-node.lock`` is locked (``flock``) while a node
runs there, so a second one started on the folder is refused instead of serving the same queues and
forwarding the same relay jobs beside it. The lock goes with the process, however it ends: a node that
died leaves nothing to clean up. The file names the holder's process id, for the refusal.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from ecms_gateway.errors import ConfigError

LOCK_FILE: Final = "ecms-node.lock"


@contextmanager
def only_node_on(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's node lock while the block runs; ``ConfigError`` when a node holds it."""
    descriptor = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            process = f" (process {holder})" if holder.isdigit() else ""
            raise ConfigError(
                f"--data-dir: a node already runs on {data_dir}{process}: stop it first "
                f"(kill -TERM {holder or 'PID'}, or through the service manager), or give this node a "
                "--data-dir of its own"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock
