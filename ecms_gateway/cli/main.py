"""Entry point of the ``ecms-gateway`` command.

Exit codes: 0 success, 1 the input is invalid or an action was refused, 2 usage error,
3 an unexpected internal error (reported in one line; ``ECMS_GATEWAY_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Protocol, cast

from ecms_gateway import __version__
from ecms_gateway.errors import GatewayError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

# Each module defines register(subparsers); its subcommands set ``func`` to a handler returning an exit code.
COMMAND_MODULES = (
    "ecms_gateway.cli.validate",
    "ecms_gateway.cli.convert",
    "ecms_gateway.cli.samples",
    "ecms_gateway.cli.store_cmds",
    "ecms_gateway.cli.keys",
    "ecms_gateway.cli.signing_cmds",
    "ecms_gateway.cli.mail_cmds",
    "ecms_gateway.cli.clerk_cmds",
    "ecms_gateway.cli.access_cmds",
)


class _CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: usage error: {message}\n")


def build_parser(extra_modules: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The command's parser; ``extra_modules`` are the adapter-backed commands the composition root adds."""
    parser = _Parser(
        prog="ecms-gateway",
        description="Convert, validate, sign and exchange Thai official letters over e-CMS and saraban mail.",
    )
    parser.add_argument("--version", action="version", version=f"ecms-gateway {__version__}")
    subparsers = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser),
    )
    for name in (*COMMAND_MODULES, *extra_modules):
        cast(_CommandModule, importlib.import_module(name)).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, *, extra_modules: Sequence[str] = ()) -> int:
    """Run the command; the installed ``ecms-gateway`` enters through ``ecms_adapters.cli.main``."""
    parser = build_parser(extra_modules)
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except GatewayError as exc:
        print(f"ecms-gateway: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("ECMS_GATEWAY_DEBUG"):
            traceback.print_exc()
        print(
            f"ecms-gateway: internal error ({type(exc).__name__}: {exc}); "
            "run again with ECMS_GATEWAY_DEBUG=1 for details and report it to the operators",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
