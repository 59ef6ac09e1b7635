"""The clerk's queue of letters people sent by mail, on a real (SQLite) store: kept once per inbox item
with what was read and what was not, confirmed into an ordinary received letter (every fault listed at
once, in Thai), dismissed, and never confirmed twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import ecms_gateway
from ecms_gateway.engine import Direction, LetterState, SignatureMark, Store, WorkKind
from ecms_gateway.engine.mail_values import MailLetterFields, MailLetterState
from ecms_gateway.errors import InputError, LetterInvalid, NotFound, StoreError
from ecms_gateway.mail.classifier import classify
from ecms_gateway.mail.directory import MailDirectory, load_mail_directory
from ecms_gateway.mail.inbound import HumanLetter, Quarantined
from ecms_gateway.mail.message_ids import dedupe_key
from ecms_gateway.services import clerk
from ecms_gateway.services.mail_letters import (
    confirm_mail_letter,
    dismiss_mail_letter,
    keep_mail_letter,
    keep_unreadable_mail,
    mail_letter,
    pending_mail_letters,
)
from ecms_gateway.services.mail_review import letter_of
from tests.unit.mail import corpus

US, PEO = "2099000000", "2099100000"
SERVED = (US,)
DIRECTORY: MailDirectory = load_mail_directory(
    Path(ecms_gateway.__file__).parent / "samples" / "directory.json"
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data", clock=clock) as opened:
        yield opened


def keep(store: Store, raw: bytes) -> int:
    inbox = store.accept_inbound(raw, channel="mail", process_id=dedupe_key(raw), actor="test").id
    found = classify(raw, directory=DIRECTORY)
    assert isinstance(found, HumanLetter)
    kept = keep_mail_letter(
        store, inbox, found, raw, served=SERVED, mailbox_org=US, directory=DIRECTORY, actor="mail-processor"
    )
    return kept.record.id


def keep_unreadable(store: Store, raw: bytes) -> int:
    """Keep ``raw``, a mail the gateway cannot take in as a letter, for a clerk; its record's id."""
    inbox = store.accept_inbound(raw, channel="mail", process_id=dedupe_key(raw), actor="test").id
    found = classify(raw, directory=DIRECTORY)
    assert isinstance(found, Quarantined)
    return keep_unreadable_mail(store, inbox, found, actor="mail-processor").record.id


def test_a_persons_letter_is_kept_once_with_the_fields_read_and_its_file(store: Store) -> None:
    raw = corpus.thunderbird_letter()
    record_id = keep(store, raw)
    assert keep(store, raw) == record_id  # processed again: the same record, not a second one
    [pending] = pending_mail_letters(store)
    assert pending.id == record_id
    assert pending.state is MailLetterState.PENDING
    fields = pending.fields
    assert fields.book_no == corpus.BOOK_THAI
    assert fields.letter_date == date(2026, 11, 19)
    assert fields.subject == corpus.SUBJECT
    assert fields.sender_org == PEO  # by the From address in the directory
    assert fields.receiver_org == US  # the To address is ours
    assert pending.not_found == ()
    assert pending.from_address == corpus.PEO
    shown = mail_letter(store, record_id)
    [main] = shown.files
    assert main.name == corpus.PDF_NAME
    assert main.content == corpus.PDF
    assert main.mime == "application/pdf"


def test_what_was_not_found_is_said_in_thai_and_every_missing_field_is_listed_at_once(store: Store) -> None:
    record_id = keep(store, corpus.gmail_letter())  # a personal address: no sender organisation
    record = mail_letter(store, record_id).record
    missing = {m.field: m.message for m in record.not_found}
    assert set(missing) == {"sender_org"}
    assert "ไม่อยู่ในสมุดรายชื่อหน่วยงาน" in missing["sender_org"]
    with pytest.raises(LetterInvalid) as caught:
        confirm_mail_letter(
            store,
            record_id,
            corrections=MailLetterFields(receiver_org="2099100000", speed="เร็วมาก"),
            served=SERVED,
            actor="clerk:a",
        )
    where = {f.where for f in caught.value.faults}
    assert where == {"sender_org", "receiver_org", "speed"}  # all at once
    text = str(caught.value)
    assert "หน่วยงานผู้ส่ง" in text
    assert "โปรดระบุ" in text
    assert "ไม่ใช่หน่วยงานที่ระบบนี้รับหนังสือให้" in text
    assert "ด่วนที่สุด" in text  # the speeds a clerk may give
    assert mail_letter(store, record_id).record.state is MailLetterState.PENDING  # nothing recorded


def test_a_wrong_organisation_id_is_explained(store: Store) -> None:
    record_id = keep(store, corpus.gmail_letter())
    with pytest.raises(LetterInvalid, match="ไม่ใช่รหัสหน่วยงาน 10 หลัก"):
        confirm_mail_letter(
            store, record_id, corrections=MailLetterFields(sender_org="20991"), served=SERVED, actor="c"
        )


