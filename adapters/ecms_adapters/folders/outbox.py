"""The outbox folder: a back-office system drops one sub-folder per letter (``letter.json`` + its files);
each complete folder is checked, submitted through the core and moved to ``done/`` with a receipt,
or to ``failed/`` with an ``error.txt`` that lists every fault.

Complete means: it holds a ``.ready`` file (``ready_marker = true``), or, with ``ready_marker =
false``, simply that it is there, because the system writes into ``<outbox>/.incoming/x`` and renames
the finished folder to ``<outbox>/x``. Names starting with "." are never taken.

Letters are submitted through the gateway's ``Services`` (as the API's are). Crash safety (SIGKILL
at any point): the letter is accepted with an ``Origin`` (folder name + content
digest) recorded in the same transaction, so a rerun after a crash between submit and move finds the
letter instead of making a second one, and only moves the folder; the receipt is rewritten atomically
and the move is one rename.

Several gateway processes may watch one outbox (PostgreSQL, a shared data folder): each takes a folder
under an exclusive ``flock`` on the folder itself and looks again that it is still there, so the
process that comes second skips it instead of writing a receipt or an ``error.txt`` into a folder
the first has moved (which re-created it, and a second copy landed in ``done/`` or ``failed/``).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ecms_adapters.api.submission import Checks, rule_faults
from ecms_adapters.folders.modes import as_folder
from ecms_adapters.folders.report import ERROR_FILE, error_text
from ecms_gateway.engine.events import Origin
from ecms_gateway.engine.intake import content_digest
from ecms_gateway.errors import (
    DuplicateLetter,
    Fault,
    InputError,
    LetterInvalid,
    LetterTooLarge,
    PolicyRefused,
)
from ecms_gateway.fileio import fsync_dir, write_atomic
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.services.clerk import DirectoryNotReady
from ecms_gateway.services.context import Services
from ecms_gateway.store.database import unreachable

log = logging.getLogger(__name__)

READY_MARKER = ".ready"
LETTER_JSON = "letter.json"
RECEIPT_FILE = "receipt.json"
DONE, FAILED = "done", "failed"
ORIGIN_SOURCE = "folder"


class Outcome(StrEnum):
    """How one pickup ended."""

    DONE = "done"  # submitted (now or by an earlier run) and moved to done/
    FAILED = "failed"  # moved to failed/ with error.txt
    WAIT = "wait"  # left in place: tried again at the next scan (no directory yet, store busy)


@dataclass(frozen=True, kw_only=True)
class FolderHooks:
    """A test seam: ``at(point, folder name)`` is awaited at each point of a pickup ("loaded",
    "submitted", "receipt", "moved"); the crash tests pause there and SIGKILL the process."""

    at: Callable[[str, str], Awaitable[None]] | None = None

    async def point(self, name: str, folder: str) -> None:
        if self.at is not None:
            await self.at(name, folder)


class Outbox:
    """The outbox folder ``root`` of the gateway whose ``services`` submit the letters."""

    def __init__(
        self,
        root: Path,
        services: Services,
        *,
        ready_marker: bool = True,
        hooks: FolderHooks | None = None,
        actor: str = "folder:outbox",
    ) -> None:
        self.root = root
        self.services = services
        self.ready_marker = ready_marker
        self.hooks = hooks or FolderHooks()
        self.actor = actor
        self._warned: set[str] = set()  # entries named in the log as never to be taken (once each)

    def prepare(self) -> None:
        for name in ("", DONE, FAILED, ".incoming"):
            (self.root / name).mkdir(parents=True, exist_ok=True)

    def complete_folders(self) -> list[Path]:
        """The letter folders ready to be taken, by name."""
        found = []
        with os.scandir(self.root) as entries:
            listed = sorted(entries, key=lambda e: e.name)
        for entry in listed:
            if entry.name.startswith(".") or entry.name in (DONE, FAILED):
                continue
            if not entry.is_dir():
                self._warn_once(
                    entry.name,
                    "is a file, not a letter folder, and is never taken: put letter.json and the files "
                    f"it names into a sub-folder of the outbox{self._marker_advice}",
                )
                continue
            folder = Path(entry.path)
            if not self.ready_marker or (folder / READY_MARKER).is_file():
                found.append(folder)
            elif misnamed := _misnamed_marker(folder):
                self._warn_once(
                    entry.name,
                    f"has {misnamed!r} but no {READY_MARKER!r} file, so it is not taken: the marker is "
                    f"named exactly {READY_MARKER} (a leading dot, no extension)",
                )
        return found

    @property
    def _marker_advice(self) -> str:
        return f", with an empty {READY_MARKER} file written last" if self.ready_marker else ""

    def _warn_once(self, name: str, problem: str) -> None:
        if name not in self._warned:
            self._warned.add(name)
            log.warning("outbox folder %s: %s %s", self.root, name, problem)

    async def scan(self) -> int:
        """Take every complete folder; the number moved to done/ or failed/."""
        if self.services.routing() is None:
            return 0  # the directory is not loaded yet: nothing can be routed
        folders = await asyncio.to_thread(self.complete_folders)
        taken = 0
        for folder in folders:
            if await self.pick(folder) is not Outcome.WAIT:
                taken += 1
        return taken

    async def pick(self, folder: Path) -> Outcome:
        """Take ``folder`` unless another gateway process has it in hand or has taken it already."""
        with _claimed(folder) as mine:
            if not mine:
                return Outcome.WAIT
            return await self._pick(folder)

    async def _pick(self, folder: Path) -> Outcome:
        name = folder.name
        try:
            package = await asyncio.to_thread(load_letter_file, folder / LETTER_JSON)
        except LetterInvalid as exc:
            # Every fault at once, as the API says them: the rules too, not only the format's.
            rules = await asyncio.to_thread(self._rule_faults, folder)
            return await self._fail(folder, (*exc.faults, *rules), refused=False)
        origin = Origin(source=ORIGIN_SOURCE, key=f"{name}#{content_digest(package)}")
        await self.hooks.point("loaded", name)
        result = await self._try_submit(package, origin, name)
        if isinstance(result, tuple):
            # The core refuses one rule at a time (top secret before an unknown receiver): say them all.
            rules = await asyncio.to_thread(self._rule_faults, folder)
            said, fields = {f.problem for f in rules}, {f.where for f in rules}
            more = (f for f in result if f.problem not in said and f.where not in fields)
            return await self._fail(folder, (*rules, *more), refused=True)
        if result is None:
            return Outcome.WAIT
        await self.hooks.point("submitted", name)
        receipt = {"letter_id": result, "folder": name, "book_no": package.letter.book_no}
        await asyncio.to_thread(_write_json, folder / RECEIPT_FILE, receipt)
        await self.hooks.point("receipt", name)
        await asyncio.to_thread(self._move, folder, DONE)
        log.info("outbox folder %s: letter %d accepted, moved to %s/", name, result, DONE)
        await self.hooks.point("moved", name)
        return Outcome.DONE

    async def _try_submit(
        self, package: LetterPackage, origin: Origin, name: str
    ) -> int | tuple[Fault, ...] | None:
        """The letter's id; the faults when the gateway refuses it; None to wait for the next scan."""
        try:
            return await asyncio.to_thread(self._submit, package, origin)
        except (PolicyRefused, DuplicateLetter) as exc:
            return (Fault(where="letter", problem=str(exc)),)
        except InputError as exc:  # a receiver the directory does not know, files too large, ...
            return _faults_of(exc)
        except Exception as exc:  # the store is busy or down: the folder stays and is tried at the next scan
            if unreachable(exc) is not None:
                raise  # the database out of reach: the scan stops, said once for the process (watcher)
            log.exception("outbox folder %s: cannot submit now; trying again at the next scan", name)
            return None

    def _rule_faults(self, folder: Path) -> list[Fault]:
        """The rules' faults of the folder's letter.json (none when it is not a JSON object)."""
        try:
            raw = json.loads((folder / LETTER_JSON).read_bytes())
        except (OSError, ValueError):
            return []
        if not isinstance(raw, dict):
            return []
        checks = Checks(settings=self.services.settings, routing=self.services.routing())
        return rule_faults(raw, checks)

    def _submit(self, package: LetterPackage, origin: Origin) -> int | None:
        earlier = self.services.store.letter_by_origin(origin)
        if earlier is not None:  # a run before a crash submitted it: only the move is left to do
            return earlier
        try:
            return self.services.submit(package, actor=self.actor, origin=origin).letter_id
        except DirectoryNotReady:
            return None

    async def _fail(self, folder: Path, faults: Sequence[Fault], *, refused: bool) -> Outcome:
        text = error_text(folder.name, faults, at=self.services.store.clock(), refused=refused)
        await asyncio.to_thread(_write, folder / ERROR_FILE, text.encode("utf-8"))
        await asyncio.to_thread(self._move, folder, FAILED)
        log.warning(
            "outbox folder %s: not sent (%d fault(s)), moved to %s/", folder.name, len(faults), FAILED
        )
        return Outcome.FAILED

    def _move(self, folder: Path, where: str) -> None:
        """One rename into done/ or failed/ (a free name there); both folders fsynced."""
        target_dir = self.root / where
        target = target_dir / folder.name
        n = 1
        while target.exists():
            n += 1
            target = target_dir / f"{folder.name}~{n}"
        try:
            folder.rename(target)
        except FileNotFoundError:  # another gateway on the same outbox moved it first
            return
        fsync_dir(self.root)
        fsync_dir(target_dir)


