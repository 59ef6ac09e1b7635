"""Talking to a running gateway on this machine: its process id in ``<data_dir>/gateway.pid``, and
SIGUSR1 to make it poll the node and look for work at once (``ecms-gateway poll-now``; ``send`` does
it after queueing a letter).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Final

from ecms_gateway.errors import ConfigError

PID_FILE: Final = "gateway.pid"
LOCK_FILE: Final = "gateway.pid.lock"
"""Held while a gateway decides whether the pid file is its own, so that two starting at once take turns."""
_MARKS: Final = ("ecms-gateway", "ecms_gateway", "ecms_adapters")
"""What the command line of a gateway process names (the installed command, or the modules run with -m/-c)."""

log = logging.getLogger(__name__)


class PidFile:
    """Names this process in ``<data_dir>/gateway.pid`` while a gateway runs; removes it at the end
    only if it still names this process.

    On enter a file that names another live gateway process refuses the start (``ConfigError``);
    a file left by a gateway that died (the process is gone, or the id now belongs to another program)
    is replaced. With ``shared`` (a PostgreSQL database: several gateway processes may share one data
    folder and its file store) a live gateway keeps the file and this process runs without one.
    """

    def __init__(self, data_dir: Path, *, shared: bool = False) -> None:
        self.path = data_dir / PID_FILE
        self.shared = shared
        self.owned = False

    def __enter__(self) -> PidFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(self.path.parent):
            other = _named_pid(self.path)
            if other is not None and other != os.getpid() and _is_gateway(other):
                if not self.shared:
                    raise _refusal(self.path.parent, other)
                log.info("the gateway process %d keeps %s; this one runs beside it", other, self.path)
                return self
            temp = self.path.with_name(f".{PID_FILE}.{os.getpid()}.tmp")
            temp.write_text(f"{os.getpid()}\n", encoding="ascii")
            os.replace(temp, self.path)  # whole at once: a reader never sees half a pid
            self.owned = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if not self.owned:
            return
        with _locked(self.path.parent):
            if _named_pid(self.path) == os.getpid():
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()


def _refusal(data_dir: Path, pid: int) -> ConfigError:
    return ConfigError(
        f"a gateway already runs on {data_dir} (process {pid}, named in {data_dir / PID_FILE}): "
        f"stop it first (kill -TERM {pid}, or through the service manager), or give this gateway "
        "its own gateway.data_dir; several gateway processes on one data folder need PostgreSQL"
    )


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    descriptor = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _named_pid(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _is_gateway(pid: int) -> bool:
    """Whether ``pid`` is a live ``ecms-gateway run`` process, as far as this machine tells."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, run by another user
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # gone since, or no /proc here: alive is all we know
    except OSError:
        return True  # hidden from us (hidepid): alive is all we know
    args = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    # A zombie has no command line; a reused id belongs to another program, or to another command.
    return "run" in args[1:] and any(mark in arg for arg in args for mark in _MARKS)


def running_pid(data_dir: Path) -> int | None:
    """The id of the gateway process running on ``data_dir``, or None when none is."""
    pid = _named_pid(data_dir / PID_FILE)
    if pid is None or not _is_gateway(pid):
        return None
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
