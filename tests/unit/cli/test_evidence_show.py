"""``ecms-gateway show ID`` tells what ``audit export`` holds: the same audit entries (those that name the
letter's inbound work item or its received items too), the received items with their ProcessIDs, the
work items, and which entries a broken chain no longer proves."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.unit.cli.support import run
from tests.unit.cli.test_audit_export import life
from tests.unit.runtime.support import A, B

__all__ = ["life"]  # the module's fixture: A's letter to B, delivered, registered, notified back


def _history_seqs(shown: str) -> list[int]:
    lines = shown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("history")) + 2  # past the headers
    end = next((i for i, line in enumerate(lines[start:]) if not line.startswith("  ")), len(lines))
    return [int(line.split()[0]) for line in lines[start : start + end]]


def _exported_seqs(folder: Path) -> list[int]:
    lines = (folder / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [e["seq"] for e in map(json.loads, lines) if e["record"] == "entry"]


@pytest.mark.parametrize("org", [A, B])
def test_show_lists_every_audit_entry_the_export_writes(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], org: str
) -> None:
    data = life / org / "data"
    code, shown, _ = run(capsys, "show", "1", "--data-dir", str(data))
    assert code == 0
    out = tmp_path / "evidence"
    assert run(capsys, "audit", "export", "1", "--out", str(out), "--data-dir", str(data))[0] == 0
    assert _history_seqs(shown) == _exported_seqs(out)


def test_show_of_a_received_letter_names_its_intake_and_inbound_work(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, shown, _ = run(capsys, "show", "1", "--data-dir", str(life / B / "data"))
    assert code == 0
    assert re.search(r"inbox\.received\s+work:1", shown)
    assert re.search(r"^  1\s+inbound\s+ecms\s+done", shown, flags=re.MULTILINE)
    facts = json.loads(_export_letter_json(life / B / "data", capsys, tmp_path / "b"))
    [received] = [p for p in facts["process_ids"] if p["of"] == "received letter"]
    assert re.search(rf"^  1\s+letter\s+ecms\s+{received['process_id']}", shown, flags=re.MULTILINE)
    assert "audit chain: intact" in shown


def test_show_of_a_sent_letter_lists_the_notifiers_received_with_their_process_ids(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, shown, _ = run(capsys, "show", "1", "--data-dir", str(life / A / "data"))
    assert code == 0
    facts = json.loads(_export_letter_json(life / A / "data", capsys, tmp_path / "a"))
    for p in facts["process_ids"]:
        assert p["process_id"] in shown, p
    assert re.search(r"inbox\.received\s+inbox:1", shown)


def test_show_marks_the_entries_a_broken_chain_no_longer_proves(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(life / B / "data", data)
    with sqlite3.connect(data / "gateway.sqlite3") as db:
        db.execute("UPDATE audit_entry SET actor = 'clerk:someone-else' WHERE seq = 4")
    code, shown, _ = run(capsys, "show", "1", "--data-dir", str(data))
    assert code == 0
    marked = {int(m.group(1)) for m in re.finditer(r"^  (\d+)  .*NOT PROVEN$", shown, flags=re.MULTILINE)}
    assert marked == set(range(4, max(_history_seqs(shown)) + 1))
    assert "audit chain: BROKEN at entry 4" in shown


def _export_letter_json(data: Path, capsys: pytest.CaptureFixture[str], out: Path) -> str:
    if not out.exists():
        assert run(capsys, "audit", "export", "1", "--out", str(out), "--data-dir", str(data))[0] == 0
    return (out / "letter.json").read_text(encoding="utf-8")