# The field a routing refusal of the core is about, by its fault code (else the receiver's).
_WHERE: dict[str, str] = {
    "routing.to_self": "receiver.org_id",
    "routing.sender_not_served": "sender.org_id",
}


@contextlib.contextmanager
def _claimed(folder: Path) -> Iterator[bool]:
    """Whether this process holds ``folder``: an exclusive, non-blocking ``flock`` on the folder,
    and the folder still at its place in the outbox afterwards (not moved while we waited)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:  # another gateway moved it since the scan listed it
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another gateway process has it in hand
            yield False
            return
        try:
            here = os.stat(folder)
        except FileNotFoundError:
            yield False
            return
        held = os.fstat(fd)
        yield (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino)
    finally:
        os.close(fd)  # releases the lock


def _faults_of(exc: InputError) -> tuple[Fault, ...]:
    """The core's refusal as faults that name the field it is about (the files when they are too
    large, the sender or the receiver for a routing refusal)."""
    if isinstance(exc, LetterTooLarge):
        return exc.faults
    code = exc.fault_code or ""
    party = exc.fault_params.get("party")
    where = f"{party}.org_id" if party in ("sender", "receiver") else _WHERE.get(code, "receiver.org_id")
    return (Fault(where=where, problem=str(exc), code=exc.fault_code, params=exc.fault_params),)


def _misnamed_marker(folder: Path) -> str | None:
    """A file in ``folder`` meant as the ready marker but named otherwise (``ready``, ``.ready.txt``,
    ``READY``), if there is one."""
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries]
    except OSError:
        return None
    for name in sorted(names):
        if name != READY_MARKER and name.lstrip(".").split(".")[0].lower() == "ready":
            return name
    return None


def _write_json(path: Path, data: dict[str, object]) -> None:
    _write(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` atomically, readable by whoever may read the letter's folder."""
    write_atomic(path, data)
    as_folder(path, path.parent)
