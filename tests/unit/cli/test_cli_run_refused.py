"""``ecms-gateway run`` checks the whole configuration before it makes anything: a configuration that
cannot run a gateway is one line naming its keys, exit 1, and leaves no data folder (nor pid file) behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from ecms_adapters.cli import main as installed


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("ECMS_GATEWAY_CONFIG", "ECMS_GATEWAY_DATA_DIR", "ECMS_GATEWAY_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], config: Path) -> tuple[int, str, str]:
    code = installed(["run", "--config", str(config)])
    out, err = capsys.readouterr()
    return code, out, err


def test_run_without_organizations_makes_no_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('[gateway]\ndata_dir = "data"\n', encoding="utf-8")
    code, out, err = _run(capsys, config)
    assert (code, out) == (1, "")
    assert err == (
        "ecms-gateway: the gateway cannot start: organizations: no organisation is configured; add an "
        "[[organizations]] section with the 10-digit id of each organisation this gateway serves\n"
    )
    assert not (tmp_path / "data").exists()


def test_run_with_an_organisation_that_has_no_node_or_key_names_each_key_and_makes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "gateway.toml"
    toml = '[gateway]\ndata_dir = "data"\n[[organizations]]\nid = "2099000000"\n'
    config.write_text(toml, encoding="utf-8")
    code, out, err = _run(capsys, config)
    assert (code, out) == (1, "")
    assert len(err.splitlines()) == 1
    assert err.startswith("ecms-gateway: the gateway cannot start: organizations[0].node_url: ")
    assert "; signing.keys.2099000000: organisation 2099000000 sends letters and needs a signing key" in err
    assert list(tmp_path.iterdir()) == [config]
