"""A command run as another user than the one its data folder belongs to (root, on the folder of a gateway
that runs as its own user) is refused in one sentence before it writes anything: the store writes its
files for its owner only, so what it wrote there would stop the gateway."""

from __future__ import annotations

import os
import pwd
import shutil
from pathlib import Path

import pytest

from ecms_gateway.cli.stores import check_owner, make_data_folders
from ecms_gateway.errors import ConfigError
from tests.unit.cli.support import run

NOBODY = 65534
LETTERS = Path(__file__).parents[3] / "ecms_gateway" / "samples" / "letters"


def _name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def test_a_folder_of_another_user_is_refused_naming_both_users_and_what_to_run(tmp_path: Path) -> None:
    owner = tmp_path.stat().st_uid
    other = owner + 1
    with pytest.raises(ConfigError) as raised:
        check_owner(tmp_path, uid=other)
    assert str(raised.value) == (
        f"the data folder {tmp_path} belongs to user {_name(owner)}, but this command runs as "
        f"{_name(other)}: run it as {_name(owner)} (sudo -u {_name(owner)} ecms-gateway ...), or give "
        f"the folder to {_name(other)} (chown -R {_name(other)} {tmp_path}) if the gateway is to run as "
        f"{_name(other)}"
    )


def test_a_folder_of_this_user_or_none_yet_is_taken(tmp_path: Path) -> None:
    check_owner(tmp_path, uid=tmp_path.stat().st_uid)
    check_owner(tmp_path / "not-yet", uid=tmp_path.stat().st_uid + 1)


root_only = pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")


@pytest.fixture
def nobodys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A gateway data folder with its database, then given to user 65534, as a service user's would be."""
    monkeypatch.chdir(tmp_path)
    for name in ("ECMS_GATEWAY_DATA_DIR", "ECMS_GATEWAY_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "gateway.toml"
    config.write_text(f'[directory]\nfile = "{LETTERS.parent / "directory.json"}"\n', encoding="utf-8")
    monkeypatch.setenv("ECMS_GATEWAY_CONFIG", str(config))
    data = tmp_path / "var"
    assert run(capsys, "db", "upgrade")[0] == 0
    for path in (data, *data.rglob("*")):
        os.chown(path, NOBODY, NOBODY)
    return data


@root_only
@pytest.mark.parametrize(
    "argv",
    [["users", "list"], ["queue"], ["db", "upgrade"], ["send", "letters/letter-001.json"], ["register", "1"]],
    ids=" ".join,
)
def test_root_on_a_service_users_data_folder_is_refused_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], nobodys: Path, argv: list[str]
) -> None:
    shutil.copytree(LETTERS, nobodys.parent / "letters")
    before = sorted((p.name, p.stat().st_uid) for p in nobodys.rglob("*"))
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err == (
        f"ecms-gateway: the data folder {nobodys} belongs to user {_name(NOBODY)}, but this command runs "
        f"as root: run it as {_name(NOBODY)} (sudo -u {_name(NOBODY)} ecms-gateway ...), or give the folder "
        f"to root (chown -R root {nobodys}) if the gateway is to run as root\n"
    )
    assert sorted((p.name, p.stat().st_uid) for p in nobodys.rglob("*")) == before


@root_only
def test_run_on_a_service_users_data_folder_is_refused_before_it_starts(nobodys: Path) -> None:
    with pytest.raises(ConfigError, match=f"belongs to user {_name(NOBODY)}, but this command runs as root"):
        make_data_folders(data_dir=nobodys)
