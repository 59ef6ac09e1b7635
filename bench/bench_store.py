"""Store throughput: enqueue + claim + complete cycles per second for letters with a 100 KB attachment,
on SQLite and on PostgreSQL, with 1 and 2 worker processes, beside the same statements written
directly with the driver (sqlite3 / psycopg) in the same run.

Both paths write the attachment to the same content-addressed file store (fsync + rename) and keep
the same audit chain; the raw path only skips SQLAlchemy, SQLModel and the engine's Python.

    .venv/bin/python bench/bench_store.py [--letters 200] [--skip-postgres]

Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from ecms_gateway.engine import Store
from ecms_gateway.engine.audit import canonical_json, entry_hash
from ecms_gateway.engine.intake import content_digest
from ecms_gateway.engine.registry import registry_year
from ecms_gateway.letter.model import FileData, Letter, LetterPackage
from ecms_gateway.store import Database, resolve_url, throwaway_pg, upgrade
from ecms_gateway.store.files import LocalFileStore

ATTACHMENT = 100_000
LEASE = timedelta(minutes=5)


def package(i: int) -> LetterPackage:
    letter = Letter.model_validate_json(
        json.dumps(
            {
                "kind": "external",
                "book_no": f"ศธ 0990/{i}",
                "date": "2026-11-20",
                "subject": f"เรื่องทดสอบ {i}",
                "speed": "normal",
                "secrecy": "normal",
                "sender": {"org_id": "2099000000"},
                "receiver": {"org_id": "2099100000"},
                "main_file": {"path": f"letter-{i}.pdf", "mime": "application/pdf"},
                "attachments": [{"path": f"att-{i}.bin", "mime": "application/octet-stream"}],
            }
        )
    )
    main = FileData(name=f"letter-{i}.pdf", mime="application/pdf", content=f"%PDF-1.4 {i}\n".encode())
    attachment = FileData(
        name=f"att-{i}.bin", mime="application/octet-stream", content=os.urandom(ATTACHMENT)
    )
    return LetterPackage(letter=letter, main=main, attachments=(attachment,))


# ---- the store path --------------------------------------------------------------------------------


def store_cycles(url: str, data_dir: Path, numbers: range, worker: str) -> Callable[[], None]:
    store = Store(database_url=url, data_dir=data_dir)
    packages = [package(i) for i in numbers]

    def run() -> None:
        for pkg in packages:
            store.accept_outbound(pkg, actor="bench", channel="ecms")
            # With two workers the other may have taken "our" letter, and theirs not be due yet by our clock.
            while (claim := store.claim("ecms", worker, lease=LEASE)) is None:
                pass
            store.complete(claim.work_id, worker=worker)

    return run


# ---- the raw path: the same statements through the driver ------------------------------------------

ENQUEUE = [
    "INSERT INTO registry_counter (org, kind, year, last_no) VALUES (:org, 'out', :year, 1) "
    "ON CONFLICT (org, kind, year) DO UPDATE SET last_no = registry_counter.last_no + 1 "
    "RETURNING last_no",
    "INSERT INTO letter (direction, state, channel, sender_org, sender_dept, receiver_org, book_no, "
    "book_key, letter_date, subject, letter_json, content_digest, registry_org, registry_year, "
    "registry_no, created_at, updated_at) VALUES ('out', 'queued', 'ecms', :org, :dept, :receiver, "
    ":book_no, :book_no, :day, :subject, :json, :digest, :org, :year, :number, :now, :now) RETURNING id",
    "INSERT INTO letter_file (letter_id, position, name, mime, size, sha256) "
    "VALUES (:id, :pos, :name, :mime, :size, :sha)",
    "INSERT INTO work_item (kind, channel, state, letter_id, attempts, created_at, next_try_at) "
    "VALUES ('send', 'ecms', 'ready', :id, 0, :now, :now)",
]
CLAIM = (
    "UPDATE work_item SET state = 'leased', lease_owner = :worker, lease_until = :until, "
    "attempts = attempts + 1, first_try_at = COALESCE(first_try_at, :now) "
    "WHERE id = (SELECT id FROM work_item WHERE channel = 'ecms' AND "
    "((state = 'ready' AND next_try_at <= :now) OR (state = 'leased' AND lease_until <= :now)) "
    "ORDER BY next_try_at, id LIMIT 1{lock}) RETURNING id, letter_id, attempts"
)
HEAD_SQLITE = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1"
HEAD_PG = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE"
LETTER_SQLITE = "SELECT id, state FROM letter WHERE id = :id"
LETTER_PG = "SELECT id, state FROM letter WHERE id = :id FOR UPDATE"
COMPLETE = (
    "UPDATE work_item SET state = 'done', finished_at = :now, lease_owner = NULL, lease_until = NULL "
    "WHERE id = :id AND state = 'leased' AND lease_owner = :worker RETURNING letter_id, attempts"
)


class Raw:
    """One driver connection running the store's statements by hand."""

    def __init__(self, url: str, files: LocalFileStore) -> None:
        self.files = files
        self.pg = url.startswith("postgresql")
        if self.pg:
            self.conn: Any = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
        else:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
                self.conn.execute(f"PRAGMA {pragma}")

    def q(self, sql: str, params: dict[str, Any]) -> Any:
        if self.pg:
            return self.conn.execute(re.sub(r":(\w+)", r"%(\1)s", sql), params)
        # SQLite keeps naive UTC text, as the store's UtcDateTime column type does.
        params = {
            k: (v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) else v)
            for k, v in params.items()
        }
        return self.conn.execute(sql, params)

    def tx(self, body: Callable[[], None]) -> None:
        if not self.pg:
            self.conn.execute("BEGIN IMMEDIATE")
        body()
        self.conn.commit() if self.pg else self.conn.execute("COMMIT")

    def audit(
        self,
        now: datetime,
        *,
        actor: str,
        action: str,
        letter_id: int,
        work_id: int | None,
        det: dict[str, Any],
    ) -> None:
        last_seq, last_hash = self.q(HEAD_PG if self.pg else HEAD_SQLITE, {}).fetchone()
        detail = canonical_json(det)
        digest = entry_hash(
            at=now,
            actor=actor,
            action=action,
            letter_id=letter_id,
            work_id=work_id,
            reason=None,
            detail=detail,
            prev_hash=last_hash,
        )
        self.q(
            "INSERT INTO audit_entry (seq, at, actor, action, letter_id, work_id, reason, detail, prev_hash, "
            "hash) VALUES (:seq, :now, :actor, :action, :lid, :wid, NULL, :detail, :prev, :hash)",
            {
                "seq": last_seq + 1,
                "now": now,
                "actor": actor,
                "action": action,
                "lid": letter_id,
                "wid": work_id,
                "detail": detail,
                "prev": last_hash,
                "hash": digest,
            },
        )
        self.q(
            "UPDATE audit_head SET last_seq = :seq, last_hash = :hash WHERE id = 1",
            {"seq": last_seq + 1, "hash": digest},
        )

    def letter_state(
        self, now: datetime, *, worker: str, letter_id: int, work_id: int, before: str, after: str, event: str
    ) -> None:
        self.q(LETTER_PG if self.pg else LETTER_SQLITE, {"id": letter_id})
        self.q(
            "UPDATE letter SET state = :state, updated_at = :now WHERE id = :id",
            {"state": after, "now": now, "id": letter_id},
        )
        detail = {"from": before, "to": after}
        self.audit(
            now, actor=worker, action=f"letter.{event}", letter_id=letter_id, work_id=work_id, det=detail
        )

    def cycle(self, pkg: LetterPackage, worker: str) -> None:
        for f in pkg.files:
            self.files.put(f.content)
        letter, now = pkg.letter, datetime.now(UTC)
        year = registry_year(now)

        def enqueue() -> None:
            number = self.q(ENQUEUE[0], {"org": letter.sender.org_id, "year": year}).fetchone()[0]
            letter_id = self.q(
                ENQUEUE[1],
                {
                    "org": letter.sender.org_id,
                    "dept": letter.sender.department_id,
                    "receiver": letter.receiver.org_id,
                    "book_no": letter.book_no,
                    "day": letter.date,
                    "subject": letter.subject,
                    "json": canonical_json(letter.to_json_dict()),
                    "digest": content_digest(pkg),
                    "year": year,
                    "number": number,
                    "now": now,
                },
            ).fetchone()[0]
            for pos, f in enumerate(pkg.files):
                self.q(
                    ENQUEUE[2],
                    {
                        "id": letter_id,
                        "pos": pos,
                        "name": f.name,
                        "mime": f.mime,
                        "size": f.size,
                        "sha": f.sha256,
                    },
                )
            self.q(ENQUEUE[3], {"id": letter_id, "now": now})
            detail = {"to": "queued", "registry_no": number}
            self.audit(
                now, actor="bench", action="letter.accepted", letter_id=letter_id, work_id=None, det=detail
            )

        claimed: list[int] = []

        def claim() -> None:
            taken = self.q(
                CLAIM.format(lock=" FOR UPDATE SKIP LOCKED" if self.pg else ""),
                {"worker": worker, "until": now + LEASE, "now": datetime.now(UTC)},
            ).fetchone()
            if taken is None:
                return
            work_id, letter_id, attempts = taken
            self.q(
                "UPDATE attempt SET ended_at = :now, outcome = 'lost' "
                "WHERE work_id = :id AND ended_at IS NULL",
                {"now": now, "id": work_id},
            )
            self.q(
                "INSERT INTO attempt (work_id, number, worker, started_at) VALUES (:id, :n, :w, :now)",
                {"id": work_id, "n": attempts, "w": worker, "now": now},
            )
            self.letter_state(
                now,
                worker=worker,
                letter_id=letter_id,
                work_id=work_id,
                before="queued",
                after="sending",
                event="claim",
            )
            claimed.append(work_id)

        def complete() -> None:
            letter_id, attempts = self.q(
                COMPLETE, {"now": now, "id": claimed[0], "worker": worker}
            ).fetchone()
            self.q(
                "UPDATE attempt SET ended_at = :now, outcome = 'done' "
                "WHERE work_id = :id AND number = :n AND ended_at IS NULL",
                {"now": now, "id": claimed[0], "n": attempts},
            )
            self.letter_state(
                now,
                worker=worker,
                letter_id=letter_id,
                work_id=claimed[0],
                before="sending",
                after="sent",
                event="sent",
            )

        self.tx(enqueue)
        while not claimed:  # as in the store path: the other worker may have taken ours
            self.tx(claim)
        self.tx(complete)


