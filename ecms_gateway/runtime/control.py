"""Talking to a running gateway on this machine: its process id in ``<data_dir>/gateway.pid``, and
SIGUSR1 to make it poll the node and look for work at once (``ecms-gateway poll-now``; ``send`` does
it after queueing a letter).
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path
from types import TracebackType
from typing import Final

PID_FILE: Final = "gateway.pid"


class PidFile:
    """Writes this process's id on enter and removes the file on exit if it still names this process."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / PID_FILE

    def __enter__(self) -> PidFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_suffix(".tmp")
        temp.write_text(f"{os.getpid()}\n", encoding="ascii")
        os.replace(temp, self.path)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if running_pid(self.path.parent) == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def running_pid(data_dir: Path) -> int | None:
    """The id of the gateway process running on ``data_dir``, or None when none is."""
    try:
        pid = int((data_dir / PID_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid  # alive, run by another user
    return pid


def wake_gateway(data_dir: Path) -> int | None:
    """Send SIGUSR1 to the gateway running on ``data_dir``; its pid, or None when none runs."""
    pid = running_pid(data_dir)
    if pid is None:
        return None
    try:
        os.kill(pid, signal.SIGUSR1)
    except OSError:
        return None
    return pid
