"""The node's tables come from its own migrations, apart from the gateway store's."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from ecms_gateway.node.migrate import VERSION_TABLE, current_revision, head_revision, prepare
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
