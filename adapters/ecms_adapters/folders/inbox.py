"""The inbox folder: each received letter appears as ``<inbox>/<letter id>-<book no>/`` holding
``letter.json`` (format v1), its files and ``gateway.json`` (the gateway's id, state, receive number).

Written atomically: into ``<inbox>/.tmp-<pid>-<name>/`` (every file fsynced), then one rename, then
the inbox folder fsynced; a reader never sees half a letter. Driven by a durable cursor over the
letters' events (the audit chain), moved after each letter: a crash re-exports at most the letter in
hand, and a folder already there is not written again (idempotent by name).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import time
import unicodedata
from dataclasses import replace
from pathlib import Path, PurePosixPath

from ecms_adapters.folders.modes import as_folder
from ecms_gateway.config import ExportWhen, InboxStart
from ecms_gateway.engine import Direction, LetterState, Store
from ecms_gateway.engine.events import LetterEvent
from ecms_gateway.fileio import fsync_dir, write_atomic
from ecms_gateway.letter.model import FileData, LetterPackage
from ecms_gateway.services.convert import write_letter

log = logging.getLogger(__name__)

CURSOR = "folders.inbox"
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
        written = 0
        while events := self.store.letter_events(after_seq=cursor, limit=100):
            for event in events:
                if self._wanted(event) and self.export(event.letter_id):
                    written += 1
                    self.store.move_event_cursor(CURSOR, event.seq)  # each letter: the least to redo
                cursor = event.seq
            self.store.move_event_cursor(CURSOR, cursor)
        return written

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
