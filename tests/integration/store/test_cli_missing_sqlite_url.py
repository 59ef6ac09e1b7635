"""A command given a SQLite database by URL (``ECMS_GATEWAY_DATABASE_URL``, ``gateway.database_url``)
whose file is not there names that setting to check, whichever command it is (not ``gateway.data_dir``,
which chose nothing), and makes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli.support import run

COMMANDS = (
    ("users", "list"),
    ("apikeys", "list"),
    ("webhooks", "list"),
    ("mail", "pending"),
    ("register", "1"),
    ("queue",),
)


@pytest.fixture(autouse=True)
def nothing_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ECMS_GATEWAY_CONFIG", "ECMS_GATEWAY_DATA_DIR", "ECMS_GATEWAY_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_url_in_the_environment_is_named(
    command: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "nowhere" / "gateway.sqlite3"
    monkeypatch.setenv("ECMS_GATEWAY_DATABASE_URL", f"sqlite:///{missing}")
    code, _, err = run(capsys, *command)
    assert code == 1
    assert err.strip() == (
        f"ecms-gateway: no gateway database at {missing}: check ECMS_GATEWAY_DATABASE_URL, "
        "or create one with `ecms-gateway db upgrade`"
    )
    assert not missing.parent.exists()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_url_in_the_configuration_is_named(
    command: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "gateway.sqlite3"
    config = tmp_path / "gateway.toml"
    config.write_text(f'[gateway]\ndatabase_url = "sqlite:///{missing}"\n', encoding="utf-8")
    code, _, err = run(capsys, *command, "--config", str(config))
    assert code == 1
    assert f"no gateway database at {missing}: check gateway.database_url," in err
    assert "data_dir" not in err
    assert not missing.parent.exists()
