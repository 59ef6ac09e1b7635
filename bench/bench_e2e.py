"""End-to-end speed: letters per second from A's outbox to B's registered inbox through a real node
(three processes on loopback: ``ecms-gateway node`` and two ``ecms-gateway run``), with 100 KB and 5 MB
attachments, signing and verification on; latency percentiles at half that rate; peak memory.

Beside it, in the same run, the floor: the same letters built, signed, verified and POSTed to the
node in a tight loop in one process, without the gateway; and the ratio of the two.

The burst is put in A's outbox while A's gateway is stopped, and timed from A's first try at one of
its letters to the last one registered at B: the clerk's intake (``clerk.submit``) is not part of the
channel, and the floor does not do it either. The paced run submits while A runs, as clerks do.

The floor is measured just before the burst and just after the paced run, and the ratio uses their
mean: on a machine shared with other work the floor moves by 2x within a minute, and one floor taken
apart from the burst made the ratio a measure of that. Its letters go to a second node process (same
program, directory and service URL, a data directory of its own) that no gateway polls, so they
neither wait in B's queue nor load the gateways.

    .venv/bin/python bench/bench_e2e.py [--letters-100k 200] [--letters-5m 20] [--json-out FILE]
    .venv/bin/python bench/bench_e2e.py --code TREE --code . [--rounds 3] [--letters-5m 0]

``--code`` compares source trees (``git archive REV | tar -x -C TREE``; ``.`` is this one): the whole
bench runs from each in turn, round after round with the order alternating, and each figure is
printed per tree with every run's value and the median. The figures move by 10-20% from run to run
with the machine's other load, so one run of each is not a comparison.

Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from ecms_adapters.runtime.layout import AgencyOptions, Layout, LayoutOptions, sample_letters, write_layout
from ecms_adapters.runtime.processes import (
    Child,
    cli_command,
    free_port,
    spawn,
    start_gateway,
    start_node,
    wait_for_port,
    warm_up_node,
)
from sqlalchemy import func, select

from ecms_gateway.codec import LetterDocument, OutboundRequest, build_document, new_message_id, to_wire
from ecms_gateway.config import load_config
from ecms_gateway.engine import Direction, LetterState, Store
from ecms_gateway.engine.context import utc_now
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import FileData, FileRef, LetterPackage
from ecms_gateway.letter.thai import book_no_key
from ecms_gateway.node.options import SERVICE_PATH
from ecms_gateway.runtime.control import wake_gateway
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.services import clerk
from ecms_gateway.signing import OutboundSigner, Verifier
from ecms_gateway.store.tables import ATTEMPT, LETTER, WORK

A, B = "2099000000", "2099100000"


def package(number: int, size: int, tag: str) -> LetterPackage:
    base = load_letter_file(sample_letters() / "letter-001.json")
    attachment = FileData(name=f"attachment-{number}.pdf", mime="application/pdf", content=os.urandom(size))
    letter = base.letter.model_copy(
        update={
            "book_no": f"ศธ 0990/{tag}{number}",
            "attachments": (FileRef(path=attachment.name, mime=attachment.mime),),
        }
    )
    return replace(base, letter=letter, attachments=(attachment,))


class Bench:
    def __init__(self, root: Path) -> None:
        self.layout: Layout = write_layout(
            root,
            LayoutOptions(
                node_port=free_port(),
                agencies=(
                    AgencyOptions(name="A", org_id=A),
                    AgencyOptions(name="B", org_id=B, auto_register=True),
                ),
                poll_interval_s=0.1,  # B learns of a letter only by polling its queue
                idle_s=1.0,
                extra_toml="[xml]\nmax_bytes = 67108864\n",
            ),
        )
        self.children: list[Child] = []
        self.floor_node: Child | None = None
        self.floor_port = 0
        self.stores = {}
        for name, agency in self.layout.agencies.items():
            config = load_config(agency.config)
            self.stores[name] = Store(data_dir=config.gateway.data_dir, policies=config.retry_policies())
        self.routing = table_from_file(self.layout.directory)
        self.secrecy = load_config(self.layout["A"].config).secrecy_policy()

    def start(self) -> None:
        node = start_node(self.layout)
        self.children.append(node)
        wait_for_port(self.layout.node_port, timeout=30, child=node)
        self.floor_node = self._start_floor_node()
        for agency in self.layout.agencies.values():
            self.children.append(start_gateway(agency, log_level="warning"))
        for agency in self.layout.agencies.values():
            while (
                not (agency.data_dir / "gateway.pid").exists()
                or not (agency.data_dir / "directory-cache.json").exists()
            ):
                time.sleep(0.05)

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        if self.floor_node is not None:
            self.floor_node.stop()
            self.floor_node = None

    def _start_floor_node(self) -> Child:
        """The node the floor POSTs to: the same program and directory, claiming the same service URL
        (so that it serves A and B), on a port and with a data directory of its own."""
        self.floor_port = free_port()
        data = self.layout.node_data.parent / "floor-node"
        command = cli_command(
            "node",
            "--directory",
            str(self.layout.directory),
            "--data-dir",
            str(data),
            "--port",
            str(self.floor_port),
            "--public-url",
            self.layout.node_url,
        )
        child = spawn("floor node", command, self.layout.node_log.with_name("floor-node.log"))
        wait_for_port(self.floor_port, timeout=30, child=child)
        warm_up_node(f"http://127.0.0.1:{self.floor_port}{SERVICE_PATH}")
        return child

    def fill_outbox(self, packages: list[LetterPackage]) -> None:
        """Put ``packages`` in A's outbox with A's gateway stopped, then start it again."""
        index = next(i for i, c in enumerate(self.children) if c.name == "gateway A")
        self.children[index].stop()
        self.submit(packages)
        agency = self.layout["A"]
        (agency.data_dir / "gateway.pid").unlink(missing_ok=True)
        self.children[index] = start_gateway(agency, log_level="warning")
        while not (agency.data_dir / "gateway.pid").exists():
            time.sleep(0.05)

    def first_try(self, packages: list[LetterPackage]) -> float:
        """When A's gateway first tried to send one of ``packages``."""
        keys = {book_no_key(p.letter.book_no) for p in packages}
        query = (
            select(func.min(ATTEMPT.c.started_at))
            .join(WORK, WORK.c.id == ATTEMPT.c.work_id)
            .join(LETTER, LETTER.c.id == WORK.c.letter_id)
            .where(LETTER.c.direction == Direction.OUT.value, LETTER.c.book_key.in_(keys))
        )
        with self.stores["A"].db.read() as conn:
            return float(conn.execute(query).scalar_one().timestamp())

    def submit(self, packages: list[LetterPackage], *, rate: float | None = None) -> None:
        start = time.perf_counter()
        for index, item in enumerate(packages):
            if rate is not None:
                delay = start + index / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            clerk.submit(self.stores["A"], item, routing=self.routing, secrecy=self.secrecy, actor="bench")
            wake_gateway(self.layout["A"].data_dir)

    def wait_registered(self, packages: list[LetterPackage], timeout: float) -> list[tuple[float, float]]:
        """(outbox time, registered time) of each letter, from the two stores' own timestamps."""
        keys = {book_no_key(p.letter.book_no) for p in packages}
        deadline = time.monotonic() + timeout
        while True:
            registered = self._registered_at(keys)
            if len(registered) == len(keys):
                break
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"{len(keys) - len(registered)} letters not registered at B within {timeout} s"
                )
            time.sleep(0.2)
        created = self._created_at(keys)
        return [(created[key], registered[key]) for key in keys]

    def wait_quiet(self, packages: list[LetterPackage], timeout: float) -> None:
        """Until A has both notifiers back for ``packages`` (the gateways are idle again)."""
        keys = {book_no_key(p.letter.book_no) for p in packages}
        query = select(func.count()).where(
            LETTER.c.direction == Direction.OUT.value,
            LETTER.c.state == LetterState.ACCEPTED.value,
            LETTER.c.book_key.in_(keys),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.stores["A"].db.read() as conn:
                if conn.execute(query).scalar_one() == len(keys):
                    return
            time.sleep(0.2)

    def _registered_at(self, keys: set[str]) -> dict[str, float]:
        query = select(LETTER.c.book_key, LETTER.c.updated_at).where(
            LETTER.c.direction == Direction.IN.value,
            LETTER.c.state == LetterState.REGISTERED.value,
            LETTER.c.book_key.in_(keys),
        )
        with self.stores["B"].db.read() as conn:
            return {key: at.timestamp() for key, at in conn.execute(query)}

    def _created_at(self, keys: set[str]) -> dict[str, float]:
        query = select(LETTER.c.book_key, LETTER.c.created_at).where(
            LETTER.c.direction == Direction.OUT.value, LETTER.c.book_key.in_(keys)
        )
        with self.stores["A"].db.read() as conn:
            return {key: at.timestamp() for key, at in conn.execute(query)}

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU time used so far by each child process."""
        tick = os.sysconf("SC_CLK_TCK")
        used = {}
        for child in self.children:
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[child.name] = (int(fields[11]) + int(fields[12])) / tick
        return used

    def peak_memory(self) -> dict[str, int]:
        peaks = {}
        for child in self.children:
            status = Path(f"/proc/{child.pid}/status").read_text()
            line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
            peaks[child.name] = int(line.split()[1]) // 1024
        return peaks

    def floor(self, packages: list[LetterPackage]) -> float:
        """Letters per second: build, sign, verify and POST each letter, one after the other."""
        config = load_config(self.layout["A"].config)
        signer = OutboundSigner(config.signing_config())
        b_config = load_config(self.layout["B"].config)
        signing = b_config.signing_config()
        verifier = Verifier(signing.trust_store(), signing.partner, limits=b_config.xml_limits())
        url = f"http://127.0.0.1:{self.floor_port}{SERVICE_PATH}?org={A}"
        with httpx.Client(timeout=60, trust_env=False) as client:
            start = time.perf_counter()
            for item in packages:
                document = build_document(item, send_time=utc_now())
                signer.sign_letter(document)
                body = to_wire(
                    OutboundRequest(item=LetterDocument(element=document)),
                    to=self.layout.node_url,
                    message_id=new_message_id(utc_now()),
                )
                verifier.verify_document(body)
                reply = client.post(url, content=body, headers={"Content-Type": "text/xml; charset=utf-8"})
                reply.raise_for_status()
            return len(packages) / (time.perf_counter() - start)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(size: int, count: int, label: str) -> dict[str, Any]:
    """Measure one attachment size; print the figures and return them."""
    root = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    bench = Bench(root)
    try:
        bench.start()
        warm = [package(i, size, f"w{label}-") for i in range(3)]
        bench.submit(warm)
        bench.wait_registered(warm, timeout=120)

        floor_before = bench.floor([package(i, size, f"f{label}-") for i in range(count)])
        burst = [package(i, size, f"b{label}-") for i in range(count)]
        started = time.time()
        bench.fill_outbox(burst)
        cpu_before = bench.cpu_seconds()
        times = bench.wait_registered(burst, timeout=600)
        first = bench.first_try(burst)
        last = max(registered for _, registered in times)
        rate = count / (last - first)
        cpu_after = bench.cpu_seconds()
        cpu = {name: (cpu_after[name] - cpu_before[name]) / count * 1000 for name in cpu_after}

        paced = [package(i, size, f"p{label}-") for i in range(max(10, count // 2))]
        bench.submit(paced, rate=rate / 2)
        latencies = [
            registered - created for created, registered in bench.wait_registered(paced, timeout=600)
        ]
        memory = bench.peak_memory()
        bench.wait_quiet(paced, timeout=120)
        floor_after = bench.floor([package(i, size, f"g{label}-") for i in range(count)])
        floor = (floor_before + floor_after) / 2
        print(f"--- attachment {label}: {count} letters at once, then {len(paced)} at half that rate")
        took, wall = last - first, time.time() - started
        print(
            f"  end to end (A outbox -> B registered, signing + verifying): {rate:8.1f} letters/s"
            f"  (burst took {took:.2f} s, wall {wall:.1f} s)"
        )
        p50, p95, p99 = (percentile(latencies, p) * 1000 for p in (50, 95, 99))
        print(
            f"  latency at {rate / 2:.1f}/s: p50 {p50:7.0f} ms  p95 {p95:7.0f} ms  p99 {p99:7.0f} ms"
            f"  (mean {statistics.mean(latencies) * 1000:.0f} ms)"
        )
        print(
            f"  floor (build + sign + verify + POST to the node, one loop): {floor:8.1f} letters/s"
            f"  (before the burst {floor_before:.1f}, after the paced run {floor_after:.1f})"
        )
        print(f"  ratio end-to-end / floor: {rate / floor:.2f}  (goal >= 0.5)")
        print(
            "  CPU per letter in the burst (incl. both notifiers back): "
            + ", ".join(f"{name} {ms:.0f} ms" for name, ms in cpu.items())
        )
        print("  peak memory (VmHWM): " + ", ".join(f"{name} {mb} MB" for name, mb in memory.items()))
        return {
            "rate": rate,
            "floor": floor,
            "ratio": rate / floor,
            "p50": p50,
            "p95": p95,
            "p99": p99,
            "cpu": cpu,
            "memory": memory,
        }
    finally:
        bench.stop()
        for store in bench.stores.values():
            store.close()
        shutil.rmtree(root, ignore_errors=True)


SIZES = (("100 KB", 100_000, "letters_100k"), ("5 MB", 5_000_000, "letters_5m"))


def measure(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Every size asked for (a count of 0 leaves it out), printed as it is measured."""
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; node + 2 gateways as processes on loopback"
    )
    return {
        label: run(size, getattr(args, attr), label) for label, size, attr in SIZES if getattr(args, attr) > 0
    }


