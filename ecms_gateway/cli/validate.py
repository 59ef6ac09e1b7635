"""``ecms-gateway validate FILE...``: recognise and check e-CMS messages and letter JSON files."""

from __future__ import annotations

import argparse
from pathlib import Path

from ecms_gateway.cli.main import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from ecms_gateway.cli.output import print_faults, say_missing
from ecms_gateway.cli.settings import add_xml_options, xml_limits
from ecms_gateway.errors import InputError, LetterInvalid, SchemaInvalid
from ecms_gateway.xml.limits import XmlLimits


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check e-CMS messages (bare or in a SOAP envelope) and letter JSON files",
        description="Recognise each FILE (any e-CMS message, bare or in a SOAP envelope, or a letter "
        "JSON in format v1) and check it against the gateway's schemas. Prints 'FILE: ok (<type>)' or "
        "one 'FILE: invalid: <where>: <reason>' line per fault. Exit 0 when all are valid, 1 when any "
        "is not, 2 on usage errors (such as a file that does not exist).",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_xml_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    limits = xml_limits(args)
    status = EXIT_OK
    for path in args.files:
        if not path.is_file():
            say_missing(path)
            status = EXIT_USAGE
            continue
        if not check_file(path, limits) and status == EXIT_OK:
            status = EXIT_INVALID
    return status


def check_file(path: Path, limits: XmlLimits) -> bool:
    """Print the verdict for one file; True when it is valid."""
    from ecms_gateway.codec.recognize import read_message  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.letter.loader import load_letter_file  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.services.convert import is_letter_file  # noqa: PLC0415 - the parser imports this module

    label = str(path)
    try:
        if is_letter_file(path):
            package = load_letter_file(path)
            count = len(package.files)
            print(f"{label}: ok (letter v1, {package.letter.kind.value}, {count} file{'s' * (count != 1)})")
        else:
            message = read_message(path.read_bytes(), limits=limits, source="the file")
            print(f"{label}: ok ({message.message_type})")
    except (LetterInvalid, SchemaInvalid) as exc:
        print_faults(label, exc.faults)
        return False
    except InputError as exc:
        print(f"{label}: invalid: {exc}")
        return False
    except OSError as exc:
        print(f"{label}: invalid: cannot be read ({exc.strerror})")
        return False
    return True
