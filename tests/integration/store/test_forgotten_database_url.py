"""A data folder shared with a gateway on PostgreSQL remembers that database (without its password): a
command run there without ``ECMS_GATEWAY_DATABASE_URL`` is refused with that sentence instead of making
a second, empty SQLite store in the folder, where a letter sent would never leave."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_support import new_pg_database

from ecms_gateway.store import throwaway_pg
from tests.unit.cli.support import run

pytestmark = pytest.mark.postgres


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("ECMS_GATEWAY_CONFIG", "ECMS_GATEWAY_DATABASE_URL", "ECMS_GATEWAY_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "var"
    data.mkdir()
    return data


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "upgrade"],
        ["queue"],
        ["users", "add", "malee", "--role", "clerk"],
        ["apikeys", "new", "x", "--role", "clerk"],
    ],
    ids=" ".join,
)
def test_a_command_without_the_database_url_is_refused_in_a_postgresql_data_folder(
    pg_cluster: throwaway_pg.Cluster,
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    url = new_pg_database(pg_cluster).replace("postgres@", "postgres:secret-pw@")
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(folder))
    assert run(capsys, "queue", "--database-url", url)[0] == 0
    monkeypatch.setenv("ECMS_GATEWAY_PASSWORD", "long-enough-password")
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err.startswith(f"ecms-gateway: the data folder {folder} belongs to a gateway whose database is ")
    assert "postgresql+psycopg://postgres:***@127.0.0.1:" in err
    assert "set ECMS_GATEWAY_DATABASE_URL" in err
    assert "secret-pw" not in err
    assert not (folder / "gateway.sqlite3").exists()


def test_a_sqlite_data_folder_is_not_marked_and_works_as_before(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "db", "upgrade", "--data-dir", str(folder))[0] == 0
    assert run(capsys, "queue", "--data-dir", str(folder)) == (0, "nothing in the queue\n", "")
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".txt")) == []


def test_a_database_url_left_in_the_environment_does_not_take_over_a_sqlite_data_folder(
    pg_cluster: throwaway_pg.Cluster,
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A URL in the shell meant for another gateway: the SQLite gateway's folder is refused, not marked
    as PostgreSQL's (which would then refuse that gateway and every command on it)."""
    assert run(capsys, "db", "upgrade", "--data-dir", str(folder))[0] == 0
    url = new_pg_database(pg_cluster).replace("postgres@", "postgres:secret-pw@")
    monkeypatch.setenv("ECMS_GATEWAY_DATABASE_URL", url)
    for argv in (["queue"], ["db", "upgrade"], ["letters"]):
        code, out, err = run(capsys, *argv, "--data-dir", str(folder))
        assert (code, out) == (1, ""), argv
        said = f"ecms-gateway: the data folder {folder} holds a gateway's SQLite database"
        assert err.startswith(said), err
        assert "unset ECMS_GATEWAY_DATABASE_URL" in err
        assert "secret-pw" not in err
    assert not (folder / "database-server.txt").exists()
    monkeypatch.delenv("ECMS_GATEWAY_DATABASE_URL")
    assert run(capsys, "queue", "--data-dir", str(folder)) == (0, "nothing in the queue\n", "")