def compare(args: argparse.Namespace) -> None:
    """Run the whole bench once per tree per round, the trees' order alternating from round to round
    (the machine's other load moves every figure: only runs made together compare), then print each
    figure per tree: every run's value and their median."""
    trees = [tree.resolve() for tree in args.code]
    runs: dict[Path, list[dict[str, dict[str, Any]]]] = {tree: [] for tree in trees}
    with tempfile.TemporaryDirectory(prefix="bench-e2e-compare-") as folder:
        for number in range(args.rounds):
            for tree in trees if number % 2 == 0 else list(reversed(trees)):
                out = Path(folder) / "figures.json"
                command = [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    *("--letters-100k", str(args.letters_100k), "--letters-5m", str(args.letters_5m)),
                    *("--json-out", str(out)),
                ]
                returncode, output = one_run(command, tree_env(tree))
                if returncode != 0:
                    raise SystemExit(f"the bench failed on {tree} (round {number + 1}):\n{output}")
                figures = json.loads(out.read_text(encoding="utf-8"))
                runs[tree].append(figures)
                print(f"round {number + 1}, {tree}: " + summary(figures), flush=True)
    for label in runs[trees[0]][0]:
        print(f"--- attachment {label}: each run, then the median")
        for tree in trees:
            print(f"  {tree}")
            done = [figures[label] for figures in runs[tree]]
            for name, unit, of in FIGURES:
                values = [of(figures) for figures in done]
                shown = ", ".join(f"{value:.{unit}f}" for value in values)
                print(f"    {name:<28} {shown}  (median {statistics.median(values):.{unit}f})")


