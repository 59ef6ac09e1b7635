"""Idempotency: a repeated inbound item never makes a second record or receive number; an outbound
letter cannot be sent twice unless withdrawn first, and the database itself enforces it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import ColumnElement, Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from store_support import Backend, encode_raw, finish, make_package

from ecms_gateway.engine import NotifierIn, NotifierKind, SignatureMark, Store, WorkKind
from ecms_gateway.errors import DuplicateLetter
from ecms_gateway.store.tables import INBOX, LETTER, WORK


def _count(store: Store, table: Table, *where: ColumnElement[bool]) -> int:
    with store.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_same_process_id_is_stored_once(store: Store) -> None:
    first = store.accept_inbound(b"<item/>", channel="ecms", process_id="PID-1", actor="poller")
    again = store.accept_inbound(b"<item/>", channel="ecms", process_id="PID-1", actor="poller")
    assert first.created
    assert not again.created
    assert again.id == first.id
    assert _count(store, INBOX) == 1
    assert _count(store, WORK, WORK.c.kind == WorkKind.INBOUND.value) == 1
    # The same ProcessID on another channel is another item.
    assert store.accept_inbound(b"<item/>", channel="mail", process_id="PID-1", actor="poller").created


def test_same_letter_under_new_process_id_is_recorded_once(store: Store) -> None:
    """The node re-queues a letter under a new ProcessID: one letter, one receive number."""
    package = make_package(7)
    a = store.accept_inbound(encode_raw(package), channel="ecms", process_id="A", actor="poller")
    b = store.accept_inbound(encode_raw(package), channel="ecms", process_id="B", actor="poller")
    assert a.created
    assert b.created
    assert a.id != b.id
    first = store.record_inbound_letter(a.id, package, actor="w", signature=SignatureMark.VERIFIED)
    second = store.record_inbound_letter(b.id, package, actor="w", signature=SignatureMark.VERIFIED)
    assert first.created
    assert not second.created
    assert second.id == first.id
    assert store.register_inbound(first.id, actor="clerk") == 1
    assert store.register_inbound(second.id, actor="clerk") == 1
    assert _count(store, WORK, WORK.c.kind == WorkKind.NOTIFY_RECEIVE.value) == 1
    assert _count(store, WORK, WORK.c.kind == WorkKind.NOTIFY_ACCEPT.value) == 1
    # Same key, different content (a corrected letter): a second record, kept for the clerk.
    corrected = make_package(7, subject="เรื่องทดสอบ 7 (แก้ไข)")
    assert store.record_inbound_letter(b.id, corrected, actor="w", signature=SignatureMark.VERIFIED).created


def test_recording_with_register_as_registers_a_new_letter_in_the_same_commit(store: Store) -> None:
    """Auto-register: one transaction records and registers; both notifiers are queued, the audit has
    both steps; the same letter again is neither recorded nor registered a second time."""
    package = make_package(8)
    a = store.accept_inbound(encode_raw(package), channel="ecms", process_id="A", actor="poller")
    b = store.accept_inbound(encode_raw(package), channel="ecms", process_id="B", actor="poller")
    first = store.record_inbound_letter(
        a.id, package, actor="w", register_as="auto-register:x", signature=SignatureMark.VERIFIED
    )
    assert first.created
    assert first.receive_no == 1
    assert store.show(first.id).letter.registry_no == 1
    actions = [(h.action, h.actor) for h in store.show(first.id).history]
    assert actions == [("letter.received", "w"), ("letter.register", "auto-register:x")]
    again = store.record_inbound_letter(
        b.id, package, actor="w", register_as="auto-register:x", signature=SignatureMark.VERIFIED
    )
    assert not again.created
    assert again.id == first.id
    assert again.receive_no is None
    assert store.register_inbound(first.id, actor="clerk") == 1
    assert _count(store, WORK, WORK.c.kind == WorkKind.NOTIFY_RECEIVE.value) == 1
    assert _count(store, WORK, WORK.c.kind == WorkKind.NOTIFY_ACCEPT.value) == 1


def test_outbound_letter_cannot_be_sent_twice(store: Store) -> None:
    store.accept_outbound(make_package(1, book_no="ศธ 0990/1234"), actor="clerk", channel="ecms")
    with pytest.raises(DuplicateLetter, match="cannot be sent twice"):
        store.accept_outbound(make_package(2, book_no="ศธ 0990/1234"), actor="clerk", channel="mail")
    with pytest.raises(DuplicateLetter):  # Thai digits name the same book number
        store.accept_outbound(make_package(3, book_no="ศธ ๐๙๙๐/๑๒๓๔"), actor="clerk", channel="ecms")
    # Another date or another sender is another letter.
    store.accept_outbound(
        make_package(4, book_no="ศธ 0990/1234", day=date(2026, 11, 21)), actor="c", channel="ecms"
    )
    store.accept_outbound(
        make_package(5, book_no="ศธ 0990/1234", sender="2088000000"), actor="c", channel="ecms"
    )
    assert _count(store, LETTER) == 3


def test_resend_allowed_only_after_withdrawal(store: Store) -> None:
    first = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    claim = store.claim("ecms", "w")
    assert claim is not None
    store.complete(claim.work_id, worker="w")
    notifier = NotifierIn(
        kind=NotifierKind.REJECT, sender_dept="20990", book_no="ศธ 0990/1", letter_date=date(2026, 11, 20)
    )
    store.match_notifier(notifier, actor="w")
    with pytest.raises(DuplicateLetter):  # rejected but not withdrawn yet
        store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    store.withdraw(first, actor="clerk", reason="wrong receiver")
    second = store.accept_outbound(make_package(1), actor="clerk", channel="ecms", resend_of=first)
    assert second != first
    assert store.show(second).letter.registry_no == 2  # the failed try kept no number


def test_database_enforces_the_outbound_rule(store: Store) -> None:
    """A second live row with the same key is refused by the database, not only by the application."""
    letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    with store.db.read() as conn:
        row = dict(conn.execute(select(LETTER).where(LETTER.c.id == letter_id)).mappings().one())
    row.pop("id")
    row.update(registry_no=None, state="sent")
    with pytest.raises(IntegrityError), store.db.write() as conn:
        conn.execute(insert(LETTER).values(**row))
    row.update(state="withdrawn")  # a withdrawn copy is allowed: that is how resends work
    with store.db.write() as conn:
        conn.execute(insert(LETTER).values(**row))


def test_database_enforces_the_inbound_rule(store: Store) -> None:
    inbox = store.accept_inbound(b"x", channel="ecms", process_id="P", actor="poller")
    letter_id = store.record_inbound_letter(
        inbox.id, make_package(3), actor="w", signature=SignatureMark.VERIFIED
    ).id
    with store.db.read() as conn:
        row = dict(conn.execute(select(LETTER).where(LETTER.c.id == letter_id)).mappings().one())
    row.pop("id")
    with pytest.raises(IntegrityError), store.db.write() as conn:
        conn.execute(insert(LETTER).values(**row))


def test_concurrent_pollers_store_each_item_once(backend: Backend, tmp_path: Path) -> None:
    """Four pollers race over copies of the same queue: each ProcessID is stored once."""
    with backend.open():
        pass
    procs = []
    for n in range(4):
        queue = tmp_path / f"q{n}"
        queue.mkdir()
        for i in range(1, 21):
            (queue / f"P{i:03d}").write_bytes(encode_raw(make_package(i)))
        procs.append(backend.worker("poll", "--queue-dir", str(queue), "--worker", f"poller{n}"))
    created = [line for p in procs for line in finish(p).splitlines() if line.endswith(" True")]
    assert len(created) == 20
    with backend.open() as store:
        assert _count(store, INBOX) == 20
        assert store.verify_audit().ok
