"""Memory for large letters: how much each process (the node and the two gateways, as processes on
loopback) grows while letters with one large attachment go from A's outbox to B's registered inbox, and
what it keeps afterwards.

For each case (attachment size, letters sent at once) every process's peak is reset
(``/proc/PID/clear_refs``), the letters are submitted together, and once they are registered at B and
both notifiers are back at A the bench prints, per process: resident memory before, the peak while
they travelled (VmHWM) and its growth, and resident memory after ``--settle-s`` more seconds (the
processes give freed memory back every 10 s). The growth is also given per
megabyte of attachment in flight: with the letter's Base64 text at 4/3 of the file, every whole copy
of it held at once adds 1.33.

    .venv/bin/python bench/bench_memory.py [--size-mb 20] [--letters 1 --letters 4]
    .venv/bin/python bench/bench_memory.py --code TREE --code .   # compare source trees, side by side

``--code`` runs the whole bench from each source tree given (``git archive REV | tar -x -C TREE``;
``.`` is this one), one after the other, and prints each tree's figures.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_e2e import Bench, one_run, package, run_bench, tree_env

PROCESSES = ("node", "gateway A", "gateway B")


def _status(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) // 1024
    return values


def run_case(size: int, letters: int, tag: str, settle_s: float) -> dict[str, Any]:
    """Send ``letters`` letters of one ``size``-byte attachment at once; the figures per process."""
    root = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    bench = Bench(root)
    try:
        bench.start()
        warm = [package(i, 100_000, f"w{tag}-") for i in range(3)]
        bench.submit(warm)
        bench.wait_registered(warm, timeout=120)
        bench.wait_quiet(warm, timeout=60)
        before = {}
        for child in bench.children:
            Path(f"/proc/{child.pid}/clear_refs").write_text("5", encoding="ascii")  # peak := now
            before[child.name] = _status(child.pid)["VmRSS"]
        batch = [package(i, size, f"m{tag}-") for i in range(letters)]
        started = time.monotonic()
        bench.submit(batch)
        bench.wait_registered(batch, timeout=600)
        registered = time.monotonic() - started
        bench.wait_quiet(batch, timeout=300)
        time.sleep(settle_s)  # the processes give freed memory back every 10 s
        figures: dict[str, Any] = {"registered_s": registered, "processes": {}}
        for child in bench.children:
            now = _status(child.pid)
            figures["processes"][child.name] = {
                "before": before[child.name],
                "peak": now["VmHWM"],
                "after": now["VmRSS"],
            }
        return figures
    finally:
        bench.stop()
        for store in bench.stores.values():
            store.close()
        shutil.rmtree(root, ignore_errors=True)


def show(size_mb: float, letters: int, figures: dict[str, Any]) -> None:
    print(
        f"--- {letters} letter(s) of {size_mb:g} MB at once (registered at B after "
        f"{figures['registered_s']:.1f} s)"
    )
    for name in PROCESSES:
        p = figures["processes"][name]
        growth = p["peak"] - p["before"]
        print(
            f"  {name:<10} before {p['before']:5d} MB  peak {p['peak']:5d} MB (+{growth:4d}, "
            f"{growth / (size_mb * letters):4.1f} per MB in flight)  after {p['after']:5d} MB"
        )


def measure(args: argparse.Namespace) -> dict[str, Any]:
    size = int(args.size_mb * 1_000_000)
    results = {}
    for number, letters in enumerate(args.letters or [1, 4]):
        figures = run_case(size, letters, str(number), args.settle_s)
        show(args.size_mb, letters, figures)
        results[str(letters)] = figures
    return results


def compare(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-memory-compare-") as folder:
        for tree in (tree.resolve() for tree in args.code):
            out = Path(folder) / "figures.json"
            command = [sys.executable, str(Path(__file__).resolve()), "--size-mb", str(args.size_mb)]
            command += ["--settle-s", str(args.settle_s)]
            for letters in args.letters or [1, 4]:
                command += ["--letters", str(letters)]
            command += ["--json-out", str(out)]
            returncode, output = one_run(command, tree_env(tree))
            if returncode != 0:
                raise SystemExit(f"the bench failed on {tree}:\n{output}")
            print(f"=== {tree}")
            for letters, figures in json.loads(out.read_text(encoding="utf-8")).items():
                show(args.size_mb, int(letters), figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=20.0, help="the attachment's size, MB (default 20)")
    parser.add_argument(
        "--letters", type=int, action="append", help="letters sent at once; repeat for more cases (1 and 4)"
    )
    parser.add_argument(
        "--settle-s", type=float, default=12.0, help="seconds to wait before reading what is kept (12)"
    )
    parser.add_argument("--code", type=Path, action="append", default=[], help="a source tree to run from")
    parser.add_argument("--json-out", type=Path, help="also write the figures to this file (JSON)")
    args = parser.parse_args()
    if args.size_mb <= 0 or any(n < 1 for n in args.letters or []):
        parser.error("--size-mb must be positive and --letters at least 1")
    return run_bench(args, measure=measure, compare=compare)


if __name__ == "__main__":
    sys.exit(main())
