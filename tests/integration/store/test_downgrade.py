"""Taking the schema back for an older release (``migrate.downgrade``, ``ecms-gateway db downgrade``):
an empty store goes down and up again to exactly the models, a step that would lose rows refuses and
leaves its revision and the rows as they were, each step done is in the audit chain, and the command
says what it did or why not in one sentence, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, inspect, select, text
from store_support import Backend, make_package

from ecms_gateway.cli import main as cli
from ecms_gateway.cli.store_cmds import DOWNGRADED
from ecms_gateway.engine import audit
from ecms_gateway.errors import DowngradeRefused, InputError, StoreError
from ecms_gateway.store import Database, upgrade
from ecms_gateway.store.migrate import alembic_config, current_revision, downgrade, head_revision
from ecms_gateway.store.tables import AUDIT, METADATA
from tests.unit.cli.support import run

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def only_store_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    # The other command modules are written in parallel; these tests need only ours.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecms_gateway.cli.store_cmds",))


def _migrated(backend: Backend) -> Database:
    db = Database(backend.url)
    upgrade(db)  # SQLite starts empty; the PostgreSQL database is copied from a migrated one
    return db


def _revision(db: Database) -> str | None:
    with db.read() as conn:
        return current_revision(conn)


def _record(conn: Connection, upper: str, lower: str) -> None:
    audit.append(conn, at=NOW, actor="operator:test", action=DOWNGRADED, detail={"from": upper, "to": lower})


def test_an_empty_store_goes_down_one_step_at_a_time_and_up_again(backend: Backend) -> None:
    db = _migrated(backend)
    try:
        assert downgrade(db, "0008", step=_record) == (head_revision(), "0008")  # 0009 changes no table
        assert downgrade(db, "0007", step=_record) == ("0008", "0007")
        assert _revision(db) == "0007"
        with db.read() as conn:
            assert not {"sent_item", "sent_confirmation"} & _tables(conn)
            entries = conn.execute(select(AUDIT.c.action, AUDIT.c.detail).order_by(AUDIT.c.seq)).all()
        assert [(e.action, audit.detail_of(e.detail)) for e in entries] == [
            (DOWNGRADED, {"from": head_revision(), "to": "0008"}),
            (DOWNGRADED, {"from": "0008", "to": "0007"}),
        ]
        upgrade(db)
        assert _revision(db) == head_revision()
        with db.read() as conn:
            assert "sent_item" in _tables(conn)
            assert audit.verify(conn).first_bad is None
    finally:
        db.dispose()


def test_an_empty_store_goes_down_to_the_first_revision_and_up_to_exactly_the_models(
    backend: Backend,
) -> None:
    db = _migrated(backend)
    try:
        assert downgrade(db, "0001") == (head_revision(), "0001")
        with db.read() as conn:
            assert _tables(conn) == {
                "alembic_version",
                "attempt",
                "audit_entry",
                "audit_head",
                "inbox_item",
                "letter",
                "letter_file",
                "notifier",
                "refused_event",
                "registry_counter",
                "work_item",
            }
        upgrade(db)
        with db.read() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, METADATA) == []
    finally:
        db.dispose()


def test_a_step_that_would_lose_rows_refuses_and_leaves_its_revision_and_the_rows(backend: Backend) -> None:
    """Letters with work items go down through 0006 (on SQLite ``letter`` is copied, which foreign keys
    would refuse); the API's idempotency key stops the way at 0005, which stays with everything in it."""
    with backend.open() as store:
        store.reserve_idempotency_key(principal="apikey:x", key="k", digest="a" * 64)
        letter_id = store.accept_outbound(make_package(1), actor="apikey:x", channel="ecms")
        store.complete_idempotency_key(principal="apikey:x", key="k", letter_id=letter_id)
    db = Database(backend.url)
    try:
        before = _counts(db)
        with pytest.raises(DowngradeRefused) as refused:
            downgrade(db, "0003", step=_record)
        assert str(refused.value) == (
            "downgrading below 0005 would lose 1 idempotency key(s) of API submissions (idempotency_key). "
            "Keep revision 0005 and run the release that needs it, or restore the backup taken before the "
            'upgrade to 0005 (docs/operations.md, "Rolling back a release"). The database is at revision '
            f"0005 (taken down from {head_revision()} before this step)."
        )
        assert _revision(db) == "0005"
        assert _counts(db) == {
            **before,
            "audit_entry": before["audit_entry"] + 4,
        }  # 0009 to 0005, a step each
        with pytest.raises(DowngradeRefused, match="1 idempotency key"):
            downgrade(db, "0004", step=_record)
        assert _revision(db) == "0005"
        assert _counts(db) == {**before, "audit_entry": before["audit_entry"] + 4}
        upgrade(db)
    finally:
        db.dispose()
    with backend.open() as store:
        assert store.verify_audit().first_bad is None
        assert [row.letter_id for row in store.queue()] == [letter_id]


