"""The clerk-facing commands: validate, convert and samples, with their exit codes and messages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecms_gateway.cli.main import main
from ecms_gateway.services.convert import is_letter_json


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def letters(tmp_path: Path, samples: Path) -> Path:
    """A writable copy of the sample letters."""
    target = tmp_path / "letters"
    shutil.copytree(samples, target)
    return target


def test_validate_reports_ok_for_good_letters(capsys: pytest.CaptureFixture[str], letters: Path) -> None:
    code, out, _ = _run(
        capsys, "validate", str(letters / "letter-001.json"), str(letters / "letter-002.json")
    )
    assert code == 0
    assert f"{letters / 'letter-001.json'}: ok (letter v1, external, 2 files)" in out


def test_validate_lists_every_fault_of_sample_005(capsys: pytest.CaptureFixture[str], letters: Path) -> None:
    code, out, _ = _run(capsys, "validate", str(letters / "letter-005-invalid.json"))
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 6
    assert all(line.startswith(f"{letters / 'letter-005-invalid.json'}: invalid: ") for line in lines)
    assert any("sender.org_id" in line for line in lines)


def test_validate_exit_codes(capsys: pytest.CaptureFixture[str], letters: Path) -> None:
    good, bad = str(letters / "letter-001.json"), str(letters / "letter-005-invalid.json")
    assert _run(capsys, "validate", good, bad)[0] == 1
    code, _, err = _run(capsys, "validate", good, str(letters / "nope.xml"))
    assert code == 2
    assert err == f"ecms-gateway: {letters / 'nope.xml'}: no such file; check the path\n"
    code, _, err = _run(capsys, "validate", str(letters))
    assert code == 2
    assert err == f"ecms-gateway: {letters}: is a folder; name the files in it (e.g. {letters / '*.json'})\n"
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2


def test_a_letter_saved_as_utf16_is_validated_as_a_letter(
    capsys: pytest.CaptureFixture[str], letters: Path
) -> None:
    """A Windows tool may save the JSON as UTF-16 with a byte-order mark: still a letter, not 'XML'."""
    wide = letters / "letter-001-utf16.json"
    wide.write_text((letters / "letter-001.json").read_text(encoding="utf-8"), encoding="utf-16")
    assert wide.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    code, out, _ = _run(capsys, "validate", str(wide))
    assert code == 0, out
    assert f"{wide}: ok (letter v1, external, 2 files)" in out


def test_convert_round_trip_gives_identical_letter_and_files(
    capsys: pytest.CaptureFixture[str], letters: Path, tmp_path: Path
) -> None:
    xml = tmp_path / "out" / "letter-001.xml"
    code, out, _ = _run(capsys, "convert", str(letters / "letter-001.json"), "-o", str(xml))
    assert code == 0, out
    assert "GovernmentDocument, 2 files" in out
    code, out, _ = _run(capsys, "validate", str(xml))
    assert code == 0
    assert out.strip() == f"{xml}: ok (GovernmentDocument)"

    back = tmp_path / "back" / "letter.json"
    code, out, _ = _run(capsys, "convert", str(xml), "--to", "letter", "-o", str(back))
    assert code == 0, out
    assert json.loads(back.read_text(encoding="utf-8")) == json.loads(
        (letters / "letter-001.json").read_text(encoding="utf-8")
    )
    for name in ("letter-001.pdf", "letter-001-agenda.pdf"):
        assert (back.parent / name).read_bytes() == (letters / name).read_bytes()


def test_convert_refuses_to_overwrite_without_force(
    capsys: pytest.CaptureFixture[str], letters: Path, tmp_path: Path
) -> None:
    xml = tmp_path / "letter.xml"
    assert _run(capsys, "convert", str(letters / "letter-002.json"), "-o", str(xml))[0] == 0
    code, out, _ = _run(capsys, "convert", str(letters / "letter-002.json"), "-o", str(xml))
    assert code == 1
    assert "--force" in out
    assert _run(capsys, "convert", str(letters / "letter-002.json"), "-o", str(xml), "--force")[0] == 0
    code, out, _ = _run(capsys, "convert", str(xml), "-o", str(letters / "letter-002.json"))
    assert code == 1
    assert "would overwrite letter-002.json, letter-002.pdf" in out


def test_convert_refuses_top_secret_and_internal_letters(
    capsys: pytest.CaptureFixture[str], letters: Path, tmp_path: Path
) -> None:
    code, out, _ = _run(capsys, "convert", str(letters / "letter-003.json"), "-o", str(tmp_path / "3.xml"))
    assert code == 1
    assert "refused" in out
    assert "ลับที่สุด" in out
    assert not (tmp_path / "3.xml").exists()
    code, out, _ = _run(capsys, "convert", str(letters / "letter-004.json"), "-o", str(tmp_path / "4.xml"))
    assert code == 1
    assert "stays inside the agency" in out


def test_convert_reports_all_faults_of_an_invalid_letter(
    capsys: pytest.CaptureFixture[str], letters: Path, tmp_path: Path
) -> None:
    code, out, _ = _run(
        capsys, "convert", str(letters / "letter-005-invalid.json"), "-o", str(tmp_path / "5.xml")
    )
    assert code == 1
    assert len(out.splitlines()) == 6


def test_convert_direction_mismatch_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], letters: Path
) -> None:
    code, _, err = _run(capsys, "convert", str(letters / "letter-001.json"), "--to", "letter")
    assert code == 2
    assert err == (
        f"ecms-gateway: {letters / 'letter-001.json'}: is a letter JSON; --to letter needs a "
        "GovernmentDocument XML as input\n"
    )


def test_convert_of_xml_that_is_not_a_letter_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "delete.xml"
    path.write_text(
        "<CorrespondenceLetterDeleteRequest><ProcessID>42</ProcessID></CorrespondenceLetterDeleteRequest>",
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "convert", str(path), "-o", str(tmp_path / "x.json"))
    assert code == 1
    assert "not a letter" in out


def test_validate_reports_schema_faults_with_their_line(
    capsys: pytest.CaptureFixture[str], letters: Path, tmp_path: Path
) -> None:
    xml = tmp_path / "letter.xml"
    assert _run(capsys, "convert", str(letters / "letter-002.json"), "-o", str(xml))[0] == 0
    text = xml.read_text(encoding="utf-8").replace(">004</ram:SpeedCode>", ">009</ram:SpeedCode>")
    xml.write_text(text, encoding="utf-8")
    code, out, _ = _run(capsys, "validate", str(xml))
    assert code == 1
    assert out.startswith(f"{xml}: invalid: line ")
    assert "SpeedCode" in out


def test_validate_refuses_xml_attacks_in_plain_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "evil.xml"
    path.write_bytes(b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')
    code, out, _ = _run(capsys, "validate", str(path))
    assert code == 1
    assert "document type declaration" in out


def test_samples_tour_walks_all_samples_as_expected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = _run(capsys, "samples", "--out", str(tmp_path))
    assert code == 0, out
    assert "All 5 samples behaved as expected" in out
    assert "20 พฤศจิกายน 2569" in out
    assert (tmp_path / "letter-001.xml").is_file()
    assert not (tmp_path / "letter-003.xml").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["convert", "{garbage"],
        ["validate", "--max-bytes", "ten", "x"],
        ["frobnicate"],
    ],
)
def test_the_installed_command_never_shows_a_traceback(argv: list[str], tmp_path: Path) -> None:
    garbage = tmp_path / "{garbage"
    garbage.write_text("{not json", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ecms_gateway", *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr + result.stdout
    assert (result.stderr + result.stdout).strip()


def test_a_broken_json_file_is_reported_as_json_not_as_xml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "letter.json"
    broken.write_bytes(b"")
    code, out, _ = _run(capsys, "validate", str(broken))
    assert code == 1
    assert "is not valid JSON" in out
    assert "XML" not in out


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_letter_json_is_recognised_in_every_encoding_json_allows(encoding: str) -> None:
    assert is_letter_json('{"kind": "external"}'.encode(encoding))
    assert is_letter_json(' \n{"kind": "external"}'.encode(encoding))
    assert not is_letter_json('<?xml version="1.0"?><a/>'.encode(encoding))
