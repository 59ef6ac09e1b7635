"""``users`` and ``apikeys`` commands on a real SQLite store: passwords never on the command line, the
token printed once, clear errors for mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.access import Role
from ecms_gateway.engine import Store
from tests.unit.cli.support import run


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("ECMS_GATEWAY_CONFIG", raising=False)
    monkeypatch.delenv("ECMS_GATEWAY_PASSWORD", raising=False)
    return tmp_path / "var"


def test_add_user_from_password_file_then_sign_in(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a good long password\n", encoding="utf-8")
    code, out, err = run(
        capsys,
        "users",
        "add",
        "Malee",
        "--role",
        "clerk",
        "--display-name",
        "มาลี",
        "--password-file",
        str(secret),
    )
    assert (code, out, err) == (0, "user malee added (clerk)\n", "")
    with Store(data_dir=data_dir) as store:
        assert store.access.login("malee", "a good long password").principal.role is Role.CLERK
    code, out, _ = run(capsys, "users", "list")
    assert code == 0
    assert "malee" in out
    assert "มาลี" in out


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read a password from {path}: No such file or directory"),
        (b"", "no password in {path}: its first line is empty; write the password there"),
        (b"\nsecond line", "no password in {path}: its first line is empty; write the password there"),
        (b"\xff\xfe password", "cannot read a password from {path}: it is not UTF-8 text"),
    ],
    ids=["missing", "empty", "blank first line", "not UTF-8"],
)
def test_a_password_file_that_gives_no_password_is_one_sentence_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "pw"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "users", "add", "malee", "--role", "clerk", "--password-file", str(path))
    assert (code, out) == (1, "")
    assert err == f"ecms-gateway: {reason.format(path=path)}\n"


def test_password_from_environment_and_refusals_are_one_clear_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "users", "add", "somchai", "--role", "clerk")
    assert code == 1
    assert err == "ecms-gateway: no password given: use --password-file FILE or set $ECMS_GATEWAY_PASSWORD\n"
    monkeypatch.setenv("ECMS_GATEWAY_PASSWORD", "short")
    code, _, err = run(capsys, "users", "add", "somchai", "--role", "clerk")
    assert (code, err) == (1, "ecms-gateway: the password is too short: use at least 10 characters\n")
    monkeypatch.setenv("ECMS_GATEWAY_PASSWORD", "long enough now")
    assert run(capsys, "users", "add", "somchai", "--role", "operator")[0] == 0
    code, out, _ = run(capsys, "users", "disable", "somchai")
    assert code == 0
    assert "disabled" in out
    code, _, err = run(capsys, "users", "disable", "nobody")
    assert code == 1
    assert "users list" in err


def test_api_key_token_is_printed_once_and_works_until_revoked(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(capsys, "apikeys", "new", "saraban-system", "--role", "clerk")
    assert code == 0
    token = out.strip()
    assert token.startswith("egw_")
    assert "shown only now" in err
    with Store(data_dir=data_dir) as store:
        assert store.access.authenticate_api_key(token).name == "saraban-system"
    code, out, _ = run(capsys, "apikeys", "list")
    assert code == 0
    assert token not in out
    assert token[:12] in out  # the prefix identifies it
    assert run(capsys, "apikeys", "revoke", "saraban-system")[0] == 0
    assert "revoked" in run(capsys, "apikeys", "list")[1]


def test_unknown_role_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "apikeys", "new", "x", "--role", "boss")
    assert code == 2
    assert "invalid choice: 'boss'" in err
