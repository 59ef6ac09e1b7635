"""Atomic, durable file writes: a reader sees the old file or the whole new one, never a half-written one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, private: bool = True) -> None:
    """Write ``data`` to ``path``: a temporary file in the same folder, fsync, rename, fsync the folder.

    ``private``: the file is its owner's only (``0600``), as the store's files are. ``private=False``
    for what is written for a person to use (a converted letter, a signed file, a sample): the modes
    any program gives a new file, ``0666`` less the umask (``0644`` under the usual ``022``).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if not private:
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _umask() -> int:
    """The process's umask. Linux shows it in /proc; elsewhere it is read by setting it, which is not
    safe while another thread creates files, hence only as the fallback."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new entry in ``folder`` durable: it is on disk only once the folder is."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
