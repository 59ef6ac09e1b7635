"""A refusal about the database names what the user gives it by: the store commands' ``--database-url``
when they take one, else ``ECMS_GATEWAY_DATABASE_URL`` or ``gateway.database_url``, whichever was used."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli.support import run

POSTGRES = "postgresql+psycopg://gateway@db.example/ecms"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("ECMS_GATEWAY_CONFIG", "ECMS_GATEWAY_DATA_DIR", "ECMS_GATEWAY_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def postgresql_folder(tmp_path: Path) -> Path:
    """A data folder a gateway on PostgreSQL uses (as it marks it)."""
    folder = tmp_path / "pg-data"
    folder.mkdir()
    (folder / "database-server.txt").write_text(POSTGRES + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "argv", [["queue"], ["show", "1"], ["letters"], ["audit", "verify"], ["db", "upgrade"]], ids=" ".join
)
def test_a_store_command_on_a_postgresql_folder_without_its_url_names_database_url(
    postgresql_folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv, "--data-dir", str(postgresql_folder))
    assert (code, out) == (1, "")
    assert err.startswith(
        f"ecms-gateway: the data folder {postgresql_folder} belongs to a gateway whose database is {POSTGRES}"
    )
    said = ": give --database-url (or set ECMS_GATEWAY_DATABASE_URL or gateway.database_url) as the gateway"
    assert f"{said} has it" in err
    assert not (postgresql_folder / "gateway.sqlite3").exists()


def test_a_command_without_database_url_names_only_what_it_takes(
    postgresql_folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(postgresql_folder))
    code, out, err = run(capsys, "users", "list")
    assert (code, out) == (1, "")
    assert ": set ECMS_GATEWAY_DATABASE_URL (or gateway.database_url) as the gateway has it" in err
    assert "--database-url" not in err


def test_a_sqlite_database_url_with_no_database_there_names_database_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "queue", "--database-url", "sqlite:///x")
    assert (code, out) == (1, "")
    assert err == (
        "ecms-gateway: no gateway database at x: check --database-url, or create one with "
        "`ecms-gateway db upgrade`\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_sqlite_url_from_the_environment_or_the_configuration_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('[gateway]\ndatabase_url = "sqlite:///from-config.sqlite3"\n', encoding="utf-8")
    code, _, err = run(capsys, "show", "1", "--config", str(config))
    assert code == 1
    assert err.startswith(
        "ecms-gateway: no gateway database at from-config.sqlite3: check gateway.database_url,"
    )
    monkeypatch.setenv("ECMS_GATEWAY_DATABASE_URL", "sqlite:///from-env.sqlite3")
    code, _, err = run(capsys, "audit", "verify", "--config", str(config))
    assert code == 1
    assert err.startswith(
        "ecms-gateway: no gateway database at from-env.sqlite3: check ECMS_GATEWAY_DATABASE_URL,"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gateway.toml"]
