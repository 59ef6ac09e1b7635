"""``ecms-gateway demo``: a node and two agencies on this machine exchange sample letter 001."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="a node and two agencies on loopback exchange sample letter 001, step by step",
        description=(
            "Start an e-CMS node and two gateways (agency A 2099000000 and agency B 2099100000, each with "
            "its own database and keys, trusting each other) in a temporary folder, send sample letter 001 "
            "from A to B and print each step as it happens, then keep running until Ctrl-C."
        ),
    )
    demo.add_argument(
        "--once", action="store_true", help="exit 0 as soon as the AcceptLetterNotifier is back (for scripts)"
    )
    demo.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for it (default 60)")
    demo.add_argument("--folder", type=Path, help="use this (new) folder instead of a temporary one")
    demo.add_argument("--keep", action="store_true", help="keep the folder afterwards")
    demo.set_defaults(func=_demo)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _still_stopping(_signum: int, _frame: FrameType | None) -> None:
    # A second Ctrl-C while the children stop must not cut that short: they run in sessions of their
    # own, so any not stopped yet would be left running.
    print("still stopping the gateways and the node; a moment", flush=True)


def _demo(args: argparse.Namespace) -> int:
    from ecms_adapters.runtime.demo import Demo, DemoFailed  # noqa: PLC0415 - the parser imports this module

    # Ctrl-C, and SIGTERM from a service manager, stop the children in order (SIGINT is ignored by
    # default in a background job, so both are handled explicitly).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    demo = Demo(out=sys.stdout, timeout_s=args.timeout, root=args.folder)
    keep = args.keep or args.folder is not None
    try:
        layout = demo.set_up()
        demo.run_letter(layout)
        if args.once:
            print("demo complete: letter 001 went from A to B and both notifiers came back", flush=True)
            return 0
        demo.where_to_look(layout)
        demo.wait_forever()
    except DemoFailed as exc:
        print(f"ecms-gateway demo: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nstopping the gateways and the node", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, _still_stopping)
        signal.signal(signal.SIGTERM, _still_stopping)
        demo.tear_down(keep=keep)
        if keep and demo.root is not None:
            print(f"the folder {demo.root} is kept", flush=True)
    return 0
