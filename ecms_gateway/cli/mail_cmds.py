"""``ecms-gateway mail inspect FILE.eml``: classify a saved message and print every field read from it.

The clerk's commands on letters people sent by mail (pending, show, confirm, dismiss) are in
``mail_review_cmds``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecms_gateway.cli import mail_review_cmds
from ecms_gateway.cli.main import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from ecms_gateway.cli.settings import add_xml_options, config_from_args, has_config, xml_limits


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mail = subparsers.add_parser("mail", help="the saraban mail channel")
    commands = mail.add_subparsers(title="mail commands", metavar="COMMAND")
    inspect = commands.add_parser(
        "inspect",
        help="classify a saved e-mail (.eml) and print what the gateway reads from it",
        description="Classify FILE (a whole e-mail as saved by a mail program: .eml) as the gateway "
        "would on receipt: letter (ecms-letter.xml), notifier (ecms-notifier.xml), human-letter, bounce, "
        "auto-reply or quarantined. Prints the class and every field, saying which could not be found. "
        "Signatures are not checked here. Exit 0 for a message the gateway can handle, 1 (with the "
        "reason) for one it would quarantine, 2 on usage errors.",
    )
    inspect.add_argument("file", type=Path, metavar="FILE.eml")
    inspect.add_argument(
        "--directory",
        type=Path,
        metavar="FILE",
        help="directory JSON whose e-mail addresses name the sending organisation (default: the "
        "configuration's directory.file, when --config names one)",
    )
    add_xml_options(inspect)
    inspect.set_defaults(func=run_inspect)
    mail_review_cmds.add_commands(commands)
    mail.set_defaults(func=lambda _args: _usage(mail))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def run_inspect(args: argparse.Namespace) -> int:
    from ecms_gateway.mail.classifier import classify  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.mail.directory import MailDirectory, load_mail_directory  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.mail.inbound import Quarantined  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.mail.report import describe  # noqa: PLC0415 - the parser imports this module

    path: Path = args.file
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"ecms-gateway: {path}: cannot be read ({exc.strerror}); check the path", file=sys.stderr)
        return EXIT_USAGE
    directory_file: Path | None = args.directory
    if directory_file is None and has_config(args):  # as the running gateway reads it
        directory_file = config_from_args(args).directory.file
    directory: MailDirectory | None = load_mail_directory(directory_file) if directory_file else None
    result = classify(raw, directory=directory, limits=xml_limits(args))
    rows = describe(result)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    if isinstance(result, Quarantined):
        print(f"ecms-gateway: {path}: quarantined: {result.reason}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK
