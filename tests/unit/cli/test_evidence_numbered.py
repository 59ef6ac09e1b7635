"""The evidence says when a letter got our registry number, an outgoing one as well as a receive one:
the time of the audit entry that gave it, which the letter's row keeps only for a receive number."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.unit.cli.support import run
from tests.unit.cli.test_audit_export import life
from tests.unit.runtime.support import A, B

__all__ = ["life"]  # the module's fixture: A's letter to B, delivered, registered, notified back


@pytest.mark.parametrize(("org", "action"), [(A, "letter.accepted"), (B, "letter.register")])
def test_the_export_says_when_and_by_which_entry_the_letter_was_numbered(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], org: str, action: str
) -> None:
    out = tmp_path / "evidence"
    assert (
        run(capsys, "audit", "export", "1", "--out", str(out), "--data-dir", str(life / org / "data"))[0] == 0
    )
    registry = json.loads((out / "letter.json").read_text(encoding="utf-8"))["registry"]
    entries = [json.loads(line) for line in (out / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    [numbering] = [e for e in entries if e.get("action") == action]
    assert registry["number"] == json.loads(numbering["detail"])["registry_no"]
    assert registry["registered_by_entry"] == numbering["seq"]
    assert datetime.fromisoformat(registry["registered_at"]) == datetime.fromisoformat(numbering["at"])
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "ออกเลขเมื่อ / given at: " in readme
    assert f"(audit entry {numbering['seq']})" in readme


def test_show_says_when_our_outgoing_number_was_given(life: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, shown, _ = run(capsys, "show", "1", "--data-dir", str(life / A / "data"))
    assert code == 0
    [registry] = [line for line in shown.splitlines() if line.startswith("  registry")]
    assert registry.startswith("  registry  1/")
    assert "  given 20" in registry
