"""What `ecms-gateway send` tells the clerk about a letter for an agency without an e-CMS node."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecms_gateway.cli.main import main

A = "2099000000"
MAIL = (
    '[mail]\naddress = "saraban@a.example.go.th"\n'
    '[mail.smtp]\nhost = "127.0.0.1"\nport = 2525\ntls = "none"\n'
)


def _send(tmp_path: Path, samples: Path, extra: str, capsys: pytest.CaptureFixture[str]) -> str:
    shutil.copy(samples.parent / "directory.json", tmp_path / "directory.json")
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[gateway]\ndata_dir = "data"\n[[organizations]]\nid = "{A}"\n'
        f'[directory]\nfile = "directory.json"\n{extra}',
        encoding="utf-8",
    )
    # letter 002 goes to 2199000000, which the sample directory lists with a mailbox and no node
    assert main(["send", str(samples / "letter-002.json"), "--config", str(config)]) == 0
    return capsys.readouterr().out


def test_without_a_mail_channel_the_clerk_is_told_the_letter_waits_and_why(
    tmp_path: Path, samples: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ECMS_GATEWAY_DATA_DIR", raising=False)
    out = _send(tmp_path, samples, "", capsys)
    assert "accepted but it waits" in out
    assert "no saraban mail channel is configured" in out


def test_with_a_mail_channel_the_clerk_is_told_it_goes_by_mail(
    tmp_path: Path, samples: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ECMS_GATEWAY_DATA_DIR", raising=False)
    out = _send(tmp_path, samples, MAIL, capsys)
    assert "by saraban mail" in out
    assert "waits" not in out