def test_confirming_records_an_ordinary_received_letter_that_registers_like_any_other(store: Store) -> None:
    record_id = keep(store, corpus.gmail_letter())
    done = confirm_mail_letter(
        store,
        record_id,
        corrections=MailLetterFields(sender_org=PEO, subject="  แจ้งกำหนดการอบรมครู  รุ่นที่ 2 ", speed="ด่วน"),
        served=SERVED,
        actor="clerk:a",
    )
    assert done.created
    assert done.record.state is MailLetterState.CONFIRMED
    assert done.record.letter_id == done.letter_id
    assert done.record.acted_by == "clerk:a"
    letter = store.show(done.letter_id)
    summary = letter.letter
    assert summary.direction is Direction.IN
    assert summary.state is LetterState.RECEIVED
    assert summary.channel == "mail"
    assert summary.sender_org == PEO
    assert summary.receiver_org == US
    assert summary.subject == "แจ้งกำหนดการอบรมครู รุ่นที่ 2"
    assert summary.book_no == "ศธ 04002/ว1234"
    assert summary.letter_date == date(2027, 1, 5)
    package = store.load_package(done.letter_id)
    assert package.letter.speed.value == "urgent"
    assert package.main.content == corpus.PDF
    assert "somchai.peo@gmail.com" in (package.letter.description or "")
    kinds = {row.kind for row in store.queue(channel="mail") if row.letter_id == done.letter_id}
    assert kinds == {WorkKind.NOTIFY_RECEIVE}
    number = clerk.register(store, done.letter_id, actor="clerk:a")
    assert store.show(done.letter_id).letter.registry_no == number
    kinds = {row.kind for row in store.queue(channel="mail") if row.letter_id == done.letter_id}
    assert WorkKind.NOTIFY_ACCEPT in kinds
    assert store.mail_letter_of_letter(done.letter_id) is not None  # the reply goes to the person
    assert pending_mail_letters(store) == []
    history = [h.action for h in store.show(done.letter_id).history]
    assert history[:2] == ["letter.received", "mail_letter.confirmed"]


def test_confirming_twice_or_dismissing_a_confirmed_one_is_a_clear_error(store: Store) -> None:
    record_id = keep(store, corpus.thunderbird_letter())
    done = confirm_mail_letter(store, record_id, served=SERVED, actor="clerk:a")
    with pytest.raises(StoreError, match=f"ยืนยันแล้วเป็นหนังสือเลขที่ {done.letter_id}"):
        confirm_mail_letter(store, record_id, served=SERVED, actor="clerk:b")
    with pytest.raises(StoreError, match="already confirmed"):
        dismiss_mail_letter(store, record_id, reason="ไม่ใช่หนังสือ", actor="clerk:b")
    assert len(store.queue(letter_state=LetterState.RECEIVED)) == 1  # one letter, one receipt


def test_a_dismissed_mail_leaves_the_queue_and_cannot_be_confirmed(store: Store) -> None:
    record_id = keep(store, corpus.gmail_letter())
    with pytest.raises(InputError, match="เหตุผล"):
        dismiss_mail_letter(store, record_id, reason="   ", actor="clerk:a")
    dismissed = dismiss_mail_letter(store, record_id, reason="  โฆษณา ไม่ใช่หนังสือราชการ ", actor="clerk:a")
    assert dismissed.state is MailLetterState.DISMISSED
    assert dismissed.reason == "โฆษณา ไม่ใช่หนังสือราชการ"
    assert pending_mail_letters(store) == []
    with pytest.raises(StoreError, match="ถูกปัดตกแล้ว"):
        confirm_mail_letter(store, record_id, served=SERVED, actor="clerk:b")
    with pytest.raises(NotFound, match="mail pending"):
        mail_letter(store, 999)


def test_a_confirmation_cut_off_after_recording_is_taken_over_without_a_second_letter(
    store: Store, clock: Clock
) -> None:
    record_id = keep(store, corpus.thunderbird_letter())
    # A clerk's confirmation took the record and recorded the letter, then its process died.
    store.begin_mail_letter_confirm(record_id, actor="clerk:gone")
    record = store.mail_letter(record_id)
    package = letter_of(record.fields, store.mail_letter_files(record_id), served=SERVED)
    first = store.record_inbound_letter(
        record.inbox_id, package, actor="clerk:gone", signature=SignatureMark.BY_PERSON
    )
    changed = MailLetterFields(subject="เรื่องที่แก้แล้ว")  # would make a different letter if recorded again
    with pytest.raises(StoreError, match="กำลังถูกยืนยัน"):  # while the other one may still be running
        confirm_mail_letter(store, record_id, corrections=changed, served=SERVED, actor="clerk:b")
    clock.now += timedelta(minutes=6)  # past the lease: another clerk takes it over
    done = confirm_mail_letter(store, record_id, corrections=changed, served=SERVED, actor="clerk:b")
    assert done.letter_id == first.id
    assert not done.created
    assert len(store.queue(letter_state=LetterState.RECEIVED)) == 1
    assert store.mail_letter(record_id).state is MailLetterState.CONFIRMED
