"""Faults on the way: the node down for a while, a node that fails or cuts 30% of the requests, and a
gateway killed between storing an inbound item and deleting it from the node's queue."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_cluster import Cluster, letter
from ecms_adapters.runtime.layout import AgencyOptions
from ecms_adapters.runtime.processes import free_port
from fault_proxy import FaultProxy
from sqlalchemy import Engine, create_engine, func, select

from ecms_gateway.engine import Direction, LetterState, WorkKind
from ecms_gateway.node.options import DATABASE_FILE, SERVICE_PATH
from ecms_gateway.node.tables import INBOUND
from ecms_gateway.store.tables import INBOX, LETTER

pytestmark = pytest.mark.e2e

AUTO_REGISTER = (
    AgencyOptions(name="A", org_id="2099000000", auto_register=True),
    AgencyOptions(name="B", org_id="2099100000", auto_register=True),
)


def test_letters_wait_while_the_node_is_down_and_go_through_after(
    make_cluster: Callable[..., Cluster],
) -> None:
    """Sends fail with connection refused and are retried with backoff; nothing is lost or doubled."""
    cluster = make_cluster(agencies=AUTO_REGISTER, retry_base_s=0.2, retry_cap_s=1.0, max_attempts=100)
    cluster.start()
    cluster.stop_node()
    packages = [letter(n) for n in range(1, 6)]
    ids = [cluster.submit("A", p) for p in packages]

    def retried() -> bool:
        attempts = [a for i in ids for a in cluster.stores["A"].show(i).attempts if a.kind is WorkKind.SEND]
        failed = [a for a in attempts if a.outcome == "retry"]
        return len(failed) >= 2 * len(ids) and all("connect" in (a.error or "") for a in failed)

    cluster.wait("the sends to fail and be retried", retried)
    waiting = {ref.state for p in packages if (ref := cluster.sent("A", p.letter)) is not None}
    assert waiting <= {LetterState.QUEUED, LetterState.SENDING}

    cluster.start_node()
    for package in packages:
        cluster.wait_state("A", package.letter, LetterState.ACCEPTED)
    numbers = sorted(cluster.receive_number("B", p.letter) for p in packages)
    assert numbers == [1, 2, 3, 4, 5]
    assert _letters(cluster, "B", Direction.IN) == 5


def test_a_node_failing_or_cutting_30_percent_of_requests_delivers_everything_once(
    make_cluster: Callable[..., Cluster],
) -> None:
    node_port = free_port()
    proxy = FaultProxy(node_port, rate=0.3)
    proxy_port = proxy.start()
    try:
        cluster = make_cluster(
            node_port=node_port,
            client_url=f"http://127.0.0.1:{proxy_port}{SERVICE_PATH}",
            agencies=AUTO_REGISTER,
            retry_base_s=0.1,
            retry_cap_s=1.0,
            max_attempts=60,
            poll_interval_s=0.3,
        ).start()
        to_b = [letter(n, sender="A") for n in range(1, 16)]
        to_a = [letter(n, sender="B") for n in range(1, 11)]
        for package in to_b:
            cluster.submit("A", package)
        for package in to_a:
            cluster.submit("B", package)
        for sender, packages in (("A", to_b), ("B", to_a)):
            for package in packages:
                cluster.wait_state(sender, package.letter, LetterState.ACCEPTED, timeout=120)
    finally:
        proxy.stop()
    for fault in ("500", "cut before", "cut after"):
        assert proxy.counts[fault] > 0, proxy.counts
    for receiver, packages in (("B", to_b), ("A", to_a)):
        store = cluster.stores[receiver]
        assert _letters(cluster, receiver, Direction.IN) == len(packages)
        numbers = sorted(cluster.receive_number(receiver, p.letter) for p in packages)
        assert numbers == list(range(1, len(packages) + 1))
        assert store.refused_events() == []  # a receipt retried past the answer is only noted
        assert store.unmatched_notifiers() == []
    # The node enqueued each letter and each notifier exactly once, however often the request was sent.
    kinds = _node_items(cluster)
    assert kinds == {
        ("2099100000", "CorrespondenceLetter"): 15,
        ("2099000000", "CorrespondenceLetter"): 10,
        ("2099000000", "ReceiveLetterNotifier"): 15,
        ("2099000000", "AcceptLetterNotifier"): 15,
        ("2099100000", "ReceiveLetterNotifier"): 10,
        ("2099100000", "AcceptLetterNotifier"): 10,
    }


def test_gateway_killed_after_storing_an_item_before_deleting_it(
    make_cluster: Callable[..., Cluster],
) -> None:
    """After a restart the item comes again: one record, one receive number, and it leaves the queue."""
    # Work the killed gateway held is taken over when its lease runs out: a short lease for the test.
    cluster = make_cluster(agencies=AUTO_REGISTER, lease_s=2.0)
    cluster.start_node()
    cluster.start_gateway("A")
    paused = Path(__file__).with_name("paused_gateway.py")
    b = cluster.start_gateway("B", command=[sys.executable, str(paused), str(cluster.layout["B"].config)])
    package = letter(1)
    cluster.submit("A", package)
    line = cluster.wait("B to pause after storing", lambda: _paused_line(b.log))
    process_id = line.split()[1]
    assert _node_state(cluster, process_id) == "queued"  # stored at B, not yet deleted at the node
    b.kill()

    cluster.start_gateway("B")
    cluster.wait_state("A", package.letter, LetterState.ACCEPTED)
    cluster.wait("the node to delete the item", lambda: _node_state(cluster, process_id) == "fetched")
    store = cluster.stores["B"]
    with store.db.read() as conn:
        inbox = conn.execute(select(INBOX.c.process_id).where(INBOX.c.process_id == process_id)).all()
    assert len(inbox) == 1
    inbound = cluster.received("B", package.letter)
    assert inbound is not None
    assert _letters(cluster, "B", Direction.IN) == 1
    assert store.show(inbound.id).letter.registry_no == 1
    assert store.refused_events() == []
    assert cluster.stores["A"].refused_events() == []


def _paused_line(log: Path) -> str | None:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return next((line for line in text.splitlines() if line.startswith("PAUSED ")), None)


def _letters(cluster: Cluster, name: str, direction: Direction) -> int:
    with cluster.stores[name].db.read() as conn:
        return int(
            conn.execute(select(func.count()).where(LETTER.c.direction == direction.value)).scalar_one()
        )


def _node_engine(cluster: Cluster) -> Engine:
    return create_engine(f"sqlite:///{cluster.layout.node_data / DATABASE_FILE}")


def _node_state(cluster: Cluster, process_id: str) -> str | None:
    engine = _node_engine(cluster)
    try:
        with engine.connect() as conn:
            return conn.execute(select(INBOUND.c.state).where(INBOUND.c.process_id == process_id)).scalar()
    finally:
        engine.dispose()


def _node_items(cluster: Cluster) -> dict[tuple[str, str], int]:
    engine = _node_engine(cluster)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(INBOUND.c.org_id, INBOUND.c.item_kind, func.count()).group_by(
                    INBOUND.c.org_id, INBOUND.c.item_kind
                )
            ).all()
    finally:
        engine.dispose()
    return {(org, kind): count for org, kind, count in rows}
