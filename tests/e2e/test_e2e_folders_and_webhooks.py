"""Watched folders and webhooks with real ``ecms-gateway run`` processes: a gateway killed (SIGKILL)
at any point of an outbox pickup leaves exactly one letter and the folder in done/; a letter dropped in
A's outbox folder arrives in B's inbox folder, and B's webhook gets every event, in order, signed,
across a SIGKILL of B while its receiver was failing."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from e2e_cluster import Cluster
from sqlalchemy import func, select

from ecms_gateway.engine import Direction, LetterState
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.store.tables import LETTER, LETTER_ORIGIN
from ecms_gateway.webhooks import SIGNATURE_HEADER, Webhooks, event_id, verify
from tests.integration.folders.support import drop_sample
from tests.integration.webhooks.receiver import running_receiver

pytestmark = pytest.mark.e2e
PAUSED = Path(__file__).with_name("paused_folders.py")
FOLDERS = """
[folders]
outbox = "outbox"
inbox = "inbox"
scan_seconds = 0.2

[webhooks]
poll_seconds = 0.2

[retry.webhook]
base_seconds = 0.2
cap_seconds = 1
max_attempts = 1000
"""


def _folder(cluster: Cluster, name: str, which: str) -> Path:
    return cluster.layout[name].config.parent / which


def _paused(log: Path) -> str | None:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return next((line for line in text.splitlines() if line.startswith("PAUSED ")), None)


def _count(cluster: Cluster, name: str, table: object) -> int:
    with cluster.stores[name].db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.mark.parametrize("point", ["loaded", "submitted", "receipt", "moved"])
def test_a_gateway_killed_mid_pickup_leaves_exactly_one_letter_and_the_folder_in_done(
    make_cluster, point: str
) -> None:
    # A letter a killed worker held is taken over when its lease runs out: a short lease for the test.
    cluster = make_cluster(extra_toml=FOLDERS, lease_s=2.0)
    cluster.start_node()
    outbox = _folder(cluster, "A", "outbox")
    drop_sample(outbox, "001", "meeting")
    a = cluster.start_gateway(
        "A", command=[sys.executable, str(PAUSED), str(cluster.layout["A"].config), point]
    )
    line = cluster.wait(f"A to pause at {point}", lambda: _paused(a.log))
    assert line == f"PAUSED {point} meeting"
    a.kill()

    cluster.start_gateway("A")
    done = outbox / "done" / "meeting"
    cluster.wait("the folder to reach done/", (done / "receipt.json").is_file)
    receipt = json.loads((done / "receipt.json").read_text(encoding="utf-8"))
    package = load_letter_file(done / "letter.json")
    ref = cluster.wait_state("A", package.letter, LetterState.SENT)
    assert receipt["letter_id"] == ref.id
    assert _count(cluster, "A", LETTER) == 1
    assert _count(cluster, "A", LETTER_ORIGIN) == 1
    assert sorted(p.name for p in outbox.iterdir() if not p.name.startswith(".")) == ["done", "failed"]
    assert not any((outbox / "failed").iterdir())


def test_outbox_to_inbox_with_a_webhook_that_loses_nothing_across_a_killed_gateway(make_cluster) -> None:
    cluster = make_cluster(extra_toml=FOLDERS)
    with running_receiver() as receiver:
        receiver.fail_all = True
        hooks = Webhooks(cluster.stores["B"])
        added = hooks.add(
            receiver.url, actor="operator:test", events=["letter.received", "letter.state_changed"]
        )
        start = added.subscription.cursor_seq
        cluster.start()
        outbox = _folder(cluster, "A", "outbox")
        books = [f"ศธ 0990/{n}" for n in (71, 72, 73)]
        for n, book in enumerate(books):
            drop_sample(outbox, "001", f"letter-{n}", book_no=book)

        inbox = _folder(cluster, "B", "inbox")
        cluster.wait("three letters in B's inbox folder", lambda: len(list(inbox.glob("*/letter.json"))) == 3)
        cluster.wait("B's webhook to fail twice", lambda: len(receiver.requests) >= 2)
        failing = hooks.get(added.subscription.id)
        assert failing.health == "failing"
        assert failing.last_error is not None
        assert "HTTP 500" in failing.last_error

        cluster.gateways["B"].kill()
        receiver.fail_all = False
        cluster.start_gateway("B")
        expected = [event_id(e.seq) for e in cluster.stores["B"].letter_events(after_seq=start, limit=1000)]
        assert len(expected) >= 3

        def caught_up() -> bool:
            got = {json.loads(r.body)["id"] for r in receiver.accepted()}
            return set(expected) <= got

        # Killed in the middle of a delivery, B held the webhook's lease (at least 60 s, see
        # runtime's webhook_parts): the restarted gateway resumes once it runs out. Killed between
        # two tries, it resumes at once.
        cluster.wait("B's webhook to catch up", caught_up, timeout=90)
        time.sleep(0.5)  # anything sent twice would show now

    delivered = [json.loads(r.body) for r in receiver.accepted()]
    in_order = [d["id"] for i, d in enumerate(delivered) if i == 0 or d["id"] != delivered[i - 1]["id"]]
    assert in_order[: len(expected)] == expected
    received = [d for d in delivered if d["type"] == "letter.received"]
    assert sorted(d["book_no"] for d in received) == books
    for request in receiver.accepted():
        header = request.headers[SIGNATURE_HEADER.lower()]
        assert verify(added.secret, request.body, header, now=int(time.time()), tolerance_s=600)
    exported = sorted(load_letter_file(p).letter.book_no for p in inbox.glob("*/letter.json"))
    assert exported == books
    assert len(list((outbox / "done").iterdir())) == 3
    with cluster.stores["B"].db.read() as conn:
        inbound = conn.execute(
            select(func.count()).where(LETTER.c.direction == Direction.IN.value)
        ).scalar_one()
    assert inbound == 3
