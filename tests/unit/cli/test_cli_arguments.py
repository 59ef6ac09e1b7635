"""Arguments no store can hold and names no channel has are usage errors (exit 2) that say what is
allowed; ``keys new`` writes into ./keys when no --out is given, as the hints that suggest it expect."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.cli.main import main
from tests.unit.cli.support import run


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("ECMS_GATEWAY_CONFIG", raising=False)
    monkeypatch.delenv("ECMS_GATEWAY_DATABASE_URL", raising=False)
    assert main(["db", "upgrade"]) == 0
    return tmp_path / "var"


@pytest.mark.parametrize(
    "argv",
    [
        ["register", "99999999999999999999"],
        ["show", "99999999999999999999"],
        ["retry", "2147483648"],
        ["webhooks", "deliveries", "99999999999999999999"],
        ["mail", "show", "99999999999999999999"],
        ["reject", "0", "--reason", "r"],
    ],
)
def test_an_id_out_of_the_stores_range_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert "is out of range: an ID must be from 1 to 2147483647" in err
    assert "internal error" not in err


def test_ids_in_range_still_reach_the_store(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "show", "2147483647")
    assert code == 1
    assert "there is no letter 2147483647" in err


@pytest.mark.parametrize(
    "argv",
    [["queue", "--channel", "zzz"], ["retry", "--dead", "--channel", "bogus"]],
)
def test_an_unknown_channel_is_refused_with_the_known_ones(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert "invalid choice" in err
    assert "(choose from 'ecms', 'mail')" in err


def test_a_known_channel_still_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "queue", "--channel", "mail") == (0, "nothing in the queue\n", "")


def test_webhook_deliveries_limit_is_bounded_like_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "webhooks", "deliveries", "1", "--limit", "99999999999999999999")
    assert code == 2
    assert "the limit must be from 1 to 500" in err


def test_keys_new_without_out_writes_into_keys(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`run` suggests `ecms-gateway keys new --org ORG` when a key is missing: that works as written."""
    code, out, err = run(capsys, "keys", "new", "--org", "2099000000")
    assert (code, err) == (0, "")
    assert (tmp_path / "keys" / "2099000000.key.pem").is_file()
    assert f"certificate: {Path('keys') / '2099000000.cert.pem'}" in out


def test_keys_new_help_names_the_default_folder(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "keys", "new", "--help")
    assert code == 0
    assert "(default keys)" in " ".join(out.split())


def test_keys_new_refuses_a_validity_no_certificate_can_have(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "keys", "new", "--org", "2099000000", "--days", "99999999")
    assert code == 2
    assert "the validity in days must be from 1 to 36500" in err


@pytest.mark.parametrize("argv", [["send"], ["resend", "1", "--letter"]], ids=["send", "resend --letter"])
def test_a_letter_file_that_is_not_there_is_a_usage_error_naming_the_path_given(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gone = tmp_path / "nowhere" / "letter.json"
    code, out, err = run(capsys, *argv, str(gone))
    assert (code, out, err) == (2, "", f"ecms-gateway: {gone}: no such file; check the path\n")
    code, _, err = run(capsys, *argv, str(tmp_path))
    assert (code, err) == (
        2,
        f"ecms-gateway: {tmp_path}: is a folder; name the files in it (e.g. {tmp_path / '*.json'})\n",
    )
