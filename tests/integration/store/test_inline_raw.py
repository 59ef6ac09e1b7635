"""Received items: small ones kept in their inbox_item row, large ones in the file store; ``load_raw``
returns the bytes exactly as they came either way, checked against their SHA-256; items stored before
migration 0007 (file store only) are still read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text, update
from store_support import Backend

from ecms_gateway.engine import Store
from ecms_gateway.engine.raw_bytes import INLINE_RAW_MAX
from ecms_gateway.errors import DowngradeRefused, StoreError
from ecms_gateway.store import Database, resolve_url, upgrade
from ecms_gateway.store.files import LocalFileStore
from ecms_gateway.store.migrate import alembic_config
from ecms_gateway.store.tables import INBOX


def _files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "files").rglob("*") if p.is_file()]


def test_a_small_item_is_kept_in_its_row_and_nothing_goes_to_the_file_store(
    store: Store, backend: Backend
) -> None:
    raw = "<ตัวอย่าง/>".encode() * 10_000  # ~150 KB, like a letter with a 100 KB attachment
    accepted = store.accept_inbound(raw, channel="ecms", process_id="P1", actor="poller")
    assert store.load_raw(accepted.id) == raw
    with store.db.read() as conn:
        row = conn.execute(select(INBOX).where(INBOX.c.id == accepted.id)).mappings().one()
    assert bytes(row["raw"]) == raw
    assert (row["raw_sha256"], row["raw_size"]) == (hashlib.sha256(raw).hexdigest(), len(raw))
    assert _files(backend.data_dir) == []


def test_an_item_over_the_limit_goes_to_the_file_store(store: Store, backend: Backend) -> None:
    raw = b"x" * (INLINE_RAW_MAX + 1)
    accepted = store.accept_inbound(raw, channel="ecms", process_id="P1", actor="poller")
    assert store.load_raw(accepted.id) == raw
    with store.db.read() as conn:
        assert conn.execute(select(INBOX.c.raw)).scalar_one() is None
    [stored] = _files(backend.data_dir)
    assert stored.name == hashlib.sha256(raw).hexdigest()
    at_limit = b"y" * INLINE_RAW_MAX
    again = store.accept_inbound(at_limit, channel="ecms", process_id="P2", actor="poller")
    assert store.load_raw(again.id) == at_limit
    assert len(_files(backend.data_dir)) == 1  # exactly the limit is still kept in the row


def test_the_same_item_again_is_stored_once(store: Store) -> None:
    first = store.accept_inbound(b"<a/>", channel="ecms", process_id="P1", actor="poller")
    again = store.accept_inbound(b"<a/>", channel="ecms", process_id="P1", actor="poller")
    assert (again.id, again.created) == (first.id, False)


def test_a_changed_row_is_reported_as_corrupt(store: Store) -> None:
    accepted = store.accept_inbound(b"<a>1</a>", channel="ecms", process_id="P1", actor="poller")
    with store.db.write() as conn:
        conn.execute(update(INBOX).where(INBOX.c.id == accepted.id).values(raw=b"<a>2</a>"))
    with pytest.raises(StoreError, match=f"inbox item {accepted.id} is corrupt"):
        store.load_raw(accepted.id)


def _insert_pre_0007_item(db: Database, files: LocalFileStore, raw: bytes) -> None:
    sha256 = files.put(raw)
    with db.write() as conn:
        conn.execute(
            text(
                "INSERT INTO inbox_item (id, channel, process_id, raw_sha256, raw_size, received_at)"
                " VALUES (1, 'ecms', 'P-old', :sha, :size, '2026-11-20 03:00:00+00:00')"
            ),
            {"sha": sha256, "size": len(raw)},
        )


def test_items_stored_before_the_migration_are_read_from_the_file_store(tmp_path: Path) -> None:
    db = Database(resolve_url(data_dir=tmp_path))
    try:
        upgrade(db, "0006")
        _insert_pre_0007_item(db, LocalFileStore(tmp_path / "files"), b"<old/>")
        upgrade(db)
    finally:
        db.dispose()
    with Store(data_dir=tmp_path) as store:
        assert store.load_raw(1) == b"<old/>"


def test_downgrading_refuses_to_drop_items_kept_only_in_their_rows(tmp_path: Path) -> None:
    with Store(data_dir=tmp_path) as store:
        store.accept_inbound(b"<new/>", channel="ecms", process_id="P1", actor="poller")
        db = store.db
        with db.write() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            with pytest.raises(DowngradeRefused, match="1 received item"):
                command.downgrade(config, "0006")
