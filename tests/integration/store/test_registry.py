"""Registry numbers: per organisation, register and calendar year, from 1, gap-free and unique, even
with many processes allocating at once and transactions that roll back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from store_support import Backend, FakeClock, finish, make_package

from ecms_gateway.engine import SignatureMark, Store
from ecms_gateway.engine.registry import registry_year
from ecms_gateway.store.tables import LETTER

PROCESSES = 8
LETTERS = 1000


def test_eight_processes_allocate_1_to_n_exactly(backend: Backend) -> None:
    """8 processes accept 1,000 letters, and also try 80 duplicates (rolled back after allocating):
    the outgoing numbers are exactly 1..1000 and the audit chain is intact.
    """
    with backend.open():
        pass  # migrate once before the processes start
    shares = [list(range(p + 1, LETTERS + 1, PROCESSES)) for p in range(PROCESSES)]
    # Each process also retries ten letters that another process owns: DuplicateLetter, rolled back.
    for p, share in enumerate(shares):
        share.extend(shares[(p + 1) % PROCESSES][:10])
    procs = [
        backend.worker("accept", "--letters", ",".join(map(str, s)), "--worker", f"p{n}")
        for n, s in enumerate(shares)
    ]
    lines = [line for proc in procs for line in finish(proc, timeout=170).splitlines()]
    accepted = [line for line in lines if line.startswith("ACCEPTED")]
    duplicates = [line for line in lines if line.startswith("DUPLICATE")]
    assert len(accepted) == LETTERS
    assert len(duplicates) == PROCESSES * 10

    with backend.open() as store, store.db.read() as conn:
        numbers = conn.execute(select(LETTER.c.registry_no).order_by(LETTER.c.registry_no)).scalars().all()
        assert numbers == list(range(1, LETTERS + 1))
        years = conn.execute(select(LETTER.c.registry_year).distinct()).scalars().all()
        assert len(years) == 1
        report = store.verify_audit()
        assert report.ok, report.problem
        assert report.checked == LETTERS  # one entry per accepted letter, none for the rolled-back ones


def test_receive_numbers_restart_each_thai_calendar_year(store: Store, clock: FakeClock) -> None:
    """Receive numbers count per year in Thai time: 17:30 UTC on 31 December is already next year."""
    clock.now = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)  # 23:59 in Bangkok
    first = _received(store, 1)
    assert store.register_inbound(first, actor="clerk") == 1
    assert store.register_inbound(_received(store, 2), actor="clerk") == 2
    clock.now = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 in Bangkok
    assert registry_year(clock.now) == 2027
    assert store.register_inbound(_received(store, 3), actor="clerk") == 1
    assert store.register_inbound(first, actor="clerk") == 1  # registering again gives the same number
    assert store.show(first).letter.registry_year == 2026


def test_numbers_are_per_organisation(store: Store) -> None:
    a = store.accept_outbound(make_package(1, sender="2099000000"), actor="clerk", channel="ecms")
    b = store.accept_outbound(make_package(2, sender="2088000000"), actor="clerk", channel="ecms")
    c = store.accept_outbound(make_package(3, sender="2099000000"), actor="clerk", channel="ecms")
    assert [store.show(i).letter.registry_no for i in (a, b, c)] == [1, 1, 2]


def _received(store: Store, i: int) -> int:
    inbox = store.accept_inbound(f"raw {i}".encode(), channel="ecms", process_id=f"P{i}", actor="poller")
    return store.record_inbound_letter(
        inbox.id, make_package(i), actor="worker", signature=SignatureMark.VERIFIED
    ).id
