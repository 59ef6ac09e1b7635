"""The audit chain: `audit verify` names the first entry that was altered, removed or reordered."""

from __future__ import annotations

import pytest
from sqlalchemy import Executable, delete, select, update
from store_support import Backend, make_package

from ecms_gateway.cli import main as cli
from ecms_gateway.engine import Store
from ecms_gateway.engine.audit import GENESIS, entry_hash
from ecms_gateway.engine.values import ChainBreak
from ecms_gateway.store.tables import AUDIT


def _chain(store: Store, letters: int = 3) -> None:
    """Ten entries or more: accept, claim and complete a few letters."""
    for i in range(1, letters + 1):
        store.accept_outbound(make_package(i), actor="clerk:somchai", channel="ecms")
    while (claim := store.claim("ecms", "w1")) is not None:
        store.complete(claim.work_id, worker="w1")


def _tamper(store: Store, *statements: Executable) -> None:
    with store.db.write() as conn:
        for stmt in statements:
            conn.execute(stmt)


def test_intact_chain_verifies(store: Store) -> None:
    _chain(store)
    report = store.verify_audit()
    assert report.ok
    assert report.checked == 9
    assert report.first_bad is None


def test_altered_entry_is_named(store: Store) -> None:
    _chain(store)
    _tamper(store, update(AUDIT).where(AUDIT.c.seq == 4).values(actor="clerk:someone-else"))
    report = store.verify_audit()
    assert (report.first_bad, report.checked) == (4, 3)
    assert report.problem is not None
    assert "altered" in report.problem
    assert (report.kind, report.numbers) == (ChainBreak.ALTERED, {"seq": 4})  # for the pages to word


def test_altered_and_rehashed_entry_is_named(store: Store) -> None:
    """Rewriting an entry with a fresh valid hash breaks the next entry's link to it."""
    _chain(store)
    with store.db.write() as conn:
        row = conn.execute(select(AUDIT).where(AUDIT.c.seq == 5)).mappings().one()
        forged = entry_hash(
            at=row["at"],
            actor="clerk:forger",
            action=row["action"],
            letter_id=row["letter_id"],
            work_id=row["work_id"],
            reason=row["reason"],
            detail=row["detail"],
            prev_hash=row["prev_hash"],
        )
        conn.execute(update(AUDIT).where(AUDIT.c.seq == 5).values(actor="clerk:forger", hash=forged))
    report = store.verify_audit()
    assert report.first_bad == 5
    assert report.problem is not None
    assert "entry 5 was altered" in report.problem
    assert (report.kind, report.numbers) == (ChainBreak.REHASHED, {"seq": 5, "next": 6})


def test_removed_entry_is_named(store: Store) -> None:
    _chain(store)
    _tamper(store, delete(AUDIT).where(AUDIT.c.seq == 6))
    report = store.verify_audit()
    assert report.first_bad == 6
    assert report.problem is not None
    assert "entry 6 removed" in report.problem
    assert (report.kind, report.numbers) == (ChainBreak.REMOVED, {"first": 6, "last": 6, "seq": 7})


def test_removed_first_entry_is_named(store: Store) -> None:
    _chain(store)
    _tamper(store, delete(AUDIT).where(AUDIT.c.seq == 1))
    report = store.verify_audit()
    assert report.first_bad == 1
    assert report.problem is not None
    assert "removed" in report.problem
    assert (report.kind, report.numbers) == (ChainBreak.REMOVED, {"first": 1, "last": 1, "seq": 2})


def test_removed_last_entries_are_named(store: Store) -> None:
    """Cutting off the end leaves a valid-looking chain; the head row shows what is missing."""
    _chain(store)
    _tamper(store, delete(AUDIT).where(AUDIT.c.seq >= 8))
    report = store.verify_audit()
    assert report.first_bad == 8
    assert report.problem is not None
    assert "entries 8 to 9 were removed from the end" in report.problem
    assert (report.kind, report.numbers) == (ChainBreak.END_REMOVED, {"first": 8, "last": 9})


def test_reordered_entries_are_named(store: Store) -> None:
    """Swapping two entries' places: each keeps its own valid hash, but the links show the move."""
    _chain(store)
    _tamper(
        store,
        update(AUDIT).where(AUDIT.c.seq == 3).values(seq=-3),
        update(AUDIT).where(AUDIT.c.seq == 4).values(seq=3),
        update(AUDIT).where(AUDIT.c.seq == -3).values(seq=4),
    )
    report = store.verify_audit()
    assert report.first_bad == 3
    assert report.problem is not None
    assert "entry 3 was reordered" in report.problem
    assert (report.kind, report.numbers) == (
        ChainBreak.REORDERED,
        {"seq": 3, "belongs_after": 4, "placed_after": 2},
    )


def test_chain_starts_at_genesis(store: Store) -> None:
    _chain(store, letters=1)
    with store.db.read() as conn:
        first = conn.execute(select(AUDIT).where(AUDIT.c.seq == 1)).mappings().one()
    assert first["prev_hash"] == GENESIS


@pytest.mark.parametrize("tampered", [False, True])
def test_audit_verify_command(
    backend: Backend, tampered: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ecms-gateway audit verify` exits 0 on an intact chain, 1 naming the entry on a broken one."""
    with backend.open() as store:
        _chain(store)
        if tampered:
            _tamper(store, update(AUDIT).where(AUDIT.c.seq == 2).values(reason="nothing happened"))
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecms_gateway.cli.store_cmds",))
    code = cli.main(["audit", "verify", "--database-url", backend.url])
    out, err = capsys.readouterr()
    if tampered:
        assert code == 1
        assert err.startswith("audit chain broken at entry 2: entry 2 was altered")
    else:
        assert code == 0
        assert out.strip() == "audit chain intact: 9 entries checked"