def tree_env(tree: Path) -> dict[str, str]:
    """The environment that runs everything, the node and the gateways included, from ``tree``.

    PYTHONSAFEPATH: they are started with ``python -m``, which otherwise puts the working directory
    first on the path, so a bench run from a checkout ran that checkout's core whatever the tree.
    """
    bench = Path(__file__).resolve().parent  # this bench's own modules (bench_e2e)
    path = os.pathsep.join(str(p) for p in (tree, tree / "adapters", bench))
    return {**os.environ, "PYTHONPATH": path, "PYTHONSAFEPATH": "1"}


def one_run(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run one bench; when this one is stopped, stop it with SIGTERM (not SIGKILL) so that it stops
    its node and gateways too."""
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = child.communicate()
    except BaseException:
        child.terminate()
        child.wait(timeout=60)
        raise
    return child.returncode, output


FIGURES: tuple[tuple[str, int, Any], ...] = (
    ("letters/s end to end", 1, lambda f: f["rate"]),
    ("floor, letters/s", 1, lambda f: f["floor"]),
    ("ratio", 2, lambda f: f["ratio"]),
    ("p99 at half rate, ms", 0, lambda f: f["p99"]),
    ("CPU per letter node, ms", 1, lambda f: f["cpu"]["node"]),
    ("CPU per letter A, ms", 1, lambda f: f["cpu"]["gateway A"]),
    ("CPU per letter B, ms", 1, lambda f: f["cpu"]["gateway B"]),
)


def summary(figures: dict[str, dict[str, Any]]) -> str:
    return "; ".join(
        f"{label} {f['rate']:.1f}/s, ratio {f['ratio']:.2f}, CPU/letter "
        + "/".join(f"{ms:.0f}" for ms in f["cpu"].values())
        + " ms"
        for label, f in figures.items()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters-100k", type=int, default=200, help="letters in the 100 KB burst (0: skip)")
    parser.add_argument("--letters-5m", type=int, default=20, help="letters in the 5 MB burst (0: skip)")
    parser.add_argument(
        "--code",
        type=Path,
        action="append",
        default=[],
        help="a source tree (e.g. from git archive, or . for this one) to run everything from, the bench's "
        "own process included; repeat to compare several, run after run",
    )
    parser.add_argument("--rounds", type=int, default=2, help="with --code: runs per tree")
    parser.add_argument("--json-out", type=Path, help="also write the figures to this file (JSON)")
    return run_bench(parser.parse_args(), measure=measure, compare=compare)


def run_bench(
    args: argparse.Namespace,
    *,
    measure: Callable[[argparse.Namespace], dict[str, Any]],
    compare: Callable[[argparse.Namespace], None],
) -> int:
    """Compare trees (``--code``) or measure here, writing the figures to ``--json-out`` when given."""
    # SIGTERM (a CI timeout, `kill`) ends the bench through its finally blocks, which stop the node and
    # the gateways; by default it would leave them running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.code:
        compare(args)
        return 0
    figures = measure(args)
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
