"""Command start-up: what one ``ecms-gateway`` invocation costs before and while it does its work.

Runs each command ``--runs`` times, each in a fresh interpreter (``python -m ecms_adapters.cli``, as
the installed command enters), and prints per command the median CPU time (user + system, from
``os.wait4``) and the median wall time:

- ``--help``;
- ``validate`` of sample letter 001 (letter JSON, its files checked);
- ``queue --config`` on a fresh data folder (made once with ``db upgrade``, before the runs).

    .venv/bin/python bench/bench_cli_start.py [--runs 10]
    .venv/bin/python bench/bench_cli_start.py --code /tmp/before --code .   # compare source trees

``--code`` runs the commands from each source tree given (``git archive REV | tar -x -C TREE``; ``.``
is this one), interleaved in the same run, and prints each tree's figures and the ratio to the first.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def tree_env(tree: Path) -> dict[str, str]:
    """Run the command from ``tree``: its core and adapters first on the path (PYTHONSAFEPATH: not the
    working directory's)."""
    path = os.pathsep.join(str(p) for p in (tree, tree / "adapters"))
    return {**os.environ, "PYTHONPATH": path, "PYTHONSAFEPATH": "1"}


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of one ``ecms-gateway ARGS`` in a new interpreter."""
    command = [sys.executable, "-m", "ecms_adapters.cli", *args]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 and args != ["--help"]:
        assert child.stderr is not None
        raise SystemExit(f"ecms-gateway {' '.join(args)} exited {child.returncode}: {child.stderr.read()!r}")
    if child.stderr is not None:
        child.stderr.close()
    return usage.ru_utime + usage.ru_stime, wall


def commands(tree: Path, folder: Path) -> dict[str, list[str]]:
    """The commands measured, with what they need made in ``folder`` (a fresh data folder, migrated)."""
    config = folder / "gateway.toml"
    config.write_text(f'[gateway]\ndata_dir = "{folder / "var"}"\n', encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "ecms_adapters.cli", "db", "upgrade", "--config", str(config)],
        env=tree_env(tree),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    sample = tree / "ecms_gateway" / "samples" / "letters" / "letter-001.json"
    return {
        "--help": ["--help"],
        "validate": ["validate", str(sample)],
        "queue --config": ["queue", "--config", str(config)],
    }


def which_code(tree: Path) -> str:
    """Where ``tree``'s interpreter finds the core: proof that the tree, not the install, runs."""
    found = subprocess.run(
        [sys.executable, "-c", "import ecms_gateway; print(ecms_gateway.__file__)"],
        env=tree_env(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command per tree (default 10)")
    parser.add_argument(
        "--code", type=Path, action="append", help="a source tree to run from (repeat to compare)"
    )
    args = parser.parse_args()
    trees = [tree.resolve() for tree in (args.code or [HERE])]
    with tempfile.TemporaryDirectory(prefix="bench-cli-start-") as root:
        per_tree = {}
        for number, tree in enumerate(trees):
            folder = Path(root) / str(number)
            folder.mkdir()
            per_tree[tree] = commands(tree, folder)
            print(f"tree {number}: {tree} (core from {which_code(tree)})")
        names = list(per_tree[trees[0]])
        cpu: dict[tuple[Path, str], list[float]] = {(t, n): [] for t in trees for n in names}
        wall: dict[tuple[Path, str], list[float]] = {(t, n): [] for t in trees for n in names}
        for _ in range(args.runs):  # interleaved: a busy moment of the machine falls on every tree alike
            for name in names:
                for tree in trees:
                    used, took = run_once(per_tree[tree][name], tree_env(tree))
                    cpu[tree, name].append(used)
                    wall[tree, name].append(took)
    print(f"\nmedian of {args.runs} runs, each in a fresh interpreter")
    print(f"{'command':<16} {'tree':<5} {'CPU s':>7} {'wall s':>7} {'CPU vs tree 0':>14}")
    for name in names:
        first = statistics.median(cpu[trees[0], name])
        for number, tree in enumerate(trees):
            used = statistics.median(cpu[tree, name])
            took = statistics.median(wall[tree, name])
            ratio = "" if number == 0 else f"{used / first:.2f}x"
            print(f"{name:<16} {number:<5} {used:>7.3f} {took:>7.3f} {ratio:>14}")


if __name__ == "__main__":
    main()
