"""Upgrading an installation: `db upgrade` refuses while a gateway runs on the data folder (its old
code would go on working on the new tables, sending without archiving) or, on PostgreSQL, while a
gateway or node process is connected to the database; other sessions are named in a warning. A
database a newer gateway migrated is refused in words naming both revisions (by `run` and every
command, and by `db upgrade`) instead of an internal error."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url, text
from store_support import Backend, new_pg_database

from ecms_gateway.cli import main as cli
from ecms_gateway.errors import SchemaNewer
from ecms_gateway.runtime.control import PID_FILE
from ecms_gateway.store import Database, prepare, throwaway_pg, upgrade
from ecms_gateway.store.migrate import current_revision, head_revision
from tests.unit.cli.support import run

# A stand-in for `ecms-gateway run` (its command line names the package and "run"); it only waits.
GATEWAY_LIKE = "import sys, time; print('ecms_gateway ready', flush=True); time.sleep(120)"


@pytest.fixture(autouse=True)
def only_store_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecms_gateway.cli.store_cmds",))


@pytest.fixture
def gateway_running(backend: Backend) -> Iterator[int]:
    """A gateway-like process named by the data folder's pid file."""
    process = subprocess.Popen([sys.executable, "-c", GATEWAY_LIKE, "run"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip().endswith("ready")
        backend.data_dir.mkdir(parents=True, exist_ok=True)
        (backend.data_dir / PID_FILE).write_text(f"{process.pid}\n", encoding="ascii")
        yield process.pid
    finally:
        process.kill()
        process.communicate()


def _at(backend: Backend, revision: str) -> None:
    """The backend's database with every table of this version, recorded as at ``revision``."""
    db = Database(backend.url)
    try:
        upgrade(db)
        with db.write() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": revision})
    finally:
        db.dispose()


def _revision(backend: Backend) -> str | None:
    db = Database(backend.url)
    try:
        with db.read() as conn:
            return current_revision(conn)
    finally:
        db.dispose()


def _where(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    if backend.name == "sqlite":
        return ("--data-dir", str(backend.data_dir))
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(backend.data_dir))
    return ("--database-url", backend.url)


def test_db_upgrade_refuses_while_a_gateway_runs_on_the_data_folder(
    backend: Backend,
    gateway_running: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _at(backend, "0008")
    code, out, err = run(capsys, "db", "upgrade", *_where(backend, monkeypatch))
    assert code == 1, out
    assert f"a gateway runs on {backend.data_dir} (process {gateway_running})" in err
    assert "then run `ecms-gateway db upgrade` again" in err
    assert _revision(backend) == "0008"  # nothing migrated under it


def test_db_upgrade_of_a_database_at_this_version_does_not_mind_a_running_gateway(
    backend: Backend,
    gateway_running: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _at(backend, head_revision())
    code, out, _ = run(capsys, "db", "upgrade", *_where(backend, monkeypatch))
    assert code == 0
    assert f"is already at revision {head_revision()}" in out


def _connect(url: str, application_name: str) -> psycopg.Connection[tuple[object, ...]]:
    where = make_url(url)
    return psycopg.connect(
        host=where.host,
        port=where.port,
        user=where.username,
        dbname=where.database,
        application_name=application_name,
    )


@pytest.mark.postgres
def test_db_upgrade_on_postgresql_warns_of_other_sessions_and_migrates(
    pg_cluster: throwaway_pg.Cluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A console or a monitoring session is not a gateway at work: it is named, and the upgrade goes on."""
    url = new_pg_database(pg_cluster)
    backend = Backend("postgres", url, tmp_path / "data")
    _at(backend, "0008")
    other = _connect(url, "psql")
    try:
        code, out, err = run(capsys, "db", "upgrade", *_where(backend, monkeypatch))
    finally:
        other.close()
    assert code == 0, err
    assert f"upgraded from revision 0008 to {head_revision()}" in out
    assert "warning: 1 other session(s) are connected to this database ('psql' from 127.0.0.1, " in err
    assert "stop every gateway process, on every machine" in err


@pytest.mark.postgres
@pytest.mark.parametrize("role", ["run", "node"])
def test_db_upgrade_on_postgresql_refuses_while_a_gateway_or_node_is_connected(
    role: str,
    pg_cluster: throwaway_pg.Cluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A gateway process on another machine (named by its session) would go on working on the new tables."""
    url = new_pg_database(pg_cluster)
    backend = Backend("postgres", url, tmp_path / "data")
    _at(backend, "0008")
    gateway, console = _connect(url, f"ecms-gateway {role} host-b:4242"), _connect(url, "psql")
    try:
        code, out, err = run(capsys, "db", "upgrade", *_where(backend, monkeypatch))
    finally:
        gateway.close()
        console.close()
    assert code == 1, out
    assert err.startswith(
        f"ecms-gateway: gateway processes are connected to this database ('ecms-gateway {role} host-b:4242' "
        "from 127.0.0.1, connected since "
    ), err
    assert "psql" not in err  # only what stands in the way
    assert _revision(backend) == "0008"


def test_a_database_a_newer_gateway_migrated_is_refused_naming_both_revisions(
    backend: Backend, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _at(backend, "0099")
    db = Database(backend.url)
    try:
        with pytest.raises(
            SchemaNewer,
            match=f"at revision 0099, newer than this gateway knows \\(up to {head_revision()}\\)",
        ):
            prepare(db)
        with pytest.raises(
            SchemaNewer, match="restore the backup taken before its `ecms-gateway db upgrade`"
        ):
            upgrade(db)
    finally:
        db.dispose()
    code, _, err = run(capsys, "db", "upgrade", *_where(backend, monkeypatch))
    assert code == 1
    assert "internal error" not in err
    assert "a newer version of the gateway upgraded it" in err
    assert _revision(backend) == "0099"
