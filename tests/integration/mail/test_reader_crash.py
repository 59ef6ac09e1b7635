"""A reader killed (SIGKILL) at any point of a fetch loses nothing and stores nothing twice once it is
restarted: commit before flag, checkpoint after flag, and the store's dedupe on the message's key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ecms_gateway.engine import Store
from ecms_gateway.mail.message_ids import dedupe_key
from ecms_gateway.store.tables import INBOX
from tests.integration.mail.servers import PASSWORD, Dovecot, MailUser

WORKER = Path(__file__).with_name("reader_worker.py")
ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 7


def _message(n: int) -> bytes:
    return (
        f"From: saraban@sample-peo.example.go.th\r\nSubject: letter {n}\r\n"
        f"Message-ID: <crash{n}@peo.test>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nbody {n}\r\n"
    ).encode("ascii")


def _start(dovecot: Dovecot, user: MailUser, data_dir: Path, pause: str | None) -> subprocess.Popen[str]:
    env = {**os.environ, "ECMS_TEST_MAIL_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT)}
    env.pop("ECMS_TEST_PAUSE_AT", None)
    if pause:
        env["ECMS_TEST_PAUSE_AT"] = pause
    command = [sys.executable, str(WORKER), "--port", str(dovecot.imap_port), "--user", user.name]
    command += ["--data-dir", str(data_dir), "--journal", str(data_dir / "journal.txt"), "--batch", "2"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line:
        _, err = process.communicate(timeout=10)
        pytest.fail(f"the reader ended without a word (exit {process.returncode}): {err[-2000:]}")
    return line


@pytest.mark.parametrize(
    "pause",
    ["after_fetch:2", "after_commit:1", "after_commit:4", "after_dispose:2", "after_checkpoint:1"],
)
def test_a_reader_killed_mid_fetch_loses_nothing_and_stores_nothing_twice(
    dovecot: Dovecot, mailbox: MailUser, tmp_path: Path, pause: str
) -> None:
    for n in range(MESSAGES):
        mailbox.deliver(_message(n))
    data_dir = tmp_path / "gateway"
    first = _start(dovecot, mailbox, data_dir, pause)
    try:
        paused = _line(first)
        assert paused.startswith(f"PAUSED {pause.split(':', maxsplit=1)[0]}")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate(timeout=10)

    second = _start(dovecot, mailbox, data_dir, None)
    done = _line(second)
    second.communicate(timeout=30)
    assert done.startswith("DONE ")

    with Store(data_dir=data_dir) as store, store.db.read() as conn:
        rows = conn.execute(select(INBOX.c.process_id).where(INBOX.c.channel == "mail")).scalars().all()
        total = conn.execute(select(func.count()).select_from(INBOX)).scalar_one()
    expected = {dedupe_key(_message(n)) for n in range(MESSAGES)}
    assert sorted(rows) == sorted(expected)  # nothing lost, nothing twice
    assert total == MESSAGES
    assert all(p.parent.name == "cur" and p.name.endswith("S") for p in mailbox.files())  # all acknowledged
    journal = (data_dir / "journal.txt").read_text().splitlines()
    assert len([line for line in journal if line.endswith(" new")]) == MESSAGES
    if pause.startswith(("after_commit", "after_dispose")):
        assert any(line.endswith(" again") for line in journal)  # the repeat came, and the store absorbed it
