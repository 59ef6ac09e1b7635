"""After a break in the audit chain, the evidence says which of the letter's facts no longer carry the
chain's proof: a ProcessID read from an entry at or after the break (a worker's note anyone could have
rewritten), the time a number was given, the entry that put the letter in its state."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.unit.cli.support import run
from tests.unit.cli.test_audit_export import life
from tests.unit.runtime.support import A

__all__ = ["life"]  # the module's fixture: A's letter to B, delivered, registered, notified back


def _export_with(life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], sql: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(life / A / "data", data)
    with sqlite3.connect(data / "gateway.sqlite3") as db:
        db.execute(sql)
    out = tmp_path / "evidence"
    code, _, stderr = run(capsys, "audit", "export", "1", "--out", str(out), "--data-dir", str(data))
    assert code == 1
    assert "audit chain broken" in stderr
    return out


def _facts(out: Path) -> dict[str, Any]:
    facts: dict[str, Any] = json.loads((out / "letter.json").read_text(encoding="utf-8"))
    return facts


def test_a_process_id_from_a_rewritten_note_is_not_proven_by_the_chain(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _export_with(
        life,
        tmp_path,
        capsys,
        "UPDATE audit_entry SET reason = 'ProcessID forged' WHERE action = 'letter.sent'",
    )
    facts = _facts(out)
    [sent] = [p for p in facts["process_ids"] if "work_id" in p]
    assert sent["process_id"] == "forged"
    assert sent["proven_by_chain"] is False
    entries = [json.loads(line) for line in (out / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    first_bad = entries[-1]["first_bad_seq"]
    assert sent["audit_entry"] == first_bad
    for received in (p for p in facts["process_ids"] if "inbox_id" in p):
        assert received["audit_entry"] > first_bad
        assert received["proven_by_chain"] is False
    assert facts["registry"]["registered_by_entry"] < first_bad
    assert facts["registry"]["registered_at_proven_by_chain"] is True


def test_only_the_facts_at_or_after_the_break_lose_the_chains_proof(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _export_with(
        life,
        tmp_path,
        capsys,
        "UPDATE audit_entry SET actor = 'poller:someone' WHERE action = 'letter.accept_notified'",
    )
    proof = {p["of"]: p["proven_by_chain"] for p in _facts(out)["process_ids"]}
    assert proof == {"received notifier receive": True, "received notifier accept": True, "sent send": True}
    readme = (out / "README.txt").read_text(encoding="utf-8")
    state = readme.split("สถานะ / state:", 1)[1].split("\n\n", 1)[0]
    assert "NOT PROVEN" in state  # the entry that made it "accepted" is the rewritten one


def test_an_intact_chain_proves_every_process_id(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    assert (
        run(capsys, "audit", "export", "1", "--out", str(out), "--data-dir", str(life / A / "data"))[0] == 0
    )
    facts = _facts(out)
    assert [p["proven_by_chain"] for p in facts["process_ids"]] == [True, True, True]
    assert all(p["audit_entry"] is not None for p in facts["process_ids"])
    assert "NOT PROVEN" not in (out / "README.txt").read_text(encoding="utf-8")
