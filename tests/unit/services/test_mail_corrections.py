"""Corrections as a form or JSON body types them (shared by the REST API and the web pages): the date
read in either era and digit set, an unreadable value said beside every other fault with nothing
recorded, and the queue read by state and counted for the menu badge."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ecms_gateway.engine import Store
from ecms_gateway.engine.mail_values import MailLetterState
from ecms_gateway.errors import LetterInvalid
from ecms_gateway.services.mail_corrections import blank_required, confirm_typed, read_typed
from ecms_gateway.services.mail_letters import count_waiting, dismiss_mail_letter, mail_letters_in
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import PEO, SERVED, keep


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as opened:
        yield opened


@pytest.mark.parametrize(
    "typed", ["20 พฤศจิกายน 2569", "๒๐/๑๑/๒๕๖๙", "20/11/2569", "2026-11-20", "๒๐ พ.ย. ๖๙"]
)
def test_a_date_is_read_as_clerks_type_it(typed: str) -> None:
    corrections, faults = read_typed({"letter_date": typed})
    assert faults == []
    assert corrections.letter_date == date(2026, 11, 20)


def test_blank_text_keeps_the_field_as_read_and_spaces_are_tidied() -> None:
    corrections, faults = read_typed({"book_no": "  ศธ   0990/1 ", "subject": "   ", "speed": None})
    assert faults == []
    assert corrections.book_no == "ศธ 0990/1"
    assert corrections.subject is None
    assert corrections.speed is None


def test_blank_required_fields_are_each_named() -> None:
    faults = blank_required({"book_no": "x", "letter_date": " ", "subject": "y"})
    assert [f.where for f in faults] == ["letter_date", "sender_org", "receiver_org"]
    assert all("จำเป็นต้องกรอก" in f.problem for f in faults)


def test_an_unreadable_date_is_said_with_every_other_fault_and_nothing_is_recorded(store: Store) -> None:
    record_id = keep(store, corpus.gmail_letter())  # no sender organisation
    corrections, early = read_typed({"letter_date": "31/02/2569", "speed": "เร็วมาก"})
    with pytest.raises(LetterInvalid) as caught:
        confirm_typed(store, record_id, corrections=corrections, early=early, served=SERVED, actor="c")
    by_field = {f.where: f.problem for f in caught.value.faults}
    assert set(by_field) == {"letter_date", "sender_org", "speed"}
    assert "ไม่มีวันนี้ในปฏิทิน" in by_field["letter_date"]
    assert [f.where for f in caught.value.faults].count("letter_date") == 1
    assert store.mail_letter(record_id).state is MailLetterState.PENDING


def test_readable_corrections_confirm_the_letter(store: Store) -> None:
    record_id = keep(store, corpus.gmail_letter())
    corrections, early = read_typed({"sender_org": PEO, "letter_date": "๕/๑/๒๕๗๐"})
    done = confirm_typed(store, record_id, corrections=corrections, early=early, served=SERVED, actor="c")
    assert done.record.state is MailLetterState.CONFIRMED
    assert store.show(done.letter_id).letter.letter_date == date(2027, 1, 5)


def test_the_queue_is_read_by_state_newest_first_and_counted(store: Store) -> None:
    first = keep(store, corpus.gmail_letter())
    second = keep(store, corpus.thunderbird_letter())
    assert count_waiting(store) == 2
    dismiss_mail_letter(store, first, reason="ไม่ใช่หนังสือราชการ", actor="c")
    assert count_waiting(store) == 1
    assert [r.id for r in mail_letters_in(store, newest_first=True)] == [second, first]
    assert [r.id for r in mail_letters_in(store, (MailLetterState.DISMISSED,))] == [first]
