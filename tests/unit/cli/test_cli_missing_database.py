"""A data folder with no gateway database (a typo, a restore gone wrong) is refused by every command that
reads or acts on what is stored, creating nothing; the commands that may come first create it, and a
data folder that cannot be one is named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecms_gateway.cli.main import main
from tests.unit.cli.support import run

SAMPLES = Path(__file__).parents[3] / "ecms_gateway" / "samples"


@pytest.fixture(autouse=True)
def typo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data folder the environment names, which does not exist."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(tmp_path / "typo"))
    monkeypatch.delenv("ECMS_GATEWAY_CONFIG", raising=False)
    monkeypatch.delenv("ECMS_GATEWAY_DATABASE_URL", raising=False)
    return tmp_path / "typo"


READ_OR_ACT = [
    ["queue"],
    ["show", "1"],
    ["letters"],
    ["problems"],
    ["audit", "verify"],
    ["audit", "files"],
    ["audit", "files", "--json"],
    ["retry", "--dead"],
    ["register", "1"],
    ["reject", "1", "--reason", "r"],
    ["invalid", "1", "--reason", "r"],
    ["withdraw", "1"],
    ["resend", "1"],
    ["invalid-accept-id", "1", "--reason", "r"],
    ["users", "list"],
    ["users", "disable", "malee"],
    ["apikeys", "list"],
    ["apikeys", "revoke", "saraban"],
    ["webhooks", "list"],
    ["webhooks", "deliveries", "1"],
    ["webhooks", "remove", "1"],
    ["webhooks", "retry", "1"],
    ["mail", "pending"],
    ["mail", "show", "1"],
    ["mail", "dismiss", "1", "--reason", "r"],
]


@pytest.mark.parametrize("argv", READ_OR_ACT, ids=" ".join)
def test_a_command_that_reads_refuses_a_missing_database_and_creates_nothing(
    capsys: pytest.CaptureFixture[str], typo: Path, argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err.startswith(
        f"ecms-gateway: no gateway database at {typo / 'gateway.sqlite3'}: check gateway.data_dir"
    )
    assert "create one with `ecms-gateway db upgrade`" in err
    assert not typo.exists()


def test_audit_verify_of_a_missing_database_is_no_all_clear(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "audit", "verify", "--data-dir", str(tmp_path / "typo4"))
    assert (code, out) == (1, "")
    assert "intact" not in err
    assert "(or --data-dir / ECMS_GATEWAY_DATA_DIR)" in err
    assert not (tmp_path / "typo4").exists()


def test_db_upgrade_creates_the_database_and_then_queue_reads_it(
    capsys: pytest.CaptureFixture[str], typo: Path
) -> None:
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0
    assert "upgraded from revision (empty)" in out
    assert run(capsys, "queue") == (0, "nothing in the queue\n", "")
    assert run(capsys, "audit", "verify")[:2] == (0, "audit chain intact: 0 entries checked\n")


def test_send_may_be_the_first_command_on_a_new_data_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, typo: Path
) -> None:
    shutil.copy(SAMPLES / "directory.json", tmp_path / "directory.json")
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[gateway]\ndata_dir = "data"\n[[organizations]]\nid = "2099000000"\n'
        '[directory]\nfile = "directory.json"\n',
        encoding="utf-8",
    )
    letter = str(SAMPLES / "letters" / "letter-001.json")
    code, out, err = run(capsys, "send", letter, "--config", str(config))
    assert code == 0, err
    assert out.startswith("letter 1 queued")
    assert (typo / "gateway.sqlite3").is_file()  # $ECMS_GATEWAY_DATA_DIR wins over the file's data_dir


@pytest.mark.parametrize("argv", [["queue"], ["db", "upgrade"], ["users", "add", "malee", "--role", "clerk"]])
def test_a_data_folder_that_is_a_file_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: list[str]
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(tmp_path / "afile"))
    monkeypatch.setenv("ECMS_GATEWAY_PASSWORD", "a good long password")
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert f"{tmp_path / 'afile'} is a file, not a folder" in err
    assert "internal error" not in err


def test_a_data_folder_that_cannot_be_made_is_named_with_the_reason(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    folder = tmp_path / "afile" / "var"
    code, out, err = run(capsys, "db", "upgrade", "--data-dir", str(folder))
    assert (code, out) == (1, "")
    assert err == (
        f"ecms-gateway: cannot make the data folder {folder}: Not a directory; "
        "check gateway.data_dir (or --data-dir / ECMS_GATEWAY_DATA_DIR)\n"
    )


def test_run_names_a_data_folder_it_cannot_make_before_starting_anything(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ECMS_GATEWAY_DATA_DIR")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    shutil.copy(SAMPLES / "directory.json", tmp_path / "directory.json")
    assert main(["keys", "new", "--org", "2099000000", "--out", "keys"]) == 0
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[gateway]\ndata_dir = "afile/var"\n[ecms]\nnode_url = "http://127.0.0.1:9/ecms"\n'
        '[[organizations]]\nid = "2099000000"\n[directory]\nfile = "directory.json"\n'
        '[signing.keys.2099000000]\nkey = "keys/2099000000.key.pem"\ncert = "keys/2099000000.cert.pem"\n',
        encoding="utf-8",
    )
    capsys.readouterr()
    code, out, err = run_installed(capsys, "run", "--config", str(config))
    assert (code, out) == (1, "")
    assert err == (
        f"ecms-gateway: cannot make the data folder {tmp_path / 'afile' / 'var'}: Not a directory; "
        "check gateway.data_dir (or ECMS_GATEWAY_DATA_DIR)\n"
    )


def run_installed(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The installed command, with the adapters' commands (``run``)."""
    from ecms_adapters.cli import main as installed  # noqa: PLC0415 - only this test needs the adapters

    code = installed(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
