"""The e-CMS node's CPU per request: one ``ecms-gateway node`` process driven from one client with the
requests the pipeline makes for each letter, grouped by kind so that each kind is timed on its own.

Per letter, as in ``bench_e2e.py``: A sends the letter (100 KB attachment, signed); B polls it and
deletes it; B sends two signed notifiers (received, accepted); A polls and deletes each; both poll an
empty queue. Each round runs the kinds as phases over a batch of letters (all sends, then all polls,
...): a poll returns the head of the queue until it is deleted, so B's N polls each return a letter
(the queue is N deep instead of about one; the head query is indexed either way) and the deletes
name the ProcessIDs the sends returned. Requests are built before the clock starts.

CPU is the node process's utime + stime (``/proc/PID/stat``, clock ticks) over each phase, divided by
its requests; requests/s is the phase's count over its wall time (one client, one request at a time).

    .venv/bin/python bench/bench_node.py [--letters 100] [--rounds 6] [--code TREE --code TREE2 ...]

``--code`` runs a node from each source tree given (``git archive REV | tar -x -C TREE``), their rounds
alternating: on a shared machine CPU per request moves by half with the other load, so variants are
compared only within one run.

Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from bench_e2e import tree_env
from ecms_adapters.runtime.layout import LayoutOptions, sample_letters, write_layout
from ecms_adapters.runtime.processes import (
    Child,
    cli_command,
    free_port,
    spawn,
    start_node,
    wait_for_port,
    warm_up_node,
)

from ecms_gateway.codec import (
    DeleteRequest,
    InboundRequest,
    LetterDocument,
    Message,
    Notifier,
    NotifierKind,
    OutboundRequest,
    OutboundResponse,
    build_document,
    new_message_id,
    read_message,
    to_wire,
)
from ecms_gateway.config import load_config
from ecms_gateway.engine.context import utc_now
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import FileData, FileRef, LetterPackage
from ecms_gateway.runtime.notices import signed
from ecms_gateway.signing import OutboundSigner

A, B = "2099000000", "2099100000"
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
KINDS = (
    "send letter 100 KB",
    "poll -> letter",
    "delete",
    "send notifier",
    "poll -> notifier",
    "poll -> empty",
)


@dataclass(frozen=True, kw_only=True)
class Request:
    org: str
    body: bytes


@dataclass
class Tally:
    requests: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0


def package(number: int, tag: str) -> LetterPackage:
    base = load_letter_file(sample_letters() / "letter-001.json")
    attachment = FileData(
        name=f"attachment-{number}.pdf", mime="application/pdf", content=os.urandom(100_000)
    )
    letter = base.letter.model_copy(
        update={
            "book_no": f"ศธ 0990/{tag}{number}",
            "attachments": (FileRef(path=attachment.name, mime=attachment.mime),),
        }
    )
    return replace(base, letter=letter, attachments=(attachment,))


def node_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Driver:
    """One node process (from ``code``: a source tree, else the installed one) and a client for it."""

    def __init__(self, root: Path, code: Path | None = None) -> None:
        self.layout = write_layout(root, LayoutOptions(node_port=free_port()))
        self.code = code
        self.signers = {
            org: OutboundSigner(load_config(self.layout[name].config).signing_config())
            for name, org in (("A", A), ("B", B))
        }
        self.node: Child | None = None
        self.client = httpx.Client(timeout=60, trust_env=False)
        self.base = f"{self.layout.node_url}?org="
        self.tallies = {kind: Tally() for kind in KINDS}
        self.per_round: list[float] = []

    @property
    def name(self) -> str:
        return str(self.code) if self.code else "installed code"

    def start(self) -> Child:
        if self.code is None:
            self.node = start_node(self.layout)
            return self.node
        code = self.code.resolve()
        command = cli_command(
            "node",
            *("--directory", str(self.layout.directory), "--data-dir", str(self.layout.node_data)),
            *("--port", str(self.layout.node_port), "--public-url", self.layout.node_url),
        )
        self.node = spawn("node", command, self.layout.node_log, env=tree_env(code))
        wait_for_port(self.layout.node_port, timeout=30, child=self.node)
        warm_up_node(self.layout.node_url)
        return self.node

    def close(self) -> None:
        self.client.close()
        if self.node is not None:
            self.node.stop()

    def measured_round(self, count: int, tag: str) -> None:
        cpu, requests = self.totals()[:2]
        self.round(self.tallies, count, tag)
        after = self.totals()
        self.per_round.append((after[0] - cpu) / (after[1] - requests) * 1000)

    def totals(self) -> tuple[float, int, float]:
        """Node CPU seconds, requests and wall seconds so far."""
        tallies = self.tallies.values()
        return sum(t.cpu_s for t in tallies), sum(t.requests for t in tallies), sum(t.wall_s for t in tallies)

    def report(self) -> None:
        print(f"node from {self.name}")
        print(f"  {'kind':<20} {'requests':>8} {'node CPU ms/req':>16} {'req/s':>8}")
        for kind, tally in self.tallies.items():
            print(
                f"  {kind:<20} {tally.requests:>8} {tally.cpu_s / tally.requests * 1000:>16.2f}"
                f" {tally.requests / tally.wall_s:>8.0f}"
            )
        cpu, requests, wall = self.totals()
        print(
            f"  {'all':<20} {requests:>8} {cpu / requests * 1000:>16.2f} {requests / wall:>8.0f}"
            f"   (per letter {cpu / requests * 11000:.1f} ms)"
        )
        rounds = sorted(self.per_round)
        print(
            f"  per round: median {statistics.median(rounds):.2f}, lowest {rounds[0]:.2f}, "
            f"highest {rounds[-1]:.2f} ms/req"
        )

    def post(self, request: Request) -> Message:
        reply = self.client.post(self.base + request.org, content=request.body, headers=HEADERS)
        message = read_message(reply.content).message
        if reply.status_code != 200:
            raise SystemExit(f"the node answered {reply.status_code}: {message}")
        return message

    def phase(self, tally: Tally, requests: list[Request], seen: Callable[[Message], None]) -> None:
        assert self.node is not None
        cpu, wall = node_cpu_s(self.node.pid), time.perf_counter()
        for request in requests:
            seen(self.post(request))
        tally.wall_s += time.perf_counter() - wall
        tally.cpu_s += node_cpu_s(self.node.pid) - cpu
        tally.requests += len(requests)

    def letters(self, count: int, tag: str) -> tuple[list[Request], list[LetterPackage]]:
        packages = [package(i, tag) for i in range(count)]
        requests = []
        for item in packages:
            document = build_document(item, send_time=utc_now())
            self.signers[A].sign_letter(document)  # signs in place
            body = to_wire(
                OutboundRequest(item=LetterDocument(element=document)),
                to=self.layout.node_url,
                message_id=new_message_id(utc_now()),
            )
            requests.append(Request(org=A, body=body))
        return requests, packages

    def notifiers(self, packages: list[LetterPackage]) -> list[Request]:
        requests = []
        for item in packages:
            for kind in (NotifierKind.RECEIVE, NotifierKind.ACCEPT):
                notifier = Notifier(
                    kind=kind,
                    letter_id=item.letter.book_no,
                    correspondence_date=item.letter.date,
                    subject=item.letter.subject,
                    accept_id="42" if kind is NotifierKind.ACCEPT else None,
                    accept_date=utc_now().date().isoformat(),
                    accept_department=B[:5],
                )
                notifier = signed(notifier, self.signers[B], org_id=B, partner_id=A)
                body = to_wire(
                    OutboundRequest(item=notifier),
                    to=self.layout.node_url,
                    message_id=new_message_id(utc_now()),
                )
                requests.append(Request(org=B, body=body))
        return requests

    def round(self, tallies: dict[str, Tally], count: int, tag: str) -> None:
        letters, packages = self.letters(count, tag)
        notifiers = self.notifiers(packages)
        polls = {org: to_wire(InboundRequest(), message_id=new_message_id(utc_now())) for org in (A, B)}
        to_b: list[str] = []
        to_a: list[str] = []

        def receipt(into: list[str]) -> Callable[[Message], None]:
            def keep(message: Message) -> None:
                assert isinstance(message, OutboundResponse), message
                into.append(message.process_id)

            return keep

        def ignore(_message: Message) -> None:
            pass

        def deletes(org: str, ids: list[str]) -> list[Request]:
            return [
                Request(
                    org=org, body=to_wire(DeleteRequest(process_id=i), message_id=new_message_id(utc_now()))
                )
                for i in ids
            ]

        self.phase(tallies[KINDS[0]], letters, receipt(to_b))
        self.phase(tallies[KINDS[1]], [Request(org=B, body=polls[B])] * count, ignore)
        self.phase(tallies[KINDS[2]], deletes(B, to_b), ignore)
        self.phase(tallies[KINDS[3]], notifiers, receipt(to_a))
        self.phase(tallies[KINDS[4]], [Request(org=A, body=polls[A])] * len(to_a), ignore)
        self.phase(tallies[KINDS[2]], deletes(A, to_a), ignore)
        empty = [Request(org=org, body=polls[org]) for org in (A, B)] * count
        self.phase(tallies[KINDS[5]], empty, ignore)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=100, help="letters per round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument(
        "--code",
        type=Path,
        action="append",
        default=[],
        help="a source tree (e.g. from git archive) to run the node from; repeat to compare several, "
        "their rounds alternating so that they share the machine's load",
    )
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    root = Path(tempfile.mkdtemp(prefix="bench-node-"))
    drivers = [Driver(root / str(i), code) for i, code in enumerate(args.code or [None])]
    try:
        for driver in drivers:
            driver.start()
            driver.round({kind: Tally() for kind in KINDS}, 5, "warm-")  # schemas compiled, caches filled
        for number in range(args.rounds):
            for driver in drivers if number % 2 == 0 else reversed(drivers):
                driver.measured_round(args.letters, f"r{number}-")
        print(
            f"{args.rounds} rounds of {args.letters} letters (11 requests a letter); "
            f"load now {os.getloadavg()[0]:.1f}"
        )
        for driver in drivers:
            driver.report()
    finally:
        for driver in drivers:
            driver.close()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
