"""``ecms-gateway letters`` against a real store: the filters, --due, the orders and pages of the store's
letter query, the table aligned by display width with Thai text, and the JSON for scripts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from store_support import RECEIVER, SENDER, Backend, FakeClock, encode_raw, make_package

from ecms_gateway.cli import main as cli
from ecms_gateway.cli.store_cmds import display_width
from ecms_gateway.engine import SignatureMark, Store, WorkKind
from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.letter.model import LetterPackage
from tests.unit.cli.support import run

OTHER = "2099200000"
LONG_SUBJECT = "ขอเชิญเข้าร่วมประชุมคณะกรรมการพิจารณาหลักเกณฑ์การจัดสรรงบประมาณประจำปีงบประมาณ ๒๕๗๐ ครั้งที่ ๑"


@pytest.fixture(autouse=True)
def only_this_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The other command modules are reworked in parallel; these tests need only this one.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecms_gateway.cli.letters_cmds",))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)  # captured output is no terminal: nothing is cut
    for name in ("ECMS_GATEWAY_CONFIG", "ECMS_GATEWAY_DATA_DIR", "ECMS_GATEWAY_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _with(package: LetterPackage, **changes: object) -> LetterPackage:
    return LetterPackage(
        letter=package.letter.model_copy(update=changes), main=package.main, attachments=package.attachments
    )


def _out(store: Store, i: int, *, receiver: str = RECEIVER, **changes: object) -> int:
    package = _with(make_package(i, receiver=receiver), **changes)
    return store.accept_outbound(package, actor="t", channel="ecms")


def _in(store: Store, i: int, **changes: object) -> int:
    package = _with(make_package(i, sender=RECEIVER, receiver=SENDER), **changes)
    item = store.accept_inbound(encode_raw(package), channel="ecms", process_id=f"p{i}", actor="t")
    return store.record_inbound_letter(item.id, package, actor="t", signature=SignatureMark.VERIFIED).id


def _sent(store: Store) -> None:
    claim = store.claim("ecms", "w", kinds=(WorkKind.SEND,))
    assert claim is not None
    store.complete(claim.work_id, worker="w")


def _letters(capsys: pytest.CaptureFixture[str], backend: Backend, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "letters", "--database-url", backend.url, *argv)


def _ids(capsys: pytest.CaptureFixture[str], backend: Backend, *argv: str) -> list[int]:
    code, out, err = _letters(capsys, backend, "--json", *argv)
    assert code == 0, err
    return [item["id"] for item in json.loads(out)["items"]]


def test_filters_pick_direction_state_org_dates_and_text_in_either_digits(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    with backend.open() as store:
        early = _out(store, 1, date=date(2026, 11, 1), book_no="ศธ ๐๙๙๐/๑๒๓")
        other = _out(store, 2, date=date(2026, 11, 10), receiver=OTHER, subject="ขอเชิญประชุม 50%")
        received = _in(store, 3)  # dated 2026-11-20
    assert _ids(capsys, backend, "--out") == [other, early]
    assert _ids(capsys, backend, "--in") == [received]
    assert _ids(capsys, backend, "--state", "received", "--state", "queued") == [received, other, early]
    assert _ids(capsys, backend, "--state", "queued", "--in") == []
    assert _ids(capsys, backend, "--org", OTHER) == [other]
    assert _ids(capsys, backend, "--org", "๒๐๙๙๒๐๐๐๐๐") == [other]  # Thai digits typed
    assert _ids(capsys, backend, "--from", "2026-11-10") == [received, other]
    assert _ids(capsys, backend, "--from", "2026-11-01", "--to", "2026-11-10") == [other, early]
    assert _ids(capsys, backend, "--search", "0990/123") == [early]
    assert _ids(capsys, backend, "--search", "๐๙๙๐/๑๒๓") == [early]
    assert _ids(capsys, backend, "--search", "ประชุม") == [other]
    assert _ids(capsys, backend, "--search", "%") == [other]  # text, not a pattern


def test_the_table_has_a_line_per_letter_with_its_marks_and_the_other_organisation(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    with backend.open() as store:
        ours = _out(store, 1, speed=Speed.VERY_URGENT, secrecy=Secrecy.CONFIDENTIAL)
        theirs = _in(store, 2, book_no="ศธ ๐๙๙๑/๗")
    code, out, err = _letters(capsys, backend)
    assert (code, err) == (0, "")
    header, first, second, blank, footer = out.splitlines()
    assert header.split() == ["ID", "DIR", "STATE", "DATE", "BOOK", "NO", "MARKS", "FROM/TO", "SUBJECT"]
    assert first.split()[:7] == [str(theirs), "in", "received", "2026-11-20", "ศธ", "๐๙๙๑/๗", RECEIVER]
    assert second.split()[:9] == [
        str(ours),
        "out",
        "queued",
        "2026-11-20",
        "ศธ",
        "0990/1",
        "ด่วนมาก",
        "ลับ",
        RECEIVER,
    ]
    assert (blank, footer) == ("", "2 of 2 letters")
    _, out, _ = _letters(capsys, backend, "--in")
    assert out.splitlines()[0].split()[-2:] == ["FROM", "SUBJECT"]
    _, out, _ = _letters(capsys, backend, "--out")
    assert out.splitlines()[0].split()[-2:] == ["TO", "SUBJECT"]


def test_columns_align_by_display_width_and_subjects_are_cut_to_the_terminal(
    backend: Backend, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thai vowel and tone marks take no column (ด่วนที่สุด is 7 columns of 10 characters): the subjects
    start at the same display column on every line, the cut one ends in … inside the terminal's width,
    and no mark is parted from its letter."""
    with backend.open() as store:
        _out(store, 1, subject=LONG_SUBJECT, speed=Speed.MOST_URGENT, secrecy=Secrecy.CONFIDENTIAL)
        _out(store, 2, subject="แจ้งผล", book_no="นร 0105/12345")
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = _letters(capsys, backend)
    assert code == 0
    header, short_line, long_line = out.splitlines()[:3]  # newest first
    subject_at = display_width(header[: header.index("SUBJECT")])
    for line, subject in ((short_line, "แจ้งผล"), (long_line, None)):
        text = subject or line[line.index("ขอเชิญ") :]
        assert display_width(line[: line.index(text)]) == subject_at
        assert display_width(line) <= 99
    cut = long_line[long_line.index("ขอเชิญ") :]
    assert cut.endswith("…")
    assert LONG_SUBJECT.startswith(cut[:-1])
    assert display_width(LONG_SUBJECT[len(cut) - 1]) == 1  # the cut falls before a letter, not a mark
    monkeypatch.delenv("COLUMNS")
    _, out, _ = _letters(capsys, backend)
    assert LONG_SUBJECT in out  # into a pipe or a file: whole


