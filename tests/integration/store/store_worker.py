"""A worker process for the store tests, driving the real ``Store`` API.

Modes: ``send`` (claim + complete outbound work), ``poll`` (take items from a folder standing in for
the node's queue, store, then acknowledge by deleting), ``inbound`` (claim, decode, record, complete),
``accept`` (accept outbound letters: registry numbers), ``claimall`` (claim + complete any work).

``ECMS_TEST_PAUSE_AT=<point>:<n>`` makes the worker print ``PAUSED <point> <id>`` and wait the n-th
time it reaches ``<point>`` (after_claim, after_store, after_record), for the test to SIGKILL it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from store_support import decode_raw, make_package

from ecms_gateway.engine import SignatureMark, Store, WorkKind
from ecms_gateway.errors import DuplicateLetter

_reached: Counter[str] = Counter()


def hook(point: str, item: int) -> None:
    """Pause at ``point`` when the test asked for it, so the test can kill us there."""
    wanted = os.environ.get("ECMS_TEST_PAUSE_AT", "")
    name, _, nth = wanted.partition(":")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] == int(nth or 1):
        print(f"PAUSED {point} {item}", flush=True)
        time.sleep(600)
        sys.exit(3)  # never reached in the tests: they kill the process first


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["send", "poll", "inbound", "accept", "claimall"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--worker", default=f"worker-{os.getpid()}")
    parser.add_argument("--channel", default="ecms")
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--clock-offset", type=float, default=0.0, help="seconds added to the real clock")
    parser.add_argument("--queue-dir", type=Path)
    parser.add_argument("--letters", default="", help="accept: comma-separated letter numbers")
    args = parser.parse_args()
    offset = timedelta(seconds=args.clock_offset)
    store = Store(database_url=args.url, data_dir=args.data_dir, clock=lambda: datetime.now(UTC) + offset)
    lease = timedelta(seconds=args.lease)
    with store:
        if args.mode in ("send", "claimall"):
            kinds = (WorkKind.SEND,) if args.mode == "send" else ()
            while (claim := store.claim(args.channel, args.worker, lease=lease, kinds=kinds)) is not None:
                hook("after_claim", claim.work_id)
                store.complete(claim.work_id, worker=args.worker)
                print(f"DONE {claim.work_id}", flush=True)
        elif args.mode == "poll":
            while items := sorted(args.queue_dir.iterdir()):
                head = items[0]
                accepted = store.accept_inbound(
                    head.read_bytes(), channel=args.channel, process_id=head.name, actor=args.worker
                )
                hook("after_store", accepted.id)
                head.unlink()  # the acknowledgement: CorrespondenceLetterDeleteRequest
                print(f"STORED {head.name} {accepted.id} {accepted.created}", flush=True)
        elif args.mode == "inbound":
            while (
                claim := store.claim(args.channel, args.worker, lease=lease, kinds=[WorkKind.INBOUND])
            ) is not None:
                assert claim.inbox_id is not None
                package = decode_raw(store.load_raw(claim.inbox_id))
                recorded = store.record_inbound_letter(
                    claim.inbox_id, package, actor=args.worker, signature=SignatureMark.VERIFIED
                )
                hook("after_record", recorded.id)
                store.complete(claim.work_id, worker=args.worker)
                print(f"RECORDED {claim.inbox_id} {recorded.id} {recorded.created}", flush=True)
        elif args.mode == "accept":
            for number in (int(n) for n in args.letters.split(",") if n):
                try:
                    letter_id = store.accept_outbound(
                        make_package(number), actor=args.worker, channel=args.channel
                    )
                    print(f"ACCEPTED {number} {letter_id}", flush=True)
                except DuplicateLetter:
                    print(f"DUPLICATE {number}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
