"""Commands that may make a new store (``users add``, ``apikeys new``, ``webhooks add``, ``send``) make
none when nothing says where the gateway keeps its data: no ``--config``, no ``$ECMS_GATEWAY_CONFIG``,
``$ECMS_GATEWAY_DATA_DIR`` or ``$ECMS_GATEWAY_DATABASE_URL``. An operator who forgot ``--config`` would
otherwise add a user or a webhook to a new ./var that no gateway reads and be told it worked. The
commands that only read say the same when they find no store there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli.support import run

NOTHING_GIVEN = (
    "check --config FILE (none was given, nor ECMS_GATEWAY_CONFIG, ECMS_GATEWAY_DATA_DIR or "
    "ECMS_GATEWAY_DATABASE_URL, so the command looked in ./var), or create one with `ecms-gateway db upgrade`"
)


@pytest.fixture(autouse=True)
def here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("ECMS_GATEWAY_CONFIG", "ECMS_GATEWAY_DATA_DIR", "ECMS_GATEWAY_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ECMS_GATEWAY_PASSWORD", "a good long password")
    monkeypatch.chdir(tmp_path)
    return tmp_path


FIRST_COMMANDS = [
    ["users", "add", "malee", "--role", "clerk"],
    ["apikeys", "new", "saraban-system", "--role", "clerk"],
    ["webhooks", "add", "https://saraban.example.go.th/hook"],
]


@pytest.mark.parametrize("argv", FIRST_COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_without_any_location_a_first_command_makes_no_store_and_says_to_give_the_configuration(
    argv: list[str], capsys: pytest.CaptureFixture[str], here: Path
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert (
        err == f"ecms-gateway: no gateway database at {here / 'var' / 'gateway.sqlite3'}: {NOTHING_GIVEN}\n"
    )
    assert not (here / "var").exists()


@pytest.mark.parametrize("argv", FIRST_COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_after_db_upgrade_in_var_the_same_command_works_there(
    argv: list[str], capsys: pytest.CaptureFixture[str], here: Path
) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0
    assert (here / "var" / "gateway.sqlite3").is_file()
    code, _, err = run(capsys, *argv)
    assert code == 0
    assert "gateway database" not in err


@pytest.mark.parametrize("variable", ["ECMS_GATEWAY_DATA_DIR", "ECMS_GATEWAY_CONFIG"])
def test_a_location_from_the_environment_lets_a_first_command_make_the_store(
    variable: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, here: Path
) -> None:
    if variable == "ECMS_GATEWAY_CONFIG":
        config = here / "gateway.toml"
        config.write_text('[gateway]\ndata_dir = "office-data"\n', encoding="utf-8")
        monkeypatch.setenv(variable, str(config))
        made = here / "office-data" / "gateway.sqlite3"
    else:
        monkeypatch.setenv(variable, str(here / "office-data"))
        made = here / "office-data" / "gateway.sqlite3"
    code, out, err = run(capsys, "webhooks", "add", "https://saraban.example.go.th/hook")
    assert (code, err) == (0, "")
    assert out.startswith("webhook 1 added: https://saraban.example.go.th/hook")
    assert made.is_file()
    assert not (here / "var").exists()


@pytest.mark.parametrize(
    "argv", [["queue"], ["show", "1"], ["letters"], ["audit", "verify"], ["audit", "files"]], ids=" ".join
)
def test_a_reading_command_without_any_location_says_that_no_configuration_was_given(
    argv: list[str], capsys: pytest.CaptureFixture[str], here: Path
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert (
        err == f"ecms-gateway: no gateway database at {here / 'var' / 'gateway.sqlite3'}: {NOTHING_GIVEN}\n"
    )
    assert not (here / "var").exists()


def test_a_reading_command_given_a_data_folder_names_where_it_looked(
    capsys: pytest.CaptureFixture[str], here: Path
) -> None:
    code, _, err = run(capsys, "queue", "--data-dir", str(here / "typo"))
    assert code == 1
    assert "check gateway.data_dir (or --data-dir / ECMS_GATEWAY_DATA_DIR)" in err


def test_poll_now_with_no_gateway_running_refuses_on_standard_error(
    capsys: pytest.CaptureFixture[str], here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refusal like the other commands': the prefix, standard error, exit 1, and what to check."""
    assert run(capsys, "poll-now") == (
        1,
        "",
        "ecms-gateway: no gateway runs on var; start it with `ecms-gateway run`, or check --config FILE "
        "(none was given, nor ECMS_GATEWAY_CONFIG, ECMS_GATEWAY_DATA_DIR or ECMS_GATEWAY_DATABASE_URL, so "
        "the command looked in ./var)\n",
    )
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(here / "data"))
    assert run(capsys, "poll-now") == (
        1,
        "",
        f"ecms-gateway: no gateway runs on {here / 'data'}; start it with `ecms-gateway run`, or check "
        "gateway.data_dir (or ECMS_GATEWAY_DATA_DIR)\n",
    )