def raw_cycles(url: str, data_dir: Path, numbers: range, worker: str) -> Callable[[], None]:
    raw = Raw(url, LocalFileStore(data_dir / "files"))
    packages = [package(i) for i in numbers]

    def run() -> None:
        for pkg in packages:
            raw.cycle(pkg, worker)

    return run


# ---- processes and timing ---------------------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    make = store_cycles if args.child == "store" else raw_cycles
    run = make(args.url, Path(args.data_dir), range(args.start, args.start + args.count), f"w{args.start}")
    print("READY", flush=True)
    sys.stdin.readline()
    run()
    print("DONE", flush=True)


@dataclass(frozen=True)
class Target:
    name: str
    new_database: Callable[[str], str]


def measure(kind: str, target: Target, workers: int, letters: int) -> float:
    """Cycles per second of ``workers`` processes, from "go" to the last one done (start-up excluded)."""
    data_dir = Path(tempfile.mkdtemp(prefix="ecms-bench-"))
    url = target.new_database(str(data_dir))
    db = Database(url)
    upgrade(db)
    db.dispose()
    per = letters // workers
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                kind,
                "--url",
                url,
                "--data-dir",
                str(data_dir),
                "--start",
                str(1 + n * per),
                "--count",
                str(per),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(workers)
    ]
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "READY"
    start = time.perf_counter()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "DONE"
        p.wait()
    rate = per * workers / (time.perf_counter() - start)
    shutil.rmtree(data_dir, ignore_errors=True)
    return rate


