"""Ordinary mistakes with paths, a reader that closes the output, and Ctrl-C while the command loads:
one sentence naming the path (or a quiet exit), never "internal error" or a traceback; an OS error about
a path the command line did not give is still an internal error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecms_gateway.services import convert  # the command imports it when it runs
from tests.unit.cli.support import run

SAMPLES = Path(__file__).parents[3] / "ecms_gateway" / "samples" / "letters"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ECMS_GATEWAY_CONFIG", raising=False)
    monkeypatch.delenv("ECMS_GATEWAY_DEBUG", raising=False)
    return tmp_path


@pytest.mark.parametrize(
    "argv",
    [["verify", "nope.xml"], ["sign", "nope.xml", "--key", "k.pem", "--cert", "c.pem"]],
)
def test_verify_and_sign_name_an_input_that_is_not_there_as_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert run(capsys, *argv) == (2, "", "ecms-gateway: nope.xml: no such file; check the path\n")


def test_verify_of_a_folder_says_it_is_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "verify", str(tmp_path))
    assert code == 2
    assert err == f"ecms-gateway: {tmp_path}: is a folder; name the files in it (e.g. {tmp_path / '*.xml'})\n"


def test_convert_to_a_path_through_a_file_names_that_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    letter = str(SAMPLES / "letter-001.json")
    code, _, err = run(capsys, "convert", letter, "-o", str(tmp_path / "afile" / "x.xml"))
    assert code == 1
    assert (
        err
        == f"ecms-gateway: {tmp_path / 'afile'}: File exists; something is in the way: remove it or "
        + ("choose another path\n")
    )


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, which nobody can write")
def test_convert_to_a_folder_that_cannot_be_written_names_the_output_not_a_temporary_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "convert", str(SAMPLES / "letter-001.json"), "-o", "/proc/x.xml")
    assert code == 1
    assert err == "ecms-gateway: /proc/x.xml: No such file or directory; check the path\n"


def test_keys_new_into_a_file_says_it_is_in_the_way(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "keys.txt").write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "keys", "new", "--org", "2099000000", "--out", "keys.txt")
    assert code == 1
    assert err.startswith("ecms-gateway: keys.txt: File exists; ")
    assert "internal error" not in err


def test_an_os_error_about_a_path_the_command_line_did_not_give_is_still_an_internal_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> bytes:
        raise FileNotFoundError(2, "No such file or directory", "/usr/share/ecms-gateway/schema.xsd")

    monkeypatch.setattr(convert, "letter_to_document", broken)
    code, _, err = run(capsys, "convert", str(SAMPLES / "letter-001.json"))
    assert code == 3
    assert err.startswith("ecms-gateway: internal error (FileNotFoundError: ")
    assert "ECMS_GATEWAY_DEBUG=1" in err


def test_a_reader_that_closes_the_output_ends_the_command_quietly(tmp_path: Path) -> None:
    """`ecms-gateway samples | head -0`: exit 141 as other tools, nothing on standard error."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the command writes a line
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ecms_gateway", "samples"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            check=False,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr.decode()) == (141, "")


# Sends the process SIGINT, as Ctrl-C does, when the named module starts loading.
_CTRL_C_WHILE_LOADING = """
import os, signal, sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == sys.argv[1]:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
from ecms_adapters.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("module", ["ecms_adapters.commands.run", "ecms_gateway.cli.store_cmds"])
def test_ctrl_c_while_the_command_loads_ends_it_quietly(tmp_path: Path, module: str) -> None:
    """`ecms-gateway run` interrupted in its first seconds: exit 130, no traceback."""
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_WHILE_LOADING, module, "run", "--config", "gateway.toml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (130, "")
