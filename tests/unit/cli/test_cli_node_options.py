"""``ecms-gateway node`` names ``--data-dir`` when the folder it gives cannot be made, in one line, exit 1."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from ecms_adapters.cli import main as installed

DIRECTORY = Path(__file__).parents[3] / "ecms_gateway" / "samples" / "directory.json"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("inside", "said"),
    [
        ("var", "cannot make the data folder {folder}: Not a directory; check --data-dir"),
        ("", "the data folder {folder} is a file, not a folder: check --data-dir"),
    ],
    ids=["under a file", "a file"],
)
def test_a_data_dir_that_cannot_be_made_names_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inside: str, said: str
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    folder = tmp_path / "afile" / inside if inside else tmp_path / "afile"
    argv = ["node", "--directory", str(DIRECTORY), "--port", str(_free_port()), "--data-dir", str(folder)]
    code = installed(argv)
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == f"ecms-gateway: {said.format(folder=folder)}\n"
