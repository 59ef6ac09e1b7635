"""``write_atomic``'s file modes: the store's files are their owner's only; what is written for a person
(a converted letter, a signed file) gets the modes any program gives a new file, under the umask."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecms_gateway.fileio import write_atomic
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.services.convert import write_letter
from tests.unit.webhooks.support import package


@pytest.fixture
def umask() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def _mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


@pytest.mark.usefixtures("umask")
def test_private_by_default_and_as_the_umask_says_when_not(tmp_path: Path) -> None:
    write_atomic(tmp_path / "kept", b"secret")
    write_atomic(tmp_path / "shared", b"for people", private=False)
    assert _mode(tmp_path / "kept") == "0o600"
    assert _mode(tmp_path / "shared") == "0o644"
    os.umask(0o027)
    write_atomic(tmp_path / "group", b"for the group", private=False)
    assert _mode(tmp_path / "group") == "0o640"
    assert (tmp_path / "group").read_bytes() == b"for the group"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="the umask is read from /proc on Linux")
@pytest.mark.usefixtures("umask")
def test_the_umask_is_read_not_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Setting the umask to learn it would change it for a moment for every thread of the gateway."""

    def refuse(_mask: int) -> int:
        raise AssertionError("os.umask was called")

    monkeypatch.setattr("ecms_gateway.fileio.os.umask", refuse)
    write_atomic(tmp_path / "shared", b"x", private=False)
    assert _mode(tmp_path / "shared") == "0o644"


@pytest.mark.usefixtures("umask")
def test_a_converted_letter_is_readable_as_any_new_file_is(tmp_path: Path) -> None:
    written = write_letter(package(1), tmp_path / "letter.json")
    assert {_mode(p) for p in (written.json_path, *written.file_paths)} == {"0o644"}
    assert load_letter_file(written.json_path).letter.book_no == "ศธ 0990/1"
