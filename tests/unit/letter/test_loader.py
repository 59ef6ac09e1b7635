"""Loading letters in format v1: the samples behave as their README says, faults are all reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from ecms_gateway.errors import LetterInvalid
from ecms_gateway.letter import Kind, Secrecy, Speed
from ecms_gateway.letter.loader import load_letter_dict, load_letter_file
from ecms_gateway.letter.model import STORED, Letter

PDF = b"%PDF-1.4\n% test\n"


def _faults(raw: dict[str, object], files: dict[str, bytes] | None = None) -> dict[str, str]:
    with pytest.raises(LetterInvalid) as info:
        load_letter_dict(raw, (files or {"main.pdf": PDF}).get)
    return {f.where: f.problem for f in info.value.faults}


def _valid() -> dict[str, object]:
    return {
        "kind": "external",
        "book_no": "ศธ 0990/1",
        "date": "2026-11-20",
        "subject": "ทดสอบ",
        "speed": "normal",
        "secrecy": "normal",
        "sender": {"org_id": "2099000000"},
        "receiver": {"org_id": "2099100000"},
        "main_file": {"path": "main.pdf", "mime": "application/pdf"},
    }


def test_sample_001_loads_with_all_fields(samples: Path) -> None:
    package = load_letter_file(samples / "letter-001.json")
    letter = package.letter
    assert letter.kind is Kind.EXTERNAL
    assert letter.speed is Speed.URGENT
    assert letter.speed.code == "002"
    assert letter.sender.department_id == "20990"
    assert letter.sender.ministry_id == "20"
    assert letter.references[0].book_no == "ศธ 0991/0456"
    assert letter.signer is not None
    assert letter.signer.job_title == "เลขาธิการ"
    assert [f.name for f in package.files] == ["letter-001.pdf", "letter-001-agenda.pdf"]
    assert package.main.content == (samples / "letter-001.pdf").read_bytes()


def test_sample_002_keeps_thai_digits_and_compares_with_arabic(samples: Path) -> None:
    letter = load_letter_file(samples / "letter-002.json").letter
    assert letter.book_no == "ศธ ๐๙๙๐/๐๐๐๗"
    assert letter.book_key == "ศธ 0990/0007"
    assert letter.speed is Speed.MOST_URGENT


def test_sample_003_and_004_load_but_carry_their_marks(samples: Path) -> None:
    assert load_letter_file(samples / "letter-003.json").letter.secrecy is Secrecy.TOP_SECRET
    assert load_letter_file(samples / "letter-004.json").letter.kind is Kind.INTERNAL


def test_sample_005_reports_every_fault_in_one_run(samples: Path) -> None:
    with pytest.raises(LetterInvalid) as info:
        load_letter_file(samples / "letter-005-invalid.json")
    faults = {f.where: f.problem for f in info.value.faults}
    assert set(faults) == {"book_no", "date", "subject", "speed", "sender.org_id", "main_file.path"}
    assert "empty" in faults["book_no"]
    assert "2026-02-30" in faults["date"]
    assert "missing" in faults["subject"]
    assert "'very fast'" in faults["speed"]
    assert "most_urgent" in faults["speed"]
    assert "10 Arabic digits" in faults["sender.org_id"]
    assert "missing.pdf" in faults["main_file.path"]


def test_unknown_field_and_wrong_types_are_named() -> None:
    raw = _valid() | {"speeed": "normal", "references": "none", "receiver": "2099100000"}
    faults = _faults(raw)
    assert "not a field" in faults["speeed"]
    assert "list" in faults["references"]
    assert "object" in faults["receiver"]


def test_buddhist_year_in_iso_date_is_explained() -> None:
    faults = _faults(_valid() | {"date": "2569-11-20"})
    assert "Buddhist Era" in faults["date"]
    assert "2026-11-20" in faults["date"]


def test_control_characters_a_letter_cannot_carry_are_refused_where_they_are() -> None:
    raw = _valid() | {
        "subject": "ขอเชิญ\x0bประชุม",  # a word processor's manual line break
        "description": "ok\tand\nlines stay",
        "sender": {"org_id": "2099000000", "job_title": "ผอ.\x0c"},
    }
    with pytest.raises(LetterInvalid) as info:
        load_letter_dict(raw, {"main.pdf": PDF}.get)
    faults = {f.where: f for f in info.value.faults}
    assert set(faults) == {"subject", "sender.job_title"}
    assert faults["subject"].code == "xml_char"
    assert dict(faults["subject"].params) == {"char": "U+000B", "position": "7"}
    assert "invisible control character (U+000B) at position 7" in faults["subject"].problem
    assert dict(faults["sender.job_title"].params) == {"char": "U+000C", "position": "4"}


def test_half_a_character_from_a_system_that_cut_text_short_is_a_fault_of_its_field() -> None:
    raw = _valid() | {"subject": "ประชุม \ud83d", "sender": {"org_id": "2099000000", "job_title": "\udc4d"}}
    with pytest.raises(LetterInvalid) as info:
        load_letter_dict(raw, {"main.pdf": PDF}.get)
    faults = {f.where: f for f in info.value.faults}
    assert set(faults) == {"subject", "sender.job_title"}
    assert dict(faults["subject"].params) == {"char": "U+D83D", "position": "8"}
    assert "half of a character (U+D83D) at position 8" in faults["subject"].problem
    assert faults["sender.job_title"].code == "xml_char"


def test_half_a_character_in_a_file_path_is_a_fault_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "letter.json").write_text(
        json.dumps(_valid() | {"main_file": {"path": "main\ud800.pdf", "mime": "application/pdf"}}),
        encoding="utf-8",
    )
    with pytest.raises(LetterInvalid) as info:
        load_letter_file(tmp_path / "letter.json")
    assert {f.where for f in info.value.faults} == {"main_file.path"}
    assert {f.code for f in info.value.faults} == {"xml_char", "file.not_found"}


def test_a_book_number_or_file_name_longer_than_the_store_keeps_is_a_fault_of_its_field() -> None:
    raw = _valid() | {
        "book_no": "ศธ 0990/" + "1" * 193,  # 201 characters
        "main_file": {"path": "m" * 252 + ".pdf", "mime": "application/pdf"},
    }
    with pytest.raises(LetterInvalid) as info:
        load_letter_dict(raw, {"m" * 252 + ".pdf": PDF}.get)
    faults = {f.where: f for f in info.value.faults}
    assert set(faults) == {"book_no", "main_file.path"}
    assert faults["book_no"].code == "too_long"
    assert dict(faults["book_no"].params) == {"length": "201", "limit": "200"}
    assert faults["book_no"].problem == "is 201 characters long; at most 200 fit: shorten it"
    assert dict(faults["main_file.path"].params) == {"length": "256", "limit": "255"}
    assert load_letter_dict(_valid() | {"book_no": "ศธ 0990/" + "1" * 192}, {"main.pdf": PDF}.get)


def test_a_stored_letter_is_read_back_without_the_intake_check() -> None:
    """A letter stored before the check existed still opens (it could not have been sent)."""
    raw = _valid() | {
        "subject": "ขอเชิญ\x0bประชุม",
        "main_file": {"path": "main.pdf", "mime": "application/pdf"},
    }
    text = json.dumps(raw, ensure_ascii=False)
    with pytest.raises(ValidationError):
        Letter.model_validate_json(text)
    assert Letter.model_validate_json(text, context={STORED: True}).subject == "ขอเชิญ\x0bประชุม"


def test_files_must_stay_inside_the_letter_folder_and_match_their_type() -> None:
    raw = _valid() | {
        "attachments": [
            {"path": "../secret.pdf", "mime": "application/pdf"},
            {"path": "notes.txt", "mime": "application/pdf"},
            {"path": "empty.bin", "mime": "application/octet-stream"},
            {"path": "x", "mime": "pdf"},
        ]
    }
    faults = _faults(raw, {"main.pdf": PDF, "notes.txt": b"hello", "empty.bin": b"", "x": b"1"})
    assert "inside the letter's folder" in faults["attachments[0].path"]
    assert "not a PDF" in faults["attachments[1].mime"]
    assert "empty" in faults["attachments[2].path"]
    assert "not a MIME type" in faults["attachments[3].mime"]


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "letter.json"
    path.write_text('{"kind": "external",\n  "book_no" "x"}', encoding="utf-8")
    with pytest.raises(LetterInvalid) as info:
        load_letter_file(path)
    assert info.value.faults[0].where == "letter.json line 2 column 13"


def test_json_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "letter.json"
    path.write_text(json.dumps([1, 2]), encoding="utf-8")
    with pytest.raises(LetterInvalid, match="one JSON object"):
        load_letter_file(path)


def test_to_json_dict_round_trips_the_sample(samples: Path) -> None:
    raw = json.loads((samples / "letter-001.json").read_text(encoding="utf-8"))
    assert load_letter_file(samples / "letter-001.json").letter.to_json_dict() == raw
