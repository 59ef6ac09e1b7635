"""``ecms-gateway samples``: a guided tour of the sample letters through conversion and validation.

Each sample is converted to a GovernmentDocument, validated against the schemas, converted back and
compared byte for byte; the samples that must not travel are refused with the reason a clerk sees.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ecms_gateway
from ecms_gateway.cli.main import EXIT_INVALID, EXIT_OK
from ecms_gateway.cli.output import human_size
from ecms_gateway.errors import LetterInvalid, PolicyRefused
from ecms_gateway.fileio import write_atomic

SAMPLES = Path(ecms_gateway.__file__).parent / "samples" / "letters"


@dataclass(frozen=True, kw_only=True)
class _Sample:
    name: str
    expect: str  # "converts", "refused" or "invalid"
    about: str


_TOUR = (
    _Sample(
        name="letter-001.json", expect="converts", about="external letter with a reference and an attachment"
    ),
    _Sample(name="letter-002.json", expect="converts", about="most urgent, book number in Thai digits"),
    _Sample(name="letter-003.json", expect="refused", about="top secret: never travels electronically"),
    _Sample(name="letter-004.json", expect="refused", about="internal memo: does not leave the agency"),
    _Sample(name="letter-005-invalid.json", expect="invalid", about="faulty in several ways"),
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "samples",
        help="walk the sample letters through conversion and validation",
        description="Convert each sample letter to e-CMS XML, validate it, convert it back and compare; "
        "show how top-secret letters, internal memos and faulty letters are refused. Exit 0 when every "
        "sample behaves as expected.",
    )
    parser.add_argument(
        "--out", type=Path, help="folder for the generated XML (default: a new temporary folder)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="ecms-gateway-samples-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"ecms-gateway samples: the sample letters, converted to e-CMS XML in {out}\n")
    as_expected = sum(_tour_one(sample, out) for sample in _TOUR)
    print()
    if as_expected == len(_TOUR):
        print(f"All {len(_TOUR)} samples behaved as expected. Try: ecms-gateway validate {out}/*.xml")
        return EXIT_OK
    print(f"{len(_TOUR) - as_expected} of {len(_TOUR)} samples did NOT behave as expected (see above).")
    return EXIT_INVALID


def _tour_one(sample: _Sample, out: Path) -> bool:
    from ecms_gateway.letter.loader import load_letter_file  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.letter.thai import format_thai_date  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.services.convert import document_from_xml, letter_to_document  # noqa: PLC0415 - the parser imports this module

    print(f"{sample.name}: {sample.about}")
    outcome = "converts"
    try:
        package = load_letter_file(SAMPLES / sample.name)
        letter = package.letter
        print(f"  ที่ {letter.book_no}  ลงวันที่ {format_thai_date(letter.date)}  เรื่อง {letter.subject}")
        data = letter_to_document(package)
        target = out / f"{Path(sample.name).stem}.xml"
        write_atomic(target, data, private=False)
        back = document_from_xml(data, source=target.name).package
        # The samples name their files by bare name, so the letter must come back exactly equal.
        same = back.letter == letter and [f.content for f in back.files] == [f.content for f in package.files]
        verdict = (
            "converts back to the same letter and identical files" if same else "DIFFERS when converted back"
        )
        size = human_size(len(data))
        print(f"  -> {target.name}: GovernmentDocument, {size}, valid against the schemas; {verdict}")
        if not same:
            outcome = "differs"
    except PolicyRefused as exc:
        outcome = "refused"
        print(f"  -> refused: {exc}")
    except LetterInvalid as exc:
        outcome = "invalid"
        print(f"  -> invalid, {len(exc.faults)} faults reported at once:")
        for fault in exc.faults:
            print(f"       {fault}")
    ok = outcome == sample.expect
    print(f"  {'as expected' if ok else f'UNEXPECTED: expected {sample.expect}, got {outcome}'}")
    return ok
