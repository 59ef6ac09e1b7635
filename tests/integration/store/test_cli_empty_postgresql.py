"""A command that only reads or acts on the store refuses a PostgreSQL database without the gateway's
tables, as it refuses a missing SQLite file, and makes none there: `audit verify` on a database a restore
never reached must not say "intact" and turn it into an empty gateway. `db upgrade` still makes them."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from ecms_gateway.store import throwaway_pg
from tests.unit.cli.support import run

pytestmark = pytest.mark.postgres


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("ECMS_GATEWAY_CONFIG", "ECMS_GATEWAY_DATABASE_URL", "ECMS_GATEWAY_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "restored"


def _tables(url: str) -> list[str]:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return [str(row[0]) for row in rows]


@pytest.mark.parametrize(
    "argv", [["audit", "verify"], ["audit", "files"], ["queue"], ["letters"]], ids=" ".join
)
def test_a_store_command_refuses_an_empty_postgresql_database_and_makes_nothing(
    pg_cluster: throwaway_pg.Cluster, folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    url = pg_cluster.create_database(f"empty_{argv[-1]}")
    code, out, err = run(capsys, *argv, "--database-url", url, "--data-dir", str(folder))
    assert (code, out) == (1, "")
    assert err.startswith("ecms-gateway: no gateway database at postgresql+psycopg://")
    assert "it has none of the gateway's tables; check --database-url, or create them with " in err
    assert _tables(url) == []
    assert not (folder / "database-server.txt").exists()


def test_the_variable_is_named_when_it_gave_the_url(
    pg_cluster: throwaway_pg.Cluster,
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = pg_cluster.create_database("empty_users")
    monkeypatch.setenv("ECMS_GATEWAY_DATABASE_URL", url)
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(folder))
    code, _, err = run(capsys, "users", "list")
    assert code == 1
    assert "check ECMS_GATEWAY_DATABASE_URL, or create them with `ecms-gateway db upgrade`" in err
    assert _tables(url) == []


def test_db_upgrade_makes_the_tables_and_the_commands_then_work(
    pg_cluster: throwaway_pg.Cluster, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_cluster.create_database("empty_upgraded")
    where = ["--database-url", url, "--data-dir", str(folder)]
    assert run(capsys, "db", "upgrade", *where)[0] == 0
    code, out, _ = run(capsys, "audit", "verify", *where)
    assert (code, out.strip()) == (0, "audit chain intact: 0 entries checked")
