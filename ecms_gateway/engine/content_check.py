"""Every piece of content the store holds, checked against the SHA-256 recorded with it: each letter's
record (its JSON and list of files, against ``content_digest``), the letters' and mail letters' files
(file store), the received items and the archived sent messages (their row, or the file store); and the
files of the file store that no row names. For ``ecms-gateway audit files`` after a restore.

Rows are read in batches, each in a read transaction of its own (keyset on the id: rows added meanwhile
are still reached), and bytes kept in rows are fetched a bounded amount at a time, so a store of any
size is checked in bounded memory; files are hashed as they stream from the file store.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, Table, select

from ecms_gateway.engine.audit import canonical_json
from ecms_gateway.engine.context import Context
from ecms_gateway.errors import NotFound
from ecms_gateway.store.files import FileStore, is_sha256
from ecms_gateway.store.tables import INBOX, LETTER, LETTER_FILE, MAIL_LETTER_FILE, SENT

BATCH: Final = 500
"""Rows read per read transaction."""
INLINE_BYTES_PER_READ: Final = 16 * 1024 * 1024
"""Bytes kept in rows (received items, sent messages: up to 1 MiB each) fetched per query at most."""
ORPHANS_SHOWN: Final = 5
"""How many files no row names are named in the report (all are counted)."""


class ContentKind(StrEnum):
    """What a piece of content is; the order is the order they are checked in."""

    LETTER_FILE = "letter_file"  # a file of a letter (file store); id: the letter
    MAIL_LETTER_FILE = "mail_letter_file"  # a file of a letter a person sent by mail; id: the mail letter
    RECEIVED = "received"  # an item as received (its row up to 1 MiB, else the file store); id: inbox item
    SENT = "sent"  # an archived sent message (kept as received items are); id: sent message
    LETTER = "letter"  # a letter's JSON and list of files, against its content digest; id: the letter


class Fault(StrEnum):
    """What is wrong with a piece of content."""

    MISSING = "missing"  # its file is not in the file store
    CHANGED = "changed"  # its bytes no longer match the SHA-256 recorded for them


@dataclass(frozen=True, kw_only=True)
class StoredContent:
    """One piece of content as the database records it: ``inline`` holds bytes kept in the row (for a
    letter, its record as hashed), None for bytes in the file store under ``sha256``."""

    kind: ContentKind
    id: int
    position: int | None = None
    name: str | None = None
    sha256: str
    inline: bytes | None = None


@dataclass(frozen=True, kw_only=True)
class ContentProblem:
    """A piece of content that is missing or changed. ``location`` is its file's; None when the fault is
    in the database row itself (the bytes kept there, or a recorded digest that is no digest any more)."""

    kind: ContentKind
    id: int
    position: int | None
    name: str | None
    fault: Fault
    location: str | None


@dataclass(frozen=True, kw_only=True)
class ContentReport:
    """What ``check`` looked at: pieces checked by kind, problems found (each was handed to the caller
    as found) by where they are, and the files of the file store that no row names (``orphans``, the
    first few named)."""

    checked: dict[ContentKind, int]
    problems_in_file_store: int  # files missing or changed
    problems_in_database: int  # bytes or records changed in their rows
    file_store: str
    file_store_found: bool
    orphans: int
    first_orphans: tuple[str, ...]

    @property
    def problems(self) -> int:
        return self.problems_in_file_store + self.problems_in_database

    @property
    def ok(self) -> bool:
        return self.problems == 0


@dataclass
class _Named:
    """The digests of the files rows name, as their first 64 bits in a sorted array (8 bytes each,
    where a set of digests would take over ten times that): enough to tell a file no row names, which is
    information only (two digests sharing 64 bits would hide one such file)."""

    prefixes: array[int] = field(default_factory=lambda: array("Q"))

    def add(self, sha256: str) -> None:
        if is_sha256(sha256):
            self.prefixes.append(int(sha256[:16], 16))

    def freeze(self) -> _Named:
        return _Named(array("Q", sorted(self.prefixes)))

    def __contains__(self, sha256: str) -> bool:
        key = int(sha256[:16], 16)
        at = bisect_left(self.prefixes, key)
        return at < len(self.prefixes) and self.prefixes[at] == key


def check(ctx: Context, *, on_problem: Callable[[ContentProblem], None], batch: int = BATCH) -> ContentReport:
    """Check every piece of content the store holds, handing each problem to ``on_problem`` as it is
    found, then look for files no row names."""
    checked = dict.fromkeys(ContentKind, 0)
    problems = {True: 0, False: 0}  # by whether the fault is in the database
    named = _Named()
    for item in stored_content(ctx, batch=batch):
        checked[item.kind] += 1
        if item.inline is None:
            named.add(item.sha256)
        fault = _fault(ctx.files, item)
        if fault is not None:
            location = None if item.inline is not None else _location(ctx.files, item.sha256)
            problems[location is None] += 1
            on_problem(
                ContentProblem(
                    kind=item.kind,
                    id=item.id,
                    position=item.position,
                    name=item.name,
                    fault=fault,
                    location=location,
                )
            )
    found, orphans, first = _orphans(ctx.files, named.freeze())
    return ContentReport(
        checked=checked,
        problems_in_file_store=problems[False],
        problems_in_database=problems[True],
        file_store=ctx.files.describe(),
        file_store_found=found,
        orphans=orphans,
        first_orphans=first,
    )


def stored_content(ctx: Context, *, batch: int = BATCH) -> Iterator[StoredContent]:
    """Every piece of content the database records, kind by kind in id order, ``batch`` rows per read
    transaction (none is held open while the caller works)."""
    yield from _files(ctx, LETTER_FILE, LETTER_FILE.c.letter_id, ContentKind.LETTER_FILE, batch)
    mail_owner = MAIL_LETTER_FILE.c.mail_letter_id
    yield from _files(ctx, MAIL_LETTER_FILE, mail_owner, ContentKind.MAIL_LETTER_FILE, batch)
    yield from _kept_raw(ctx, INBOX, ContentKind.RECEIVED, batch)
    yield from _kept_raw(ctx, SENT, ContentKind.SENT, batch)
    yield from _letters(ctx, batch)


def _files(
    ctx: Context, table: Table, owner: ColumnElement[int], kind: ContentKind, batch: int
) -> Iterator[StoredContent]:
    query = select(table.c.id, owner, table.c.position, table.c.name, table.c.sha256)
    for rows in _batches(ctx, query, table, batch):
        for _id, owner_id, position, name, sha256 in rows:
            yield StoredContent(kind=kind, id=owner_id, position=position, name=name, sha256=sha256)


def _kept_raw(ctx: Context, table: Table, kind: ContentKind, batch: int) -> Iterator[StoredContent]:
    """Received items or sent messages: their facts in batches, then the bytes of those kept in their
    rows, ``INLINE_BYTES_PER_READ`` at a time (a batch of 1 MiB messages would be half a gigabyte)."""
    facts = select(table.c.id, table.c.raw_sha256, table.c.raw_size, table.c.raw.is_(None))
    for rows in _batches(ctx, facts, table, batch):
        for group in _by_size(rows):
            raws = _raw_of(ctx, table, [row[0] for row in group if not row[3]])
            for row_id, sha256, _size, in_file_store in group:
                raw = None if in_file_store else raws.get(row_id)
                inline = None if raw is None else bytes(raw)
                yield StoredContent(kind=kind, id=row_id, sha256=sha256, inline=inline)


def _raw_of(ctx: Context, table: Table, ids: list[int]) -> dict[int, bytes]:
    if not ids:
        return {}
    with ctx.db.read() as conn:
        rows = conn.execute(select(table.c.id, table.c.raw).where(table.c.id.in_(ids)))
        return dict(rows.all())


def _by_size(rows: Sequence[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """``rows`` (id, sha256, size, in the file store) in runs whose bytes in rows add up to
    ``INLINE_BYTES_PER_READ`` at most (a single larger one alone)."""
    group: list[tuple[Any, ...]] = []
    size = 0
    for row in rows:
        inline_size = 0 if row[3] else max(0, int(row[2]))
        if group and size + inline_size > INLINE_BYTES_PER_READ:
            yield group
            group, size = [], 0
        group.append(row)
        size += inline_size
    if group:
        yield group


def _letters(ctx: Context, batch: int) -> Iterator[StoredContent]:
    """Each letter's record as ``intake.content_digest`` hashed it: its JSON and its files' names, types
    and digests in order."""
    query = select(LETTER.c.id, LETTER.c.letter_json, LETTER.c.content_digest)
    for rows in _batches(ctx, query, LETTER, batch):
        ids = [row[0] for row in rows]
        listing = (
            select(LETTER_FILE.c.letter_id, LETTER_FILE.c.name, LETTER_FILE.c.mime, LETTER_FILE.c.sha256)
            .where(LETTER_FILE.c.letter_id.in_(ids))
            .order_by(LETTER_FILE.c.letter_id, LETTER_FILE.c.position)
        )
        with ctx.db.read() as conn:
            files = conn.execute(listing).all()
        listed: dict[int, list[list[str]]] = {}
        for letter_id, name, mime, sha256 in files:
            listed.setdefault(letter_id, []).append([name, mime, sha256])
        for letter_id, letter_json, digest in rows:
            yield StoredContent(
                kind=ContentKind.LETTER,
                id=letter_id,
                sha256=digest,
                inline=_letter_record(letter_json, listed.get(letter_id, [])),
            )


def _letter_record(letter_json: str, files: list[list[str]]) -> bytes:
    try:
        letter = json.loads(letter_json)
    except ValueError:
        return letter_json.encode("utf-8")  # not JSON any more: it cannot hash to its digest
    return canonical_json({"letter": letter, "files": files}).encode("utf-8")


def _batches(
    ctx: Context, query: Select[Any], table: Table, batch: int
) -> Iterator[Sequence[tuple[Any, ...]]]:
    """``query``'s rows (its first column the table's id) ``batch`` at a time, each in a transaction."""
    last = 0
    while True:
        page = query.where(table.c.id > last).order_by(table.c.id).limit(batch)
        with ctx.db.read() as conn:
            rows = conn.execute(page).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _fault(files: FileStore, item: StoredContent) -> Fault | None:
    if item.inline is not None:
        return None if hashlib.sha256(item.inline).hexdigest() == item.sha256 else Fault.CHANGED
    if not is_sha256(item.sha256):
        return Fault.CHANGED  # the recorded digest itself was changed: no file can match it
    digest = hashlib.sha256()
    try:
        for piece in files.chunks(item.sha256):
            digest.update(piece)
    except NotFound:
        return Fault.MISSING
    return None if digest.hexdigest() == item.sha256 else Fault.CHANGED


def _location(files: FileStore, sha256: str) -> str | None:
    return files.location(sha256) if is_sha256(sha256) else None


def _orphans(files: FileStore, named: _Named) -> tuple[bool, int, tuple[str, ...]]:
    """Whether the file store is there, how many of its files no row names, and the first few."""
    count, first = 0, list[str]()
    try:
        for sha256 in files.digests():
            if sha256 in named:
                continue
            count += 1
            if len(first) < ORPHANS_SHOWN:
                first.append(files.location(sha256))
    except NotFound:
        return False, 0, ()
    return True, count, tuple(first)
