"""Entry point of the ``ecms-gateway`` command.

Exit codes: 0 success, 1 the input is invalid or an action was refused, 2 usage error,
3 an unexpected internal error (reported in one line; ``ECMS_GATEWAY_DEBUG=1`` shows the traceback),
130 interrupted (Ctrl-C), 141 the reader of the output went away (``ecms-gateway queue | head``).
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import select
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, cast

from ecms_gateway import __version__
from ecms_gateway.cli.output import os_problem
from ecms_gateway.errors import GatewayError

PROG = "ecms-gateway"
EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_OUTPUT_CLOSED = 141  # 128 + SIGPIPE, as shells report it

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
    "ecms_gateway.cli.letters_cmds",
    "ecms_gateway.cli.access_cmds",
    "ecms_gateway.cli.webhook_cmds",
)


class _CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each command's handler finds its own name (``send``, ``db upgrade``) as ``args.command``: the
        # role it names its database sessions by. The innermost subcommand's default is the one kept.
        if self.prog.startswith(f"{PROG} "):
            self.set_defaults(command=self.prog.removeprefix(f"{PROG} "))

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: usage error: {message}\n")


def build_parser(extra_modules: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The command's parser; ``extra_modules`` are the adapter-backed commands the composition root adds."""
    parser = _Parser(
        prog=PROG,
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
    try:
        # Ctrl-C while the parser is built (or a handler imports what it runs on) is as clean as later.
        parser = build_parser(extra_modules)
        args = parser.parse_args(argv)
        if not hasattr(args, "func"):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return _run(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a reader that went away shows here, not as a complaint at exit
    except GatewayError as exc:
        print(f"ecms-gateway: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        return _os_error(exc, args)
    except Exception as exc:
        return _internal_error(exc)
    return code


def _os_error(exc: OSError, args: argparse.Namespace) -> int:
    """A closed output ends quietly, a path the command line gave is named with the OS's reason; any
    other OS error is the gateway's own and reported as internal."""
    if isinstance(exc, BrokenPipeError) and _output_closed():
        return EXIT_OUTPUT_CLOSED
    given = _given_path(exc, args)
    if given is None:
        return _internal_error(exc)
    print(f"ecms-gateway: {os_problem(given, exc)}", file=sys.stderr)
    return EXIT_INVALID


def _internal_error(exc: Exception) -> int:
    if os.environ.get("ECMS_GATEWAY_DEBUG"):
        traceback.print_exception(exc)
    print(
        f"ecms-gateway: internal error ({type(exc).__name__}: {exc}); "
        "run again with ECMS_GATEWAY_DEBUG=1 for details and report it to the operators",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def _given_path(exc: OSError, args: argparse.Namespace) -> str | None:
    """The path ``exc`` is about when the command line gave it, a folder on it as typed, or something
    inside it; else None (an OS error about a path of the gateway's own is a bug, an internal error)."""
    if not isinstance(exc.filename, str | bytes):
        return None
    failed = os.fsdecode(exc.filename)
    where = _absolute(Path(failed))
    for given in _paths(args):
        on_the_way = {_absolute(p) for p in (given, *given.parents) if p != Path()}
        if where in on_the_way or _absolute(given) in where.parents:
            return failed
    return None


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))  # not resolve(): the path as given, symbolic links and all


def _paths(args: argparse.Namespace) -> Iterator[Path]:
    for value in vars(args).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Path):
                yield item


def _output_closed() -> bool:
    """True when standard output is a pipe whose reader has gone; then it is pointed at /dev/null, so
    that what is still buffered is dropped quietly at exit (as ``head`` expects of a writer)."""
    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        if not any(events & select.POLLERR for _, events in poller.poll(0)):
            return False
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
