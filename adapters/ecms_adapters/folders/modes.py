"""Files the gateway writes into the watched folders are readable as the folder is: the office's
system usually runs as another user than the gateway (``write_atomic`` makes them owner-only)."""

from __future__ import annotations

import os
from pathlib import Path

_FILE_BITS = 0o666  # read and write, never execute


def as_folder(path: Path, folder: Path) -> None:
    """Give ``path`` the read and write permissions ``folder`` has (``0755`` -> ``0644``)."""
    os.chmod(path, folder.stat().st_mode & _FILE_BITS)
