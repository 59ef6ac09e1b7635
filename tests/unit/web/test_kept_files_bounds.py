"""Kept compose files beyond one session: a logged-out session's files are gone at once, and all
sessions together keep no more than their bound (the oldest files of any session go first, never those
on the form being answered)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ecms_adapters.web.kept_files import MAX_TOTAL_BYTES, KeptFiles


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)  # every file kept later than the one before
        return self.now


def test_forgetting_a_session_removes_its_files_at_once_and_no_others(tmp_path: Path) -> None:
    kept = KeptFiles(tmp_path / "kept", clock=Clock())
    mine = kept.keep("session-a", role="main", name="หนังสือ.pdf", mime="application/pdf", content=b"%PDF-a")
    theirs = kept.keep("session-b", role="main", name="b.pdf", mime="application/pdf", content=b"%PDF-b")
    assert mine is not None
    assert theirs is not None
    kept.forget("session-a")
    assert kept.get("session-a", mine.token) is None
    assert kept.get("session-b", theirs.token) is not None
    assert [p.name for p in (tmp_path / "kept").iterdir()] == [kept._folder("session-b").name]
    kept.forget("session-never-kept-anything")  # nothing to do, nothing raised


def test_all_sessions_together_keep_no_more_than_the_total_bound(tmp_path: Path) -> None:
    kept = KeptFiles(tmp_path / "kept", max_session_bytes=100, max_total_bytes=250, clock=Clock())
    first = kept.keep("a", role="main", name="1.pdf", mime="application/pdf", content=b"1" * 100)
    second = kept.keep("b", role="main", name="2.pdf", mime="application/pdf", content=b"2" * 100)
    assert first is not None
    assert second is not None
    third = kept.keep("c", role="main", name="3.pdf", mime="application/pdf", content=b"3" * 100)
    assert third is not None
    assert kept.get("a", first.token) is None  # the oldest of any session made room
    assert kept.get("b", second.token) is not None
    assert sum(p.stat().st_size for p in (tmp_path / "kept").rglob("*.bin")) <= 250


def test_the_total_bound_never_lets_the_files_on_the_form_go(tmp_path: Path) -> None:
    kept = KeptFiles(tmp_path / "kept", max_session_bytes=1000, max_total_bytes=200, clock=Clock())
    first = kept.keep("a", role="main", name="1.pdf", mime="application/pdf", content=b"1" * 150)
    assert first is not None
    refused = kept.keep(
        "a", role="attachment", name="2.pdf", mime="x/y", content=b"2" * 100, besides=[first.token]
    )
    assert refused is None
    assert kept.get("a", first.token) is not None


def test_the_total_bound_is_a_gigabyte_by_default(tmp_path: Path) -> None:
    assert KeptFiles(tmp_path).max_total_bytes == MAX_TOTAL_BYTES == 1024**3