def _spread(rates: list[float]) -> str:
    return f"{statistics.median(rates):.1f} [{min(rates):.0f}-{max(rates):.0f}]"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--letters", type=int, default=200, help="cycles per measurement (split over workers)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating store/raw rounds per figure")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", choices=["store", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    targets = [Target("SQLite (WAL, sync=FULL)", lambda d: resolve_url(data_dir=Path(d)))]
    cluster = None
    if not args.skip_postgres:
        cluster = throwaway_pg.start(durable=True)
        counter = iter(range(1000))
        targets.append(
            Target(
                f"PostgreSQL (fsync on, {cluster.bindir.parent.name})",
                lambda _d: cluster.create_database(f"bench{next(counter)}"),
            )
        )
    try:
        print(
            f"enqueue + claim + complete, {ATTACHMENT // 1000} KB attachment, "
            f"{args.letters} letters per run, {os.cpu_count()} cores"
        )
        print(f"median of {args.rounds} alternating rounds (min-max in brackets)")
        print(f"{'database':<34} {'workers':>7} {'store/s':>22} {'raw/s':>22} {'ratio':>6}")
        for target in targets:
            for workers in (1, 2):
                rates: dict[str, list[float]] = {"store": [], "raw": []}
                for _ in range(args.rounds):
                    for kind, found in rates.items():
                        found.append(measure(kind, target, workers, args.letters))
                store_rate, raw_rate = (statistics.median(rates[k]) for k in ("store", "raw"))
                spreads = f"{_spread(rates['store']):>22} {_spread(rates['raw']):>22}"
                print(
                    f"{target.name:<34} {workers:>7} {spreads} {store_rate / raw_rate:>6.2f}",
                    flush=True,
                )
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
