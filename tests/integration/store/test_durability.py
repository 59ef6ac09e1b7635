"""A commit marked not durable returns without waiting for the disk, for that transaction only:
the store's other commits still wait (SQLite synchronous=FULL, PostgreSQL synchronous_commit on)."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection
from store_support import Backend


def _setting(conn: Connection, dialect: str) -> str:
    if dialect == "sqlite":
        return {0: "off", 1: "normal", 2: "full", 3: "extra"}[
            conn.exec_driver_sql("PRAGMA synchronous").scalar()
        ]
    return str(conn.exec_driver_sql("SHOW synchronous_commit").scalar())


DOES_NOT_WAIT = {"sqlite": "normal", "postgresql": "off"}


def _durable_setting(db_dialect: str, conn: Connection) -> str:
    """What every other commit does: FULL on SQLite; on PostgreSQL the server's setting (the test
    server runs with synchronous_commit off, so there the check is that nothing leaks)."""
    setting = _setting(conn, db_dialect)
    if db_dialect == "sqlite":
        assert setting == "full"
    return setting


def test_only_the_transaction_marked_not_durable_skips_waiting_for_the_disk(backend: Backend) -> None:
    with backend.open() as store:
        db = store.db
        with db.write() as conn:
            waits = _durable_setting(db.dialect, conn)
        with db.write(durable=False) as conn:
            assert _setting(conn, db.dialect) == DOES_NOT_WAIT[db.dialect]
        for _ in range(3):  # whichever pooled connection comes next, it waits again
            with db.write() as conn:
                assert _setting(conn, db.dialect) == waits


def test_a_failed_transaction_marked_not_durable_leaves_the_next_one_durable(backend: Backend) -> None:
    with backend.open() as store:
        db = store.db
        with db.write() as conn:
            waits = _durable_setting(db.dialect, conn)
        with pytest.raises(RuntimeError, match="refused"), db.write(durable=False):
            raise RuntimeError("refused")
        for _ in range(3):
            with db.write() as conn:
                assert _setting(conn, db.dialect) == waits
