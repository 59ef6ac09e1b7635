"""``ecms-gateway audit files``: after a restore, every letter file, received item, sent message and letter
record is checked against the SHA-256 the database recorded for it (``Store.check_content``); files of
the file store that no row names are told as information.

Exit 0 when everything matches, 1 with one line per piece missing or changed and what to do.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ecms_gateway.engine import Store
    from ecms_gateway.engine.content_check import ContentProblem, ContentReport

EXIT_OK, EXIT_PROBLEMS = 0, 1
DOCS: Final = 'docs/operations.md, "Running it and keeping its state safe"'

# Each kind of content: its key in --json and its words (one, many), in the order they are checked.
_KINDS: Final = {
    "letter_file": ("letter_files", "letter file", "letter files"),
    "mail_letter_file": ("mail_letter_files", "mail letter file", "mail letter files"),
    "received": ("received_items", "received item", "received items"),
    "sent": ("sent_messages", "sent message", "sent messages"),
    "letter": ("letter_records", "letter record", "letter records"),
}
# What a problem line names: the letter whose file it is, or the item or message itself.
_OWNER: Final = {
    "letter_file": "letter",
    "mail_letter_file": "mail letter",
    "received": "received item",
    "sent": "sent message",
}


def add_files(
    audit: argparse._SubParsersAction[argparse.ArgumentParser],
    where: argparse.ArgumentParser,
    handler: Callable[[argparse.Namespace], int],
) -> None:
    """``audit files`` beside ``audit verify``: ``where`` are the store options of the other store
    commands, ``handler`` opens the store as they do and calls ``check_files``."""
    parser = audit.add_parser(
        "files",
        parents=[where],
        help="check every stored file and message against its recorded SHA-256 (after a restore)",
        description="Check each letter's files, each mail letter's files, each received item, each sent "
        "message (in its database row or in the file store) and each letter's record against the SHA-256 "
        "the database recorded for it. Exit 0 when all match; 1 with a line for each one missing from the "
        "file store or changed. Files in the file store that no row names are counted (information only).",
    )
    parser.add_argument(
        "--json", action="store_true", help="the counts, the problems and the unnamed files as JSON"
    )
    parser.set_defaults(func=handler)


def check_files(args: argparse.Namespace, *, open_store: Callable[[], Store]) -> int:
    """Run the check on the store ``open_store`` opens and say what it found."""
    problems: list[ContentProblem] = []

    def say(problem: ContentProblem) -> None:
        print(describe(problem), flush=True)  # as found (and kept by nobody): a large store takes a while

    with open_store() as store:
        report = store.check_content(on_problem=problems.append if args.json else say)
    if args.json:
        print(json.dumps(as_json(report, problems), ensure_ascii=False, indent=2))
    else:
        for line in summary(report):
            print(line)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def describe(problem: ContentProblem) -> str:
    """``letter 12 file 1 `name.pdf`: missing from the file store at PATH``, ``sent message 3: ...``."""
    kind = problem.kind.value
    if kind == "letter":
        return (
            f"letter {problem.id}: its record (letter JSON and list of files) no longer matches its "
            "content digest"
        )
    what = f"{_OWNER[kind]} {problem.id}"
    if problem.position is not None:
        what += f" file {problem.position} `{problem.name}`"
    if problem.fault.value == "missing":
        return f"{what}: missing from the file store at {problem.location}"
    where = f"at {problem.location}" if problem.location else "in its database row"
    return f"{what}: content does not match its hash ({where})"


def summary(report: ContentReport) -> list[str]:
    """The summary line, what to do about the problems, and the files no row names."""
    checked = _checked(report)
    if report.ok:
        lines = [f"{checked}: all match"]
    else:
        lines = [f"{checked}: {report.problems} missing or changed", *_advice(report)]
    if report.orphans:
        more = ", …" if report.orphans > len(report.first_orphans) else ""
        lines.append(
            f"note: {report.orphans} file(s) in the file store {report.file_store} are named by no row "
            "(harmless: an intake cut off, or a letter that came in during the check, leaves one; many tell "
            "of a file store restored from another backup than the database): "
            f"{', '.join(report.first_orphans)}{more}"
        )
    return lines


def _checked(report: ContentReport) -> str:
    counts = {kind.value: count for kind, count in report.checked.items()}
    parts = [f"{counts[k]} {one if counts[k] == 1 else many}" for k, (_, one, many) in _KINDS.items()]
    return "checked " + ", ".join(parts)


def _advice(report: ContentReport) -> list[str]:
    lines = []
    if report.problems_in_file_store:
        where = f"the file store {report.file_store}"
        if not report.file_store_found:
            where += (
                " is not there: check gateway.data_dir (or --data-dir / ECMS_GATEWAY_DATA_DIR) names the "
                "restored data folder, or restore it"
            )
        else:
            where = "restore " + where
        lines.append(
            f"{where} from the same backup as the database, then run `ecms-gateway audit files` "
            f"again ({DOCS})"
        )
    if report.problems_in_database:
        lines.append(
            "content kept in the database itself was changed after it was written: restore the database "
            f"from a backup taken before the change, then run `ecms-gateway audit verify` and "
            f"`ecms-gateway audit files` ({DOCS})"
        )
    return lines


def as_json(report: ContentReport, problems: list[ContentProblem]) -> dict[str, Any]:
    counts = {kind.value: count for kind, count in report.checked.items()}
    return {
        "ok": report.ok,
        "checked": {key: counts[kind] for kind, (key, _, _) in _KINDS.items()},
        "problems": [
            {
                "kind": p.kind.value,
                "id": p.id,
                "position": p.position,
                "name": p.name,
                "problem": p.fault.value,
                "kept_in": "database" if p.location is None else "file_store",
                "location": p.location,
                "message": describe(p),
            }
            for p in problems
        ],
        "file_store": report.file_store,
        "file_store_found": report.file_store_found,
        "orphans": {"count": report.orphans, "first": list(report.first_orphans)},
    }
