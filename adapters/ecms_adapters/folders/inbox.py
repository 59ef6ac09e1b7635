"""The inbox folder: each received letter appears as ``<inbox>/<letter id>-<book no>/`` holding
``letter.json`` (format v1), its files and ``gateway.json`` (the gateway's id, state, receive number).

Written atomically: into ``<inbox>/.tmp-<pid>-<name>/`` (every file fsynced), then one rename, then
the inbox folder fsynced; a reader never sees half a letter. Driven by a durable cursor over the
letters' events (the audit chain), moved after each letter: a crash re-exports at most the letter in
hand, and a folder already there is not written again (idempotent by name).

A letter that cannot be written (its record or a file unreadable in the store, a name the file system
refuses) is set aside, not left in the way: the store keeps it as a cursor of its own
(``folders.inbox.held.<letter id>``), every scan tries it again, and the letters after it are written
meanwhile. A fault of the folder itself (disk full, no permission, read-only) stops the scan instead:
every later letter would fail the same way, so the cursor stays and the next scan starts there.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import re
import shutil
import time
import unicodedata
from dataclasses import replace
from pathlib import Path, PurePosixPath

from sqlalchemy.exc import DBAPIError

from ecms_adapters.folders.modes import as_folder
from ecms_gateway.config import ExportWhen, InboxStart
from ecms_gateway.engine import Direction, LetterState, Store
from ecms_gateway.engine.events import LetterEvent
from ecms_gateway.errors import TransientFailure
from ecms_gateway.fileio import fsync_dir, write_atomic
from ecms_gateway.letter.model import FileData, LetterPackage
from ecms_gateway.services.convert import write_letter

log = logging.getLogger(__name__)

CURSOR = "folders.inbox"
HELD = f"{CURSOR}.held."  # + letter id: a letter set aside, tried again at every scan
# Errors of the inbox folder (or the machine), not of one letter: the scan stops and starts over.
_FOLDER_FAULTS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.EIO,
        errno.EMFILE,
        errno.ENFILE,
    }
)
GATEWAY_JSON = "gateway.json"
_TMP = ".tmp-"
LETTER_JSON = "letter.json"
_OURS = frozenset({LETTER_JSON, GATEWAY_JSON})  # the folder's own files: a sender's file is renamed
_RENAMED_PREFIX = "file-"
# Room under the usual 255-byte limit for the " (2)" that tells apart two files of one name.
_MAX_NAME_BYTES = 240
_MAX_EXT_BYTES = 16
_STALE_TMP_S = 3600  # a temporary folder this old was left by a crash (or a stopped gateway)
_MARKS = ("Mn", "Mc")  # Thai vowel and tone marks (ั ิ ี ่ ้ ...) are part of the word they sit on


def folder_name(letter_id: int, book_no: str) -> str:
    """``<id>-<book no>`` with every character a file name may not hold (``/``, spaces) as ``-``;
    letters, digits and marks of any script are kept (``ที่ มท ๐๘๐๘`` stays ``ที่-มท-๐๘๐๘``)."""
    kept = "".join(c if _safe(c) else "\0" for c in book_no)
    cleaned = re.sub("\0+", "-", kept).strip("-.")[:80]
    return f"{letter_id}-{cleaned}" if cleaned else str(letter_id)


def _safe(char: str) -> bool:
    return char.isalnum() or char in "_.-" or unicodedata.category(char) in _MARKS


def _exportable(package: LetterPackage) -> LetterPackage:
    """``package`` with file names the letter's folder can hold beside its letter.json and
    gateway.json: the sender names the files, and a name of its own must neither replace one of
    ours nor be longer than a file system takes (255 bytes; a Thai character is 3)."""
    return replace(
        package,
        main=_exportable_file(package.main),
        attachments=tuple(_exportable_file(f) for f in package.attachments),
    )


def _exportable_file(file: FileData) -> FileData:
    name = PurePosixPath(file.name.replace("\\", "/")).name
    if name in ("", ".", ".."):
        name = "file"
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode("utf-8")) > _MAX_EXT_BYTES:
        stem, ext = name, ""
    if name.lower() in _OURS:
        stem = f"{_RENAMED_PREFIX}{stem}"
    suffix = f".{ext}" if ext else ""
    while len((stem + suffix).encode("utf-8")) > _MAX_NAME_BYTES:
        stem = stem[:-1]
    exported = stem + suffix
    return file if exported == file.name else replace(file, name=exported)


class InboxExport:
    def __init__(self, root: Path, store: Store, *, when: ExportWhen, start: InboxStart) -> None:
        self.root = root
        self.store = store
        self.when = when
        self.start = start
        self._told: set[int] = set()  # letters set aside whose failure is in this run's log already

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        now = time.time()
        for entry in self.root.iterdir():
            if entry.name.startswith(_TMP) and now - entry.stat().st_mtime > _STALE_TMP_S:
                shutil.rmtree(entry, ignore_errors=True)

    async def run_once(self) -> int:
        """Export the letters received since the cursor; the number of folders written."""
        return await asyncio.to_thread(self._run)

    def _run(self) -> int:
        cursor = self.store.event_cursor(CURSOR)
        if cursor is None:
            cursor = 0 if self.start is InboxStart.BEGINNING else self.store.last_event_seq()
            self.store.move_event_cursor(CURSOR, cursor)
        written = self._held_again()
        while events := self.store.letter_events(after_seq=cursor, limit=100):
            for event in events:
                if self._wanted(event) and self._export_or_hold(event.letter_id, event.seq):
                    written += 1
                    self.store.move_event_cursor(CURSOR, event.seq)  # each letter: the least to redo
                cursor = event.seq
            self.store.move_event_cursor(CURSOR, cursor)
        return written

    def held(self) -> dict[int, int]:
        """The letters set aside (letter id: the event that asked for them)."""
        return {int(name.removeprefix(HELD)): seq for name, seq in self.store.event_cursors(HELD).items()}

    def _held_again(self) -> int:
        written = 0
        held = self.held()
        for letter_id in sorted(held, key=held.__getitem__):  # in the order they came
            try:
                done = self.export(letter_id)
            except Exception as exc:
                if _folder_fault(exc):
                    raise
                self._tell(letter_id, exc)
                continue
            self.store.drop_event_cursor(f"{HELD}{letter_id}")
            self._told.discard(letter_id)
            log.info("inbox folder: letter %d, set aside before, is written now", letter_id)
            written += int(done)
        return written

    def _export_or_hold(self, letter_id: int, seq: int) -> bool:
        """Export the letter; one that cannot be is recorded as set aside (before the cursor passes
        it) and False returned, so the letters after it go on."""
        try:
            return self.export(letter_id)
        except Exception as exc:
            if _folder_fault(exc):
                raise
            self.store.move_event_cursor(f"{HELD}{letter_id}", seq)
            self._tell(letter_id, exc)
            return False

    def _tell(self, letter_id: int, exc: BaseException) -> None:
        if letter_id in self._told:
            return
        self._told.add(letter_id)
        log.error(
            "inbox folder %s: letter %d cannot be written (%s); it is set aside and tried again at every "
            "scan while the letters after it are written; fix the cause (`ecms-gateway audit files` "
            "checks the store's files) and it is written at the next scan",
            self.root,
            letter_id,
            exc,
        )

    def _wanted(self, event: LetterEvent) -> bool:
        if event.direction is not Direction.IN:
            return False
        if self.when is ExportWhen.REGISTERED:
            return event.state is LetterState.REGISTERED
        return event.created

    def export(self, letter_id: int) -> bool:
        """Write letter ``letter_id``'s folder unless it is there already; True when written now."""
        detail = self.store.show(letter_id).letter
        name = folder_name(letter_id, detail.book_no)
        target = self.root / name
        if target.exists():
            return False
        package = _exportable(self.store.load_package(letter_id))
        tmp = self.root / f"{_TMP}{os.getpid()}-{name}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        write_letter(package, tmp / LETTER_JSON)
        info = {
            "letter_id": letter_id,
            "state": detail.state.value,
            "channel": detail.channel,
            "received_at": detail.created_at.isoformat(timespec="seconds"),
            "registry_no": detail.registry_no,
            "registry_year": detail.registry_year,
        }
        write_atomic(tmp / GATEWAY_JSON, (json.dumps(info, indent=2) + "\n").encode("utf-8"))
        for written in tmp.iterdir():
            as_folder(written, tmp)
        fsync_dir(tmp)
        try:
            tmp.rename(target)
        except OSError:  # another gateway wrote the same letter first
            shutil.rmtree(tmp, ignore_errors=True)
            return False
        fsync_dir(self.root)
        log.info("inbox folder: letter %d written as %s", letter_id, name)
        return True


def _folder_fault(exc: BaseException) -> bool:
    """True for an error of the folder, the machine or the database (a transient one): not the letter's."""
    if isinstance(exc, TransientFailure):
        return True
    if isinstance(exc, OSError) and exc.errno in _FOLDER_FAULTS:
        return True
    # The database not answering (locked, gone) is no fault of the letter being read.
    return isinstance(exc, DBAPIError)
