"""The node's tables come from its own migrations, apart from the gateway store's."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from ecms_gateway.node.migrate import (
    VERSION_TABLE,
    alembic_config,
    current_revision,
    head_revision,
    prepare,
)
from ecms_gateway.node.tables import NODE_METADATA
from ecms_gateway.store import migrate as store_migrate
from ecms_gateway.store.database import Database


def test_migrating_an_empty_database_gives_exactly_the_node_tables(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    prepare(db)
    prepare(db)  # again: nothing to do
    assert current_revision(db) == head_revision()
    with db.read() as conn:
        assert set(inspect(conn).get_table_names()) == {*NODE_METADATA.tables, VERSION_TABLE}
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        assert compare_metadata(context, NODE_METADATA) == []


def test_the_node_and_the_gateway_store_can_share_a_database(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    store_migrate.upgrade(db)
    prepare(db)
    with db.read() as conn:
        tables = set(inspect(conn).get_table_names())
    assert set(NODE_METADATA.tables) <= tables
    assert set(SQLModel.metadata.tables) <= tables
    assert not set(NODE_METADATA.tables) & set(SQLModel.metadata.tables)
    store_migrate.prepare(db)  # the store still finds its schema current


def test_queued_items_keep_their_bytes_when_they_move_to_node_payload_and_back(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    config = alembic_config()
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            text(
                "INSERT INTO node_inbound (process_id, org_id, item_kind, book_no, book_key, letter_date, "
                "sender_dept, receiver_dept, payload, state, created_at) VALUES ('P-1', '2099100000', "
                "'letter', '1', '1', '2026-11-20', '20990', '20991', :payload, 'queued', "
                "'2026-11-20 00:00:00')"
            ),
            {"payload": b"<letter/>"},
        )
    prepare(db)
    with db.read() as conn:
        assert conn.execute(text("SELECT id, payload FROM node_payload")).all() == [(1, b"<letter/>")]
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    with db.read() as conn:
        assert conn.execute(text("SELECT payload FROM node_inbound")).scalar_one() == b"<letter/>"
