"""Migrations: from an empty database to exactly the models, on both databases; automatic on empty
databases, and an outdated schema is refused with the command that fixes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from store_support import new_pg_database

from ecms_gateway.engine import Store
from ecms_gateway.errors import SchemaOutdated
from ecms_gateway.store import Database, prepare, resolve_url, revision, throwaway_pg, upgrade
from ecms_gateway.store.migrate import head_revision
from ecms_gateway.store.tables import METADATA


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return resolve_url(data_dir=tmp_path)
    cluster: throwaway_pg.Cluster = request.getfixturevalue("pg_cluster")
    return new_pg_database(cluster, migrated=False)


def test_migrating_from_empty_equals_the_models(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        before, after = upgrade(db)
        assert (before, after) == (None, head_revision())
        with db.read() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, METADATA) == []
            assert set(inspect(conn).get_table_names()) == {*METADATA.tables, "alembic_version"}
    finally:
        db.dispose()


def test_upgrade_twice_changes_nothing(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        upgrade(db)
        assert upgrade(db) == (head_revision(), head_revision())
    finally:
        db.dispose()


def test_store_migrates_an_empty_database_itself(empty_url: str, tmp_path: Path) -> None:
    with Store(database_url=empty_url, data_dir=tmp_path) as store, store.db.read() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_outdated_schema_is_refused(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        upgrade(db)
        with db.write() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
        with pytest.raises(SchemaOutdated, match="run `ecms-gateway db upgrade`"):
            prepare(db)
    finally:
        db.dispose()


def test_the_store_names_the_last_revision_as_alembic_does() -> None:
    """Opening a current database asks for ``revision.HEAD`` without loading Alembic: a migration added
    without moving ``HEAD`` would let a gateway run on the schema before it."""
    assert head_revision() == revision.HEAD


def test_opening_the_store_checks_the_revision_with_one_select_and_alembic_for_the_rest(
    empty_url: str, tmp_path: Path
) -> None:
    db = Database(empty_url)
    try:
        assert not revision.is_current(db)  # no alembic_version table yet
        upgrade(db)
        assert revision.is_current(db)
        with db.write() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
        assert not revision.is_current(db)
        with pytest.raises(SchemaOutdated, match="run `ecms-gateway db upgrade`"):
            Store(database_url=empty_url, data_dir=tmp_path)
    finally:
        db.dispose()


def test_foreign_tables_without_migration_record_are_refused(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        with db.write() as conn:
            conn.execute(text("CREATE TABLE letter (id INTEGER PRIMARY KEY)"))
        with pytest.raises(SchemaOutdated, match="no migration record"):
            prepare(db)
    finally:
        db.dispose()


def test_upgrade_to_0002_fills_speed_secrecy_and_registration_time_of_existing_letters(
    empty_url: str,
) -> None:
    db = Database(empty_url)
    try:
        upgrade(db, "0001")
        letter_json = '{"speed": "most_urgent", "secrecy": "confidential"}'
        with db.write() as conn:
            conn.execute(
                text(
                    "INSERT INTO letter (id, direction, state, channel, sender_org, sender_dept,"
                    " receiver_org, book_no, book_key, letter_date, subject, letter_json, content_digest,"
                    " created_at, updated_at) VALUES (1, 'in', 'registered', 'ecms', '2099100000', '20991',"
                    " '2099000000', 'x/1', 'x/1', '2026-11-20', 's', :j, 'd', '2026-11-20 03:00:00+00:00',"
                    " '2026-11-20 03:00:00+00:00')"
                ),
                {"j": letter_json},
            )
            conn.execute(
                text(
                    "INSERT INTO audit_entry (seq, at, actor, action, letter_id, detail, prev_hash, hash)"
                    " VALUES (1, '2026-11-20 04:00:00+00:00', 't', 'letter.register', 1, '{}', 'p', 'h')"
                )
            )
        upgrade(db)
        with db.read() as conn:
            row = conn.execute(text("SELECT speed, secrecy, registered_at FROM letter")).one()
        assert (row.speed, row.secrecy) == ("most_urgent", "confidential")
        assert str(row.registered_at).startswith("2026-11-20 04:00:00")
    finally:
        db.dispose()


def test_upgrade_to_0006_marks_letters_received_before_it_as_legacy(empty_url: str) -> None:
    """Inbound letters kept before the signature mark existed say so (legacy); ours carry none."""
    db = Database(empty_url)
    try:
        upgrade(db, "0005")
        with db.write() as conn:
            for letter_id, direction in ((1, "in"), (2, "out")):
                conn.execute(
                    text(
                        "INSERT INTO letter (id, direction, state, channel, sender_org, sender_dept,"
                        " receiver_org, book_no, book_key, letter_date, subject, speed, secrecy, letter_json,"
                        " content_digest, created_at, updated_at) VALUES (:id, :dir, 'received', 'ecms',"
                        " '2099100000', '20991', '2099000000', :no, :no, '2026-11-20', 's', 'normal',"
                        " 'normal', '{}', 'd', '2026-11-20 03:00:00+00:00', '2026-11-20 03:00:00+00:00')"
                    ),
                    {"id": letter_id, "dir": direction, "no": f"x/{letter_id}"},
                )
        upgrade(db)
        with db.read() as conn:
            marks = dict(conn.execute(text("SELECT id, signature_status FROM letter ORDER BY id")).all())
        assert marks == {1: "legacy", 2: None}
    finally:
        db.dispose()
