"""Files a clerk attached to a compose form the gateway refused, kept on disk for that session so the
next submit uses them (a browser cannot refill a file box); unguessable tokens, expiring, size-bounded
per session and in all, removed when the clerk logs out.

Each session has its own folder, named by a hash of the session's cookie token: a token is looked up
only in the folder of the session that asks, so one session can never reach another's files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from ecms_gateway.engine import Store
from ecms_gateway.fileio import write_atomic

KEEP_FOR: Final = timedelta(hours=8)
"""As long as an idle session lives: a clerk back from a meeting still finds the files attached."""
MAX_SESSION_BYTES: Final = 100 * 1024 * 1024
"""What one session may keep at once; the oldest files not on the form being answered go first."""
MAX_TOTAL_BYTES: Final = 1024 * 1024 * 1024
"""What all sessions together may keep: many clerks (or many sessions of one) never fill the data
directory's disk; the oldest files of any session, other than those on the form being answered, go
first (a clerk who finds one gone is asked to attach it again)."""
FOLDER: Final = "compose-kept"
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{32}")
_SESSION_PURPOSE: Final = b"ecms-gateway compose kept files\0"


@dataclass(frozen=True, kw_only=True)
class KeptFile:
    """One kept file: ``token`` goes into the form, the bytes stay on the server."""

    token: str
    role: str  # "main" (the letter) or "attachment"
    name: str
    mime: str
    size: int
    kept_at: datetime


class KeptFiles:
    """Kept files under ``root``, one folder per session."""

    def __init__(
        self,
        root: Path,
        *,
        keep_for: timedelta = KEEP_FOR,
        max_session_bytes: int = MAX_SESSION_BYTES,
        max_total_bytes: int = MAX_TOTAL_BYTES,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.root = root
        self.keep_for = keep_for
        self.max_session_bytes = max_session_bytes
        self.max_total_bytes = max_total_bytes
        self.clock = clock

    def keep(
        self, session: str, *, role: str, name: str, mime: str, content: bytes, besides: Iterable[str] = ()
    ) -> KeptFile | None:
        """Keep ``content`` for ``session``; None when it does not fit in the session's bound even after
        the session's older files (other than ``besides``, those on the form) are let go, nor in the
        bound of all sessions together even after the oldest files of any session are."""
        self.sweep()
        folder = self._folder(session)
        keep = frozenset(besides)
        if not self._make_room(folder, len(content), keep=keep):
            return None
        if not self._make_total_room(folder, len(content), keep=keep):
            return None
        kept = KeptFile(
            token=secrets.token_urlsafe(24),
            role=role,
            name=name,
            mime=mime,
            size=len(content),
            kept_at=self.clock(),
        )
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(folder / f"{kept.token}.bin", content)
        meta = {
            "role": role,
            "name": name,
            "mime": mime,
            "size": kept.size,
            "kept_at": kept.kept_at.isoformat(),
        }
        write_atomic(folder / f"{kept.token}.json", json.dumps(meta).encode())  # last: marks it whole
        return kept

    def get(self, session: str, token: str) -> KeptFile | None:
        """The file ``token`` names if ``session`` kept it and it has not expired."""
        if not _TOKEN.fullmatch(token):
            return None
        kept = _read_meta(self._folder(session) / f"{token}.json")
        if kept is None or self._expired(kept):
            return None
        return kept

    def content(self, session: str, kept: KeptFile) -> bytes | None:
        try:
            return (self._folder(session) / f"{kept.token}.bin").read_bytes()
        except FileNotFoundError:
            return None

    def drop(self, session: str, tokens: Iterable[str]) -> None:
        folder = self._folder(session)
        for token in tokens:
            if _TOKEN.fullmatch(token):
                _remove(folder, token)

    def forget(self, session: str) -> None:
        """Remove everything ``session`` kept (the clerk logged out: no later submit can use it)."""
        folder = self._folder(session)
        for path in folder.glob("*"):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()

    def sweep(self) -> None:
        """Remove every session's expired files, and folders left empty."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if not folder.is_dir():
                continue
            for kept in _all_in(folder):
                if self._expired(kept):
                    _remove(folder, kept.token)
            self._sweep_halves(folder)
            self._sweep_folder(folder)

    def _sweep_halves(self, folder: Path) -> None:
        """Contents whose description was never written (the gateway stopped between the two)."""
        oldest = (self.clock() - self.keep_for).timestamp()
        for path in folder.glob("*.bin"):
            if not path.with_suffix(".json").exists() and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)

    def _sweep_folder(self, folder: Path) -> None:
        """An empty folder untouched for as long as a file is kept (a fresh one may be about to be
        written into)."""
        with contextlib.suppress(OSError):
            if folder.stat().st_mtime < (self.clock() - self.keep_for).timestamp():
                folder.rmdir()  # only when empty

    def _make_room(self, folder: Path, size: int, *, keep: frozenset[str]) -> bool:
        files = sorted(_all_in(folder), key=lambda kept: kept.kept_at)
        used = sum(kept.size for kept in files)
        for kept in files:
            if used + size <= self.max_session_bytes:
                break
            if kept.token not in keep:
                _remove(folder, kept.token)
                used -= kept.size
        return used + size <= self.max_session_bytes

    def _make_total_room(self, folder: Path, size: int, *, keep: frozenset[str]) -> bool:
        """Room for ``size`` more bytes in all sessions' folders together, letting the oldest files of
        any session go first, never ``keep`` (those on the form, in ``folder``)."""
        files = [
            (kept, where)
            for where in (self.root.iterdir() if self.root.is_dir() else ())
            if where.is_dir()
            for kept in _all_in(where)
        ]
        used = sum(kept.size for kept, _ in files)
        for kept, where in sorted(files, key=lambda pair: pair[0].kept_at):
            if used + size <= self.max_total_bytes:
                break
            if where != folder or kept.token not in keep:
                _remove(where, kept.token)
                used -= kept.size
        return used + size <= self.max_total_bytes

    def _expired(self, kept: KeptFile) -> bool:
        return kept.kept_at + self.keep_for <= self.clock()

    def _folder(self, session: str) -> Path:
        return self.root / hashlib.sha256(_SESSION_PURPOSE + session.encode()).hexdigest()[:40]


_BY_STORE: weakref.WeakKeyDictionary[Store, KeptFiles] = weakref.WeakKeyDictionary()


def kept_files_of(store: Store) -> KeptFiles:
    """The kept files of the gateway whose store is ``store``: in its data directory
    (``gateway.data_dir``, on PostgreSQL too), folder ``compose-kept``."""
    kept = _BY_STORE.get(store)
    if kept is None:
        kept = _BY_STORE[store] = KeptFiles(store.data_dir / FOLDER)
    return kept


def _all_in(folder: Path) -> list[KeptFile]:
    found = (_read_meta(path) for path in folder.glob("*.json"))
    return [kept for kept in found if kept is not None]


def _read_meta(path: Path) -> KeptFile | None:
    try:
        meta = json.loads(path.read_bytes())
        return KeptFile(
            token=path.stem,
            role=str(meta["role"]),
            name=str(meta["name"]),
            mime=str(meta["mime"]),
            size=int(meta["size"]),
            kept_at=datetime.fromisoformat(meta["kept_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # gone meanwhile, or not whole: as if never kept


def _remove(folder: Path, token: str) -> None:
    (folder / f"{token}.json").unlink(missing_ok=True)
    (folder / f"{token}.bin").unlink(missing_ok=True)
