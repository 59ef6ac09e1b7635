"""A mail reader process for the crash tests: ImapMailboxReader committing into the real Store.

``ECMS_TEST_PAUSE_AT=<point>:<n>`` makes it print ``PAUSED <point> <uid>`` and wait the n-th time it
reaches ``<point>`` (after_fetch, after_commit, after_dispose, after_checkpoint), for the test to
SIGKILL it there. Every commit is also appended to ``--journal`` (dedupe key, whether the store
created a new item) so the test can see the repeat the store absorbed. Prints ``DONE <n>`` at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter
from pathlib import Path

from ecms_adapters.mail.imap_reader import ImapMailboxReader

from ecms_gateway.engine import Store
from ecms_gateway.mail.checkpoint import FileCheckpointStore
from ecms_gateway.mail.ports import FetchedMail
from ecms_gateway.mail.settings import ImapSettings, ServerLogin, TlsMode

_reached: Counter[str] = Counter()


def hook(point: str, uid: int) -> None:
    """Pause at ``point`` when the test asked for it, so the test can kill us there."""
    name, _, nth = os.environ.get("ECMS_TEST_PAUSE_AT", "").partition(":")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] == int(nth or 1):
        print(f"PAUSED {point} {uid}", flush=True)
        time.sleep(600)
        sys.exit(3)  # never reached: the test kills us first


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--journal", type=Path, required=True)
    parser.add_argument("--batch", type=int, default=2)
    args = parser.parse_args()
    settings = ImapSettings(
        host="127.0.0.1",
        port=args.port,
        tls=TlsMode.NONE,
        login=ServerLogin(username=args.user, password_env="ECMS_TEST_MAIL_PASSWORD"),
        batch_size=args.batch,
    )
    with Store(data_dir=args.data_dir) as store, args.journal.open("a", encoding="utf-8") as journal:

        async def commit(item: FetchedMail) -> None:
            accepted = await asyncio.to_thread(
                store.accept_inbound,
                item.raw,
                channel="mail",
                process_id=item.dedupe_key,
                actor="mail-reader",
            )
            journal.write(f"{item.uid} {item.dedupe_key} {'new' if accepted.created else 'again'}\n")
            journal.flush()
            os.fsync(journal.fileno())

        checkpoints = FileCheckpointStore(args.data_dir / "mail-checkpoint.json")
        reader = ImapMailboxReader(settings, checkpoints=checkpoints, pause=hook)
        try:
            count = await reader.fetch_new(commit)
        finally:
            await reader.aclose()
    print(f"DONE {count}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
