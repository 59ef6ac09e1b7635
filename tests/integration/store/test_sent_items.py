"""The sent-message archive (``sent_item``): a message is kept before its first try, byte for byte (in
its row up to 1 MiB, else in the file store), found again by every try of the same run, confirmed in
the transaction that completes its work item, chained into the audit log by its SHA-256, and never
dropped by a downgrade."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, update
from store_support import Backend, FakeClock, make_package

from ecms_gateway.engine import Claim, LetterState, Store
from ecms_gateway.engine.raw_bytes import INLINE_RAW_MAX
from ecms_gateway.engine.sent import ARCHIVED
from ecms_gateway.engine.sent_values import SentDraft, SentWhat
from ecms_gateway.engine.values import Confirmation
from ecms_gateway.errors import DowngradeRefused, LeaseLost, StoreError, TransientFailure
from ecms_gateway.store.migrate import alembic_config
from ecms_gateway.store.tables import SENT

LEASE = timedelta(minutes=1)
REQUEST = "<soap:Envelope>คำขอ ที่ ศธ 0990/1</soap:Envelope>".encode()


def _claimed(store: Store, i: int = 1, *, channel: str = "ecms") -> Claim:
    store.accept_outbound(make_package(i), actor="clerk", channel=channel)
    claim = store.claim(channel, "w1", lease=LEASE)
    assert claim is not None
    return claim


def _draft(claim: Claim, raw: bytes = REQUEST, **changes: object) -> SentDraft:
    values: dict[str, object] = {
        "work_id": claim.work_id,
        "run_started_at": claim.first_try_at,
        "letter_id": claim.letter_id,
        "channel": claim.channel,
        "what": SentWhat.LETTER,
        "message_id": f"mid://test.w{claim.work_id}",
        "raw": raw,
    }
    values.update(changes)
    return SentDraft(**values)  # type: ignore[arg-type]


def _files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "files").rglob("*") if p.is_file()]


def test_a_message_is_kept_in_its_row_and_found_again_by_a_retry_of_its_run(
    store: Store, backend: Backend, clock: FakeClock
) -> None:
    claim = _claimed(store)
    files_before = _files(backend.data_dir)
    kept = store.archive_sent(_draft(claim), actor="w1")
    assert kept.raw == REQUEST
    assert (kept.sent.sha256, kept.sent.size) == (hashlib.sha256(REQUEST).hexdigest(), len(REQUEST))
    assert kept.sent.confirmed_at is None
    assert _files(backend.data_dir) == files_before  # the letter's own files only
    store.fail(claim.work_id, worker="w1", error=TransientFailure("the reply was lost"))
    clock.advance(minutes=10)
    retry = store.claim("ecms", "w2", lease=LEASE)
    assert retry is not None
    assert (retry.attempt, retry.first_try_at) == (2, claim.first_try_at)
    again = store.sent_of_run(retry.work_id, run_started_at=retry.first_try_at)
    assert again is not None
    assert (again.sent.id, again.raw) == (kept.sent.id, REQUEST)
    assert store.load_sent(kept.sent.id) == REQUEST


def test_a_try_released_after_archiving_is_retried_with_the_same_message(
    store: Store, clock: FakeClock
) -> None:
    """The gateway stopped while a try that had archived its request was sending it: the node may have
    queued it. The next try is a retry of the same run (the release counted it), so it finds the
    archived request and sends it again under the same MessageID instead of building a second one."""
    claim = _claimed(store)
    kept = store.archive_sent(_draft(claim), actor="w1")
    clock.advance(seconds=5)
    store.release(claim.work_id, worker="w1", reason="released: the gateway stopped while it was in hand")
    assert store.show(claim.letter_id or 0).letter.state is LetterState.QUEUED
    retry = store.claim("ecms", "w2", lease=LEASE)
    assert retry is not None
    assert (retry.attempt, retry.first_try_at) == (2, claim.first_try_at)
    again = store.sent_of_run(retry.work_id, run_started_at=retry.first_try_at)
    assert again is not None
    assert (again.sent.id, again.raw) == (kept.sent.id, REQUEST)
    [released, _] = store.show(claim.letter_id or 0).attempts
    assert (released.number, released.outcome) == (1, "released")
    assert released.error is not None
    assert released.error.endswith("may have reached the channel: the next try resends it")


def test_a_try_released_before_archiving_is_not_counted_and_starts_afresh(
    store: Store, clock: FakeClock
) -> None:
    claim = _claimed(store)
    clock.advance(seconds=5)
    store.release(claim.work_id, worker="w1", reason="released: the gateway stopped before it was tried")
    again = store.claim("ecms", "w2", lease=LEASE)
    assert again is not None
    assert (again.attempt, again.first_try_at) == (1, clock.now)
    assert store.sent_of_run(again.work_id, run_started_at=again.first_try_at) is None


def test_a_message_over_the_limit_goes_to_the_file_store(store: Store, backend: Backend) -> None:
    claim = _claimed(store)
    large = b"x" * (INLINE_RAW_MAX + 1)
    kept = store.archive_sent(_draft(claim, large), actor="w1")
    with store.db.read() as conn:
        assert conn.execute(select(SENT.c.raw)).scalar_one() is None
    digest = hashlib.sha256(large).hexdigest()
    assert digest in {p.name for p in _files(backend.data_dir)}
    assert store.load_sent(kept.sent.id) == large


def test_a_second_archive_of_the_same_run_keeps_the_first_message(store: Store) -> None:
    """Two workers racing for a taken-over item: the one that archives second sends the first's bytes."""
    claim = _claimed(store)
    first = store.archive_sent(_draft(claim), actor="w1")
    second = store.archive_sent(_draft(claim, b"<rebuilt-and-signed-again/>"), actor="w2")
    assert (second.sent.id, second.raw) == (first.sent.id, REQUEST)
    with store.db.read() as conn:
        assert len(conn.execute(select(SENT.c.id)).all()) == 1


