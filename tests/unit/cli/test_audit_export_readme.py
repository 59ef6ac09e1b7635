"""README.txt of ``ecms-gateway audit export`` tells a Thai auditor the letter's story without a tool:
the receive number and when it was given, the resend chain, who did what when, in Thai time and UTC.

The life is real: A's letter is rejected by B, withdrawn and sent again corrected, and B registers
the new letter; both stores are SQLite.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ecms_gateway.engine import Direction, LetterState, WorkKind
from ecms_gateway.letter.thai import THAI_TIME, format_thai_date
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk
from tests.unit.cli.support import run
from tests.unit.runtime.support import ORGS, A, B, agencies, gateway, letter, routing, running, until

REASON = "ขาดสิ่งที่ส่งมาด้วย"


@pytest.fixture(scope="module")
def resent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A's letter 1 rejected by B, withdrawn, sent again as letter 2 and registered at B."""
    root = tmp_path_factory.mktemp("resent")
    orgs = agencies(root)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    first = clerk.submit(
        a.store, letter(1), routing=routing(), secrecy=clerk.SecrecyPolicy(), actor="clerk:a"
    )
    key = letter(1).letter

    def inbound(state: LetterState) -> Any:
        found = b.store.find_letter(direction=Direction.IN, book_no=key.book_no, letter_date=key.date)
        return found if found is not None and found.state is state else None

    async def refuse() -> None:
        rejected = await until("received at B", lambda: inbound(LetterState.RECEIVED))
        clerk.reject(b.store, rejected.id, reason=REASON, actor="clerk:b")
        await until(
            "rejected at A", lambda: a.store.show(first.letter_id).letter.state is LetterState.REJECTED
        )
        clerk.withdraw(a.store, first.letter_id, actor="clerk:a")
        await until(
            "withdrawn at the node",
            lambda: any(
                x.kind is WorkKind.WITHDRAW and x.outcome == "done"
                for x in a.store.show(first.letter_id).attempts
            ),
        )
        again = clerk.resend(
            a.store,
            first.letter_id,
            routing=routing(),
            secrecy=clerk.SecrecyPolicy(),
            actor="clerk:a",
            corrected=letter(1, subject="แก้ไขแล้ว"),
        )
        arrived = await until("the new letter at B", lambda: inbound(LetterState.RECEIVED))
        clerk.register(b.store, arrived.id, actor="clerk:b")
        await until(
            "accepted at A", lambda: a.store.show(again.letter_id).letter.state is LetterState.ACCEPTED
        )

    asyncio.run(running([gateway(a, node), gateway(b, node)], refuse))
    a.store.close()
    b.store.close()
    return root


def _readme(capsys: pytest.CaptureFixture[str], data: Path, out: Path, letter_id: int) -> str:
    code, _, stderr = run(
        capsys, "audit", "export", str(letter_id), "--out", str(out), "--data-dir", str(data)
    )
    assert code == 0, stderr
    return (out / "README.txt").read_text(encoding="utf-8")


def _both(at: str) -> tuple[str, str]:
    """The Thai-time and UTC forms README.txt must show for a stored time."""
    moment = datetime.fromisoformat(at)
    thai = moment.astimezone(THAI_TIME)
    return (
        f"{format_thai_date(thai.date())} {thai:%H:%M:%S} น.",
        f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
    )


def test_the_receive_number_and_when_it_was_given_are_in_thai_time_and_utc(
    resent: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    readme = _readme(capsys, resent / B / "data", out, 2)
    facts = json.loads((out / "letter.json").read_text(encoding="utf-8"))
    registry = facts["registry"]
    number = f"เลขทะเบียนรับ / receive number: {registry['number']}/{registry['year_be']}"
    assert number in readme
    given = next(line for line in readme.splitlines() if "given at" in line)
    assert all(form in given for form in _both(registry["registered_at"]))
    assert "(UTC+7)" in given


def test_who_did_what_when_is_read_from_the_timeline(
    resent: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    readme = _readme(capsys, resent / A / "data", out, 1)
    timeline = readme.split("== ลำดับเหตุการณ์")[1].split("\n== ")[0]
    entries = [json.loads(line) for line in (out / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    for e in entries[:-1]:
        thai, utc = _both(e["at"])
        assert f"{e['seq']:>5}  {thai}" in timeline, e["seq"]
        assert utc in timeline
        assert f"{e['actor']}: {e['action']}" in timeline
    assert f"letter.reject_notified - {REASON}" in timeline
    assert "clerk:a: letter.withdraw" in timeline


def test_both_letters_of_a_resend_point_to_each_other(
    resent: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _readme(capsys, resent / A / "data", tmp_path / "first", 1)
    second = _readme(capsys, resent / A / "data", tmp_path / "second", 2)
    assert "sent again as letter 2" in first
    assert "sent again in place of letter 1" in second
    assert "Subject: แก้ไขแล้ว" in second
    assert "เลขรับของผู้รับ / the receiver's receive number: " in second


def test_the_withdrawals_process_id_is_named_as_the_nodes_answer(
    resent: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The node's answer to a withdrawal names a ProcessID (ours: the withdrawn letter's); letter.json
    said "sent withdraw" beside it, as if the withdrawal were a message with one of its own."""
    out = tmp_path / "evidence"
    _readme(capsys, resent / A / "data", out, 1)
    facts = json.loads((out / "letter.json").read_text(encoding="utf-8"))
    said = [entry["of"] for entry in facts["process_ids"] if "work_id" in entry]
    assert "sent withdraw" not in said
    assert "the node's answer to the withdrawal" in said
    assert "sent send" in said


def test_the_export_time_is_in_the_readme_in_thai_time_and_utc_as_in_the_manifest(
    resent: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    readme = _readme(capsys, resent / A / "data", out, 1)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    chain = json.loads((out / "audit.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert chain["at"] == manifest["exported_at"]
    exported = next(line for line in readme.splitlines() if line.startswith("ส่งออกเมื่อ / Exported: "))
    assert all(form in exported for form in _both(manifest["exported_at"]))


def test_the_summary_says_who_put_the_letter_in_its_state_when_and_why(
    resent: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "refused-at-b"
    text = _readme(capsys, resent / B / "data", out, 1)
    summary = text.split("== สรุป / Summary ==")[1].split("\n== ")[0]
    entries = [json.loads(line) for line in (out / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    rejected = next(e for e in entries if e.get("reason") == REASON)
    thai, utc = _both(rejected["at"])
    assert f"สถานะ / state: rejected ตั้งแต่ / since {thai}" in summary
    assert utc in summary
    assert f"(entry {rejected['seq']}: clerk:b: {rejected['action']} - {REASON})" in summary
    withdrawn = _readme(capsys, resent / A / "data", tmp_path / "withdrawn-at-a", 1)
    assert "สถานะ / state: withdrawn ตั้งแต่ / since" in withdrawn.split("\n== ลำดับ")[0]
