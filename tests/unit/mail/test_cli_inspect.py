"""``ecms-gateway mail inspect FILE.eml``: class and fields; exit 1 with the reason when quarantined."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.cli.main import main
from tests.unit.mail import corpus
from tests.unit.mail.conftest import SAMPLES


def _rows(out: str) -> dict[str, str]:
    """``label  value`` lines as a mapping (Thai labels make column widths uneven on purpose)."""
    rows: dict[str, str] = {}
    for line in out.splitlines():
        label, _, value = line.partition("  ")
        rows.setdefault(label.strip(), value.strip())
    return rows


def _inspect(
    tmp_path: Path, raw: bytes, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    path = tmp_path / "message.eml"
    path.write_bytes(raw)
    code = main(["mail", "inspect", str(path), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_inspect_prints_the_class_and_every_field_of_a_persons_letter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _inspect(
        tmp_path, corpus.thunderbird_letter(), capsys, "--directory", str(SAMPLES / "directory.json")
    )
    assert code == 0
    rows = _rows(out)
    assert rows["class"] == "human-letter"
    assert rows["book number (ที่)"] == corpus.BOOK_THAI
    assert rows["letter date (ลงวันที่)"] == "2026-11-19 (19 พฤศจิกายน 2569)"
    assert rows["letter subject (เรื่อง)"] == corpus.SUBJECT
    assert rows["sender"] == "2099100000 สำนักงานศึกษาธิการจังหวัดตัวอย่าง"
    assert rows["file 1"].startswith(f"{corpus.PDF_NAME} (application/pdf, {len(corpus.PDF)} bytes")
    assert rows["from organisation"] == "2099100000"


def test_inspect_without_a_directory_says_the_sender_was_not_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _inspect(tmp_path, corpus.thunderbird_letter(), capsys)
    assert code == 0
    assert "(not found: ที่อยู่ผู้ส่ง saraban@sample-peo.example.go.th ไม่อยู่ในสมุดรายชื่อหน่วยงาน" in out


def test_inspect_of_a_bounce_shows_the_original_message_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _inspect(tmp_path, corpus.dsn_bounce(), capsys)
    assert code == 0
    assert _rows(out)["class"] == "bounce"
    assert _rows(out)["original message-id"] == corpus.OUR_MESSAGE_ID


def test_inspect_exits_1_with_the_reason_for_a_quarantined_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _inspect(tmp_path, corpus.NO_FROM, capsys)
    assert code == 1
    assert "class" in out
    assert "quarantined" in out
    assert "quarantined: the message has no usable sender address" in err


def test_inspect_of_a_missing_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mail", "inspect", str(tmp_path / "nope.eml")]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_inspect_of_a_gateway_letter_shows_the_letter_it_carries_unverified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], letter_mail: bytes
) -> None:
    code, out, _ = _inspect(tmp_path, letter_mail, capsys)
    rows = _rows(out)
    assert code == 0
    assert rows["class"] == "letter"
    assert rows["book number (ที่)"] == "ศธ 0990/1234"
    assert rows["letter sender"] == "2099000000"
    assert rows["signature"] == "present (not checked here)"
