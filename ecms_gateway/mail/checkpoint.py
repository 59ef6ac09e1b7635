"""Reader checkpoints: a JSON file written atomically (temp file, fsync, rename), and one in memory.

The file holds every mailbox's ``{uidvalidity, last_uid}``; a crash leaves the old file or the new one.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Final

from ecms_gateway.errors import ConfigError
from ecms_gateway.fileio import write_atomic
from ecms_gateway.mail.ports import Checkpoint

_VERSION: Final = 1


class FileCheckpointStore:
    """Checkpoints in one JSON file; safe for one reader process per file (threads share a lock)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    def load(self, mailbox: str) -> Checkpoint | None:
        with self._lock:
            entry = self._read().get(mailbox)
        if entry is None:
            return None
        return Checkpoint(uidvalidity=entry["uidvalidity"], last_uid=entry["last_uid"])

    def save(self, mailbox: str, checkpoint: Checkpoint) -> None:
        with self._lock:
            mailboxes = self._read()
            mailboxes[mailbox] = {"uidvalidity": checkpoint.uidvalidity, "last_uid": checkpoint.last_uid}
            data = {"version": _VERSION, "mailboxes": mailboxes}
            write_atomic(self._path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n")

    def _read(self) -> dict[str, dict[str, int]]:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigError(f"cannot read the mail checkpoint {self._path}: {exc.strerror}") from exc
        try:
            data = json.loads(raw)
            return _mailboxes(data)
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(
                f"the mail checkpoint {self._path} is damaged ({exc}); move it away to read the mailbox "
                "again from the start (the store ignores messages it already has)"
            ) from exc


def _mailboxes(data: Any) -> dict[str, dict[str, int]]:
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        raise ValueError(f"expected a version {_VERSION} checkpoint object")
    mailboxes = data["mailboxes"]
    if not isinstance(mailboxes, dict):
        raise TypeError("'mailboxes' is not an object")
    out: dict[str, dict[str, int]] = {}
    for name, entry in mailboxes.items():
        uidvalidity, last_uid = entry["uidvalidity"], entry["last_uid"]
        if not isinstance(uidvalidity, int) or not isinstance(last_uid, int) or last_uid < 0:
            raise TypeError(f"mailbox {name!r} has no whole-number uidvalidity and last_uid")
        out[str(name)] = {"uidvalidity": uidvalidity, "last_uid": last_uid}
    return out


class MemoryCheckpointStore:
    """Checkpoints in memory: for tests, and for a reader that may start over after every restart."""

    def __init__(self) -> None:
        self._data: dict[str, Checkpoint] = {}

    def load(self, mailbox: str) -> Checkpoint | None:
        return self._data.get(mailbox)

    def save(self, mailbox: str, checkpoint: Checkpoint) -> None:
        self._data[mailbox] = checkpoint