def test_the_completion_confirms_the_message_and_a_lost_lease_confirms_nothing(
    store: Store, clock: FakeClock
) -> None:
    claim = _claimed(store)
    kept = store.archive_sent(_draft(claim), actor="w1")
    clock.advance(minutes=2)  # w1's lease ran out; w2 takes the item over and sends the same bytes
    taken = store.claim("ecms", "w2", lease=LEASE)
    assert taken is not None
    confirmation = Confirmation(sent_id=kept.sent.id, answer="ProcessID 0123abcd")
    with pytest.raises(LeaseLost):
        store.complete(claim.work_id, worker="w1", note="ProcessID 0123abcd", confirmation=confirmation)
    assert store.show(claim.letter_id or 0).sent[0].confirmed_at is None
    clock.advance(seconds=1)
    store.complete(taken.work_id, worker="w2", note="ProcessID 0123abcd", confirmation=confirmation)
    [sent] = store.show(claim.letter_id or 0).sent
    assert (sent.confirmed_at, sent.confirmation) == (clock.now, "ProcessID 0123abcd")
    assert store.show(claim.letter_id or 0).letter.state is LetterState.SENT


def test_complete_and_claim_confirms_in_the_same_transaction(store: Store) -> None:
    claim = _claimed(store)
    store.accept_outbound(make_package(2), actor="clerk", channel="ecms")
    kept = store.archive_sent(_draft(claim), actor="w1")
    following = store.complete_and_claim(
        claim.work_id,
        worker="w1",
        note="ProcessID 1",
        confirmation=Confirmation(sent_id=kept.sent.id, answer="ProcessID 1"),
        channel="ecms",
        lease=LEASE,
    )
    assert following is not None
    assert store.show(claim.letter_id or 0).sent[0].confirmation == "ProcessID 1"


def test_the_archived_digest_is_in_the_audit_chain(store: Store) -> None:
    claim = _claimed(store)
    kept = store.archive_sent(_draft(claim), actor="w1")
    entry = next(h for h in store.show(claim.letter_id or 0).history if h.action == ARCHIVED)
    detail = json.loads(entry.detail or "{}")
    assert detail["sha256"] == hashlib.sha256(REQUEST).hexdigest()
    assert (detail["sent_id"], detail["what"], detail["message_id"]) == (
        kept.sent.id,
        "letter",
        kept.sent.message_id,
    )
    assert entry.actor == "w1"
    assert store.verify_audit().ok


def test_a_changed_row_is_reported_as_corrupt(store: Store) -> None:
    claim = _claimed(store)
    kept = store.archive_sent(_draft(claim), actor="w1")
    with store.db.write() as conn:
        conn.execute(update(SENT).where(SENT.c.id == kept.sent.id).values(raw=b"<forged/>"))
    with pytest.raises(StoreError, match=f"sent message {kept.sent.id} is corrupt"):
        store.load_sent(kept.sent.id)


def test_a_mailed_letter_is_found_by_its_message_id_and_keeps_its_envelope(store: Store) -> None:
    claim = _claimed(store, channel="mail")
    message_id = "<letter.0123@a.example.go.th>"
    store.archive_sent(
        _draft(
            claim,
            b"Message-ID: <letter.0123@a.example.go.th>\r\n\r\nbody\r\n",
            message_id=message_id,
            mail_from="saraban@a.example.go.th",
            rcpt_to=("saraban@b.example.go.th",),
        ),
        actor="w1",
    )
    assert store.letter_of_mailed(message_id) == claim.letter_id
    [sent] = store.show(claim.letter_id or 0).sent
    assert (sent.mail_from, sent.rcpt_to) == ("saraban@a.example.go.th", ("saraban@b.example.go.th",))


def test_downgrading_refuses_to_drop_archived_messages_and_an_empty_archive_goes(tmp_path: Path) -> None:
    with Store(data_dir=tmp_path / "kept") as store:
        store.archive_sent(_draft(_claimed(store)), actor="w1")
        with store.db.write() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            with pytest.raises(DowngradeRefused, match="1 sent message"):
                command.downgrade(config, "0007")
    with Store(data_dir=tmp_path / "empty") as store, store.db.write() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
        assert "sent_item" not in {
            t for (t,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