@pytest.mark.parametrize(
    ("target", "guarded", "row", "lost"),
    [
        (
            "0005",
            "0006",
            "UPDATE letter SET signature_status = 'verified'",
            "1 received letter(s)' record of how the sender was established (letter.signature_status)",
        ),
        (
            "0003",
            "0004",
            "INSERT INTO event_cursor (name, seq, updated_at) VALUES ('inbox-folder', 3, :now)",
            "1 folder export position(s) (event_cursor)",
        ),
        (
            "0002",
            "0003",
            "INSERT INTO mail_sent (message_id, letter_id, recorded_at) VALUES ('<m@x>', :letter, :now)",
            "1 Message-ID(s) of mailed letters (mail_sent)",
        ),
        (
            "0001",
            "0002",
            "INSERT INTO api_key (name, role, prefix, secret_sha256, created_at, created_by)"
            " VALUES ('office', 'clerk', 'p', 's', :now, 'admin')",
            "1 API key(s) (api_key)",
        ),
    ],
)
def test_each_guard_names_what_its_step_would_lose(
    backend: Backend, target: str, guarded: str, row: str, lost: str
) -> None:
    with backend.open() as store:
        letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
        with store.db.write() as conn:
            conn.execute(text(row), {"now": NOW, "letter": letter_id})
    db = Database(backend.url)
    try:
        with pytest.raises(
            DowngradeRefused, match=rf"^downgrading below {guarded} would lose {re.escape(lost)}\. "
        ):
            downgrade(db, target)
        assert _revision(db) == guarded
    finally:
        db.dispose()


def test_the_first_revision_goes_to_no_schema_only_when_it_holds_nothing(backend: Backend) -> None:
    """`db downgrade` refuses `base`; Alembic run by hand meets 0001's own guard."""
    with backend.open() as store:
        store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    db = Database(backend.url)
    try:
        downgrade(db, "0001")
        with db.schema_write() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            with pytest.raises(
                DowngradeRefused, match=r"would lose \d+ row\(s\) of audit_entry, .*1 row\(s\) of letter"
            ):
                command.downgrade(config, "base")
        assert _revision(db) == "0001"
    finally:
        db.dispose()


def test_a_revision_it_does_not_know_or_above_the_database_is_refused_naming_the_revisions(
    backend: Backend,
) -> None:
    db = _migrated(backend)
    try:
        with pytest.raises(
            InputError, match=r"no revision '0010': .* are 0001, 0002, .*, 0009; the database is at 0009"
        ):
            downgrade(db, "0010")
        with pytest.raises(InputError, match="`base` would drop every table, the audit chain with them"):
            downgrade(db, "base")
        downgrade(db, "0007")
        with pytest.raises(StoreError, match="revision 0008 is above the database's revision 0007"):
            downgrade(db, "0008")
        assert downgrade(db, "0007") == ("0007", "0007")
        assert _revision(db) == "0007"
    finally:
        db.dispose()


def test_the_command_says_what_it_did_and_why_it_refused(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _migrated(backend)
    db.dispose()
    code, out, err = run(
        capsys, "db", "downgrade", "0008", "--reason", "back to 1.4", "--database-url", backend.url
    )
    assert (code, err) == (0, "")
    assert f"downgraded from revision {head_revision()} to 0008;" in out
    assert "install the release that needs 0008" in out
    code, out, _ = run(capsys, "db", "downgrade", "0008", "--database-url", backend.url)
    assert code == 0
    assert "is already at revision 0008" in out
    code, out, err = run(capsys, "db", "downgrade", "0042", "--database-url", backend.url)
    assert (code, out) == (1, "")
    assert err.startswith("ecms-gateway: no revision '0042': this gateway's revisions are 0001,")
    assert "the database is at 0008" in err
    code, _, _ = run(capsys, "db", "upgrade", "--database-url", backend.url)
    assert code == 0
    with backend.open() as store:
        store.reserve_idempotency_key(principal="apikey:x", key="k", digest="a" * 64)
        lines = store.audit_lines()
    assert [(line.action, line.reason) for line in lines if line.action == DOWNGRADED] == [
        (DOWNGRADED, "back to 1.4")
    ]
    code, out, err = run(capsys, "db", "downgrade", "0004", "--database-url", backend.url)
    assert (code, out) == (1, "")
    assert err.startswith("ecms-gateway: downgrading below 0005 would lose 1 idempotency key(s)")
    assert "The database is at revision 0005" in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def _counts(db: Database) -> dict[str, int]:
    with db.read() as conn:
        return {
            table: int(conn.execute(select(func.count()).select_from(text(table))).scalar_one())
            for table in ("letter", "work_item", "audit_entry", "idempotency_key")
        }
