"""Kept compose files: only the session that kept a file reaches it, a file expires, a session's files
are bounded (the oldest not on the form go first), and a sweep leaves nothing expired behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ecms_adapters.web.kept_files import KEEP_FOR, MAX_SESSION_BYTES, KeptFiles
from ecms_adapters.web.uploads import is_pdf, size_text


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _kept(
    tmp_path: Path, *, keep_for: timedelta = KEEP_FOR, max_session_bytes: int = MAX_SESSION_BYTES
) -> tuple[KeptFiles, Clock]:
    clock = Clock()
    kept = KeptFiles(tmp_path / "kept", keep_for=keep_for, max_session_bytes=max_session_bytes, clock=clock)
    return kept, clock


def test_a_kept_file_comes_back_to_its_session_only(tmp_path: Path) -> None:
    kept, _ = _kept(tmp_path)
    item = kept.keep("session-a", role="main", name="letter.pdf", mime="application/pdf", content=b"%PDF-1")
    assert item is not None
    found = kept.get("session-a", item.token)
    assert found == item
    assert kept.content("session-a", item) == b"%PDF-1"
    assert kept.get("session-b", item.token) is None


def test_a_token_that_is_not_one_never_reaches_the_file_system(tmp_path: Path) -> None:
    kept, _ = _kept(tmp_path)
    assert kept.get("session-a", "../../etc/passwd") is None
    kept.drop("session-a", ["../../etc/passwd"])


def test_a_kept_file_expires_and_the_sweep_removes_it(tmp_path: Path) -> None:
    kept, clock = _kept(tmp_path, keep_for=timedelta(hours=1))
    item = kept.keep("s", role="attachment", name="a.pdf", mime="application/pdf", content=b"x" * 10)
    assert item is not None
    clock.now += timedelta(minutes=59)
    assert kept.get("s", item.token) is not None
    clock.now += timedelta(minutes=1)
    assert kept.get("s", item.token) is None
    kept.sweep()
    assert not list((tmp_path / "kept").rglob("*.*"))


def test_a_session_keeps_no_more_than_its_bound_dropping_the_oldest_not_on_the_form(tmp_path: Path) -> None:
    kept, clock = _kept(tmp_path, max_session_bytes=100)
    first = kept.keep("s", role="main", name="1.pdf", mime="application/pdf", content=b"1" * 40)
    clock.now += timedelta(seconds=1)
    second = kept.keep("s", role="attachment", name="2.pdf", mime="application/pdf", content=b"2" * 40)
    assert first is not None
    assert second is not None
    clock.now += timedelta(seconds=1)
    third = kept.keep(
        "s", role="attachment", name="3.pdf", mime="application/pdf", content=b"3" * 40, besides=[first.token]
    )
    assert third is not None
    assert kept.get("s", first.token) is not None  # on the form: kept
    assert kept.get("s", second.token) is None  # the oldest other one made room
    assert kept.keep("s", role="attachment", name="4.pdf", mime="x/y", content=b"4" * 101) is None


def test_a_dropped_file_is_gone(tmp_path: Path) -> None:
    kept, _ = _kept(tmp_path)
    item = kept.keep("s", role="main", name="letter.pdf", mime="application/pdf", content=b"%PDF-1")
    assert item is not None
    kept.drop("s", [item.token])
    assert kept.get("s", item.token) is None
    assert not list((tmp_path / "kept").rglob("*.bin"))


def test_a_pdf_is_known_by_its_content_and_sizes_read_as_a_file_manager_shows_them() -> None:
    assert is_pdf(b"%PDF-1.7\n")
    assert is_pdf(b"\n  %PDF-1.4")
    assert not is_pdf(b"PK\x03\x04")
    assert size_text(1) == "1 KB"
    assert size_text(12 * 1024) == "12 KB"
    assert size_text(25 * 1024 * 1024) == "25 MB"
    assert size_text(int(1.44 * 1024 * 1024)) == "1.4 MB"
