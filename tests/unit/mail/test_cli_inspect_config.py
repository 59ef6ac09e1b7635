"""``mail inspect --config``: the sending organisation is named from the configuration's directory
file, as the running gateway names it, without repeating it as ``--directory``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.cli.main import main
from tests.unit.mail import corpus
from tests.unit.mail.conftest import SAMPLES


def test_inspect_with_a_configuration_uses_its_directory_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mail = tmp_path / "letter.eml"
    mail.write_bytes(corpus.thunderbird_letter())
    config = tmp_path / "gateway.toml"
    config.write_text(f'[directory]\nfile = "{SAMPLES / "directory.json"}"\n', encoding="utf-8")
    assert main(["mail", "inspect", str(mail), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "2099100000" in out  # the From address is the sample PEO's, found in the directory
    assert "not in the directory" not in out
