"""Workers killed with SIGKILL at the worst moments: after restart every item completes exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from store_support import Backend, encode_raw, finish, make_package

from ecms_gateway.engine import LetterState, Store, WorkKind, WorkState
from ecms_gateway.store.tables import ATTEMPT, AUDIT, INBOX, LETTER, WORK


def kill_when_paused(proc: subprocess.Popen[str]) -> str:
    """Read the worker's output until it pauses at its hook, then SIGKILL it; returns the pause line."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("PAUSED"):
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)  # reaps it and closes the pipes
            assert proc.returncode == -signal.SIGKILL
            return line.strip()
    _, err = proc.communicate()
    raise AssertionError(f"worker ended without reaching its pause point: {err[-2000:]}")


def test_send_worker_killed_between_claim_and_completion(backend: Backend) -> None:
    """The killed worker's lease expires; a restarted worker takes the item over; each letter is sent once."""
    with backend.open() as store:
        letter_ids = [
            store.accept_outbound(make_package(i), actor="clerk", channel="ecms") for i in range(1, 7)
        ]

    paused = kill_when_paused(
        backend.worker("send", "--lease", "30", env={"ECMS_TEST_PAUSE_AT": "after_claim:3"})
    )
    killed_work = int(paused.split()[-1])
    with backend.open() as store:
        held = list(store.queue(work_state=WorkState.LEASED))
        assert [r.work_id for r in held] == [killed_work]  # held by the dead worker, lease not yet over
    # Restarted a minute later (by its clock): the dead worker's 30 s lease has run out.
    out = finish(backend.worker("send", "--lease", "30", "--clock-offset", "60"))
    assert f"DONE {killed_work}" in out

    with backend.open() as store, store.db.read() as conn:
        states = dict(conn.execute(select(LETTER.c.id, LETTER.c.state)).all())
        assert states == dict.fromkeys(letter_ids, LetterState.SENT.value)
        assert conn.execute(select(WORK.c.state).where(WORK.c.kind == "send").distinct()).scalars().all() == [
            "done"
        ]
        sent = Counter(
            conn.execute(select(AUDIT.c.letter_id).where(AUDIT.c.action == "letter.sent")).scalars()
        )
        assert sent == Counter(letter_ids)  # exactly once each
        outcomes = conn.execute(
            select(ATTEMPT.c.number, ATTEMPT.c.outcome)
            .where(ATTEMPT.c.work_id == killed_work)
            .order_by(ATTEMPT.c.number)
        ).all()
        assert [tuple(o) for o in outcomes] == [(1, "lost"), (2, "done")]
        taken_over = conn.execute(
            select(func.count()).where(AUDIT.c.action == "work.taken_over")
        ).scalar_one()
        assert taken_over == 1
        assert store.verify_audit().ok


def test_poller_killed_between_store_and_acknowledge(backend: Backend, tmp_path: Path) -> None:
    """The unacknowledged item comes again after restart and is recognised: one record per item."""
    queue = tmp_path / "node-queue"
    queue.mkdir()
    packages = {f"P{i:03d}": make_package(i) for i in range(1, 6)}
    for process_id, package in packages.items():
        (queue / process_id).write_bytes(encode_raw(package))
    with backend.open():
        pass  # migrate before the workers start

    kill_when_paused(
        backend.worker("poll", "--queue-dir", str(queue), env={"ECMS_TEST_PAUSE_AT": "after_store:2"})
    )
    assert (queue / "P002").exists()  # stored but never acknowledged
    out = finish(backend.worker("poll", "--queue-dir", str(queue)))
    assert out.splitlines()[0].startswith("STORED P002 ")
    assert out.splitlines()[0].endswith(" False")
    assert not list(queue.iterdir())

    # Processing is killed too, between recording the letter and completing the work item.
    paused = kill_when_paused(
        backend.worker("inbound", "--lease", "30", env={"ECMS_TEST_PAUSE_AT": "after_record:3"})
    )
    out = finish(backend.worker("inbound", "--lease", "30", "--clock-offset", "60"))
    recorded_letter = paused.split()[-1]
    # The taken-over item decodes to the letter already recorded: recognised, not recorded again.
    assert next(line.split()[2:] for line in out.splitlines()) == [recorded_letter, "False"]

    with backend.open() as store, store.db.read() as conn:
        inbox = conn.execute(select(INBOX.c.process_id)).scalars().all()
        assert sorted(inbox) == sorted(packages)
        letters = conn.execute(
            select(LETTER.c.book_no, LETTER.c.state).where(LETTER.c.direction == "in")
        ).all()
        assert sorted(b for b, _ in letters) == sorted(p.letter.book_no for p in packages.values())
        assert {s for _, s in letters} == {LetterState.RECEIVED.value}
        work = Counter((kind, state) for kind, state in conn.execute(select(WORK.c.kind, WORK.c.state)))
        assert work == {(WorkKind.INBOUND.value, "done"): 5, (WorkKind.NOTIFY_RECEIVE.value, "ready"): 5}
        received = (
            conn.execute(select(AUDIT.c.letter_id).where(AUDIT.c.action == "letter.received")).scalars().all()
        )
        assert len(received) == len(set(received)) == 5  # each letter recorded once
        assert store.verify_audit().ok


def test_concurrent_workers_never_share_an_item(backend: Backend) -> None:
    """Four worker processes drain one queue: every item is claimed and completed exactly once."""
    with backend.open() as store:
        for i in range(1, 41):
            store.accept_outbound(make_package(i), actor="clerk", channel="ecms")
    procs = [backend.worker("claimall", "--worker", f"w{n}") for n in range(4)]
    done = [int(line.split()[1]) for p in procs for line in finish(p).splitlines() if line.startswith("DONE")]
    assert sorted(done) == list(range(1, 41))
    with backend.open() as store, store.db.read() as conn:
        assert conn.execute(select(func.max(WORK.c.attempts))).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(ATTEMPT)).scalar_one() == 40
        assert isinstance(store, Store)
        assert store.verify_audit().ok