def test_due_lists_letters_waiting_longer_than_their_speed_gives_with_how_long(
    backend: Backend, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without --state: ours sent or delivered, and those received, not yet registered; the longest
    waiting first. The hours are the configuration's [follow_up] ones."""
    clock = FakeClock(now=datetime.now(UTC) - timedelta(hours=130))
    with backend.open(clock=clock) as store:
        registered = _in(store, 1)
        store.register_inbound(registered, actor="t")  # done: never due
        waiting_in = _in(store, 2)  # normal, 130 h: due (120 h)
        clock.advance(hours=100)
        late = _out(store, 3, speed=Speed.VERY_URGENT)
        _sent(store)  # very urgent, sent 30 h ago: due (24 h)
        fresh = _out(store, 4)
        _sent(store)  # normal, sent 30 h ago: not due yet
        _out(store, 5, speed=Speed.MOST_URGENT)  # queued 30 h: still ours to send, not the receiver's
    assert _ids(capsys, backend, "--due") == [waiting_in, late]
    assert _ids(capsys, backend, "--due", "--out") == [late]
    assert _ids(capsys, backend, "--due", "--state", "registered") == [registered]
    _, out, _ = _letters(capsys, backend, "--due")
    header, first, second = out.splitlines()[:3]
    assert header.split()[8] == "WAITED"
    assert first.split()[:3] == [str(waiting_in), "in", "received"]
    assert first.split()[7:9] == ["5d", "10h"]
    assert second.split()[8:10] == ["1d", "6h"]
    config = tmp_path / "gateway.toml"
    config.write_text("[follow_up]\nnormal_hours = 24\n", encoding="utf-8")
    assert _ids(capsys, backend, "--due", "--out", "--config", str(config)) == [late, fresh]
    _, out, _ = _letters(capsys, backend, "--due", "--json")
    waited = [item["waited_seconds"] for item in json.loads(out)["items"]]
    assert waited[0] >= 130 * 3600 > waited[1] >= 30 * 3600


def test_orders_newest_oldest_urgent_and_waiting(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FakeClock()
    with backend.open(clock=clock) as store:
        normal = _out(store, 1)
        clock.advance(minutes=1)
        most = _out(store, 2, speed=Speed.MOST_URGENT)
        clock.advance(minutes=1)
        urgent = _out(store, 3, speed=Speed.URGENT)
        clock.advance(minutes=1)
        _sent(store)  # the first in the queue (normal) changes state now: it waited least
    assert _ids(capsys, backend) == [urgent, most, normal]
    assert _ids(capsys, backend, "--order", "newest") == [urgent, most, normal]
    assert _ids(capsys, backend, "--order", "oldest") == [normal, most, urgent]
    assert _ids(capsys, backend, "--order", "urgent") == [most, urgent, normal]
    assert _ids(capsys, backend, "--order", "waiting") == [most, urgent, normal]
    _, out, _ = _letters(capsys, backend, "--order", "waiting")
    assert out.splitlines()[0].split()[8] == "WAITED"


def test_pages_say_how_many_of_how_many_and_how_to_see_the_next(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FakeClock()
    with backend.open(clock=clock) as store:
        made = []
        for i in range(5):
            made.append(_out(store, i))
            clock.advance(seconds=1)
    seen = []
    for offset in (0, 2, 4):
        seen += _ids(capsys, backend, "--order", "oldest", "--limit", "2", "--offset", str(offset))
    assert seen == made
    _, out, _ = _letters(capsys, backend, "--limit", "2")
    assert out.splitlines()[-1] == "2 of 5 letters (1-2); the next 2: the same command with --offset 2"
    _, out, _ = _letters(capsys, backend, "--limit", "2", "--offset", "3")
    assert out.splitlines()[-1] == "2 of 5 letters (4-5)"
    _, out, _ = _letters(capsys, backend, "--limit", "2", "--offset", "9")
    assert out == "0 of 5 letters: --offset 9 is past them; the last page is --offset 4\n"
    _, out, _ = _letters(capsys, backend, "--search", "nothing like this")
    assert out == "no letters match\n"
    _, out, _ = _letters(capsys, backend, "--order", "oldest", "--limit", "1", "--offset", "4")
    assert out.splitlines()[-1] == "1 of 5 letters (5-5)"
    with backend.open(clock=clock) as store:
        _in(store, 9)
    _, out, _ = _letters(capsys, backend, "--in")
    assert out.splitlines()[-1] == "1 letter"


def test_json_gives_every_field_in_iso_with_total_offset_and_limit(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    with backend.open(clock=FakeClock()) as store:
        _out(store, 1)
        received = _in(store, 2, subject="เรื่อง ๑ ทดสอบ")
    code, out, err = _letters(capsys, backend, "--json", "--limit", "1")
    assert (code, err) == (0, "")
    body = json.loads(out)
    assert {k: body[k] for k in ("total", "offset", "limit")} == {"total": 2, "offset": 0, "limit": 1}
    (item,) = body["items"]
    assert item["id"] == received
    assert item["direction"] == "in"
    assert item["state"] == "received"
    assert item["letter_date"] == "2026-11-20"
    assert item["subject"] == "เรื่อง ๑ ทดสอบ"
    assert (item["speed"], item["secrecy"], item["signature"]) == ("normal", "normal", "verified")
    assert datetime.fromisoformat(item["created_at"]) == datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    assert item["registered_at"] is None
    assert "waited_seconds" not in item
    assert {"sender_org", "receiver_org", "book_no", "channel", "accept_id", "updated_at"} <= set(item)
    _, out, _ = _letters(capsys, backend, "--json", "--search", "nothing like this")
    assert json.loads(out) == {"items": [], "total": 0, "offset": 0, "limit": 50}


def test_a_reversed_date_range_is_a_usage_error_that_says_to_swap(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _letters(capsys, backend, "--from", "2026-12-01", "--to", "2026-11-01")
    assert (code, out) == (2, "")
    assert err.startswith("ecms-gateway letters: --from 2026-12-01 is after --to 2026-11-01")
    assert err.endswith("so no letter can match: swap them\n")
