"""``ecms-gateway convert``: letter JSON + files <-> e-CMS GovernmentDocument XML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecms_gateway.cli.main import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from ecms_gateway.cli.output import human_size, print_faults, say_missing, writing
from ecms_gateway.cli.settings import add_xml_options, xml_limits
from ecms_gateway.errors import InputError, LetterInvalid, PolicyRefused, SchemaInvalid
from ecms_gateway.fileio import write_atomic


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "convert",
        help="letter JSON -> GovernmentDocument XML, or GovernmentDocument XML -> letter JSON + files",
        description="Convert a letter JSON (format v1, files next to it) into an e-CMS GovernmentDocument "
        "XML, or a GovernmentDocument XML (bare, in a SOAP envelope or in a request) back into letter "
        "JSON with its files written next to it. The direction follows the input unless --to is given. "
        "Existing files are never overwritten without --force. Exit 0 on success, 1 when the input is "
        "invalid or refused, 2 on usage errors.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--to", choices=("ecms", "letter"), help="the output format (default: the other one)")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT",
        help="output file (default: FILE's name with .xml or .json, in the current folder)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing output files")
    add_xml_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ecms_gateway.services.convert import is_letter_file  # noqa: PLC0415 - the parser imports this module

    path: Path = args.file
    if not path.is_file():
        say_missing(path)
        return EXIT_USAGE
    source_is_letter = is_letter_file(path)
    direction = args.to or ("ecms" if source_is_letter else "letter")
    if (direction == "ecms") != source_is_letter:
        have = "a letter JSON" if source_is_letter else "XML"
        print(
            f"ecms-gateway: {path}: is {have}; --to {direction} needs "
            f"{'a letter JSON' if direction == 'ecms' else 'a GovernmentDocument XML'} as input",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        if direction == "ecms":
            return _to_ecms(path, args)
        return _to_letter(path, args)
    except (LetterInvalid, SchemaInvalid) as exc:
        print_faults(str(path), exc.faults)
    except PolicyRefused as exc:
        print(f"{path}: refused: {exc}")
    except InputError as exc:
        print(f"{path}: invalid: {exc}")
    return EXIT_INVALID


def _to_ecms(path: Path, args: argparse.Namespace) -> int:
    from ecms_gateway.letter.loader import load_letter_file  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.services.convert import letter_to_document  # noqa: PLC0415 - the parser imports this module

    out: Path = args.output or Path.cwd() / f"{path.stem}.xml"
    package = load_letter_file(path)
    data = letter_to_document(package)
    if out.exists() and not args.force:
        raise InputError(f"would overwrite {out}; choose another output with -o or pass --force")
    with writing(out):
        write_atomic(out, data, private=False)
    count = len(package.files)
    print(
        f"{path}: wrote {out} (GovernmentDocument, {count} file{'s' * (count != 1)}, "
        f"{human_size(len(data))}, valid)"
    )
    return EXIT_OK


def _to_letter(path: Path, args: argparse.Namespace) -> int:
    from ecms_gateway.services.convert import document_from_xml, write_letter  # noqa: PLC0415 - the parser imports this module

    out: Path = args.output or Path.cwd() / f"{path.stem}.json"
    limits = xml_limits(args)
    decoded = document_from_xml(path.read_bytes(), limits=limits, source="the file")
    with writing(out):
        written = write_letter(decoded.package, out, overwrite=args.force)
    files = ", ".join(p.name for p in written.file_paths)
    print(f"{path}: wrote {written.json_path} and {files}")
    if decoded.signature is not None:
        print(f"{path}: note: the letter is signed; check the signature with 'ecms-gateway verify {path}'")
    return EXIT_OK
