"""``ecms-gateway audit export ID --out FOLDER``: one letter's evidence written to a folder (or a zip)
that an auditor can check without our database: letter.json, audit.jsonl, messages/ (received) and
messages/sent/ (sent, as archived), files/, manifest.json, README.txt and SHA256SUMS
(``sha256sum -c SHA256SUMS``).

The store is read by ``services.evidence.letter_evidence``; this module only writes what it returns.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ecms_gateway import __version__
from ecms_gateway.cli.arguments import record_id
from ecms_gateway.errors import InputError

if TYPE_CHECKING:
    from ecms_gateway.engine import Store
    from ecms_gateway.services.evidence import LetterEvidence

EXIT_OK, EXIT_INCOMPLETE = 0, 1
# Query parameters of a database URL that carry a secret (``?password=``): the manifest leaves for others.


def add_export(
    audit: argparse._SubParsersAction[argparse.ArgumentParser],
    where: argparse.ArgumentParser,
    handler: Callable[[argparse.Namespace], int],
) -> None:
    """``audit export`` beside ``audit verify``: ``where`` are the store options of the other store
    commands, ``handler`` opens the store as they do and calls ``export``."""
    export_parser = audit.add_parser(
        "export",
        parents=[where],
        help="one letter's evidence for an auditor, in a folder",
        description="Write letter ID's facts, audit entries (with their hashes and the chain's check), "
        "the messages received and sent and the files, byte for byte, with manifest.json, README.txt and "
        "SHA256SUMS, to FOLDER (or FOLDER.zip). Exit 1 when the audit chain is broken or a file or message "
        "is missing from the store or changed there (the export is still written, and says so).",
    )
    add_arguments(export_parser)
    export_parser.set_defaults(func=handler)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("letter_id", type=record_id, metavar="ID", help="letter id (as `show` takes it)")
    parser.add_argument("--out", required=True, type=Path, metavar="FOLDER", help="the folder to write")
    parser.add_argument("--force", action="store_true", help="replace FOLDER (or FOLDER.zip) if it exists")
    parser.add_argument(
        "--zip",
        action="store_true",
        help="write FOLDER.zip instead of the folder (a FOLDER ending in .zip is a zip even without --zip)",
    )


def export(args: argparse.Namespace, *, open_store: Callable[[], Store], database_url: str) -> int:
    """Write the export; exit 1 (after writing everything) when the audit chain is broken or something
    the store lists for the letter is missing or changed."""
    from ecms_gateway.services.evidence import letter_evidence  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.store.database import url_without_secrets  # noqa: PLC0415 - the parser imports this module

    # A name ending in .zip asks for a zip: a folder called letter-42.zip handed on would be taken for one.
    as_zip = bool(args.zip) or args.out.suffix.lower() == ".zip"
    target = _zip_path(args.out) if as_zip else args.out
    _check_target(target, force=args.force, folder=not as_zip)
    with open_store() as store:
        evidence = letter_evidence(store, args.letter_id)
    parts = export_parts(evidence, database=url_without_secrets(database_url))
    with _writing(target):
        _write(parts, target, as_zip=as_zip)
    _report(evidence, target)
    return EXIT_OK if evidence.chain_intact and evidence.complete else EXIT_INCOMPLETE


def _check_target(target: Path, *, force: bool, folder: bool) -> None:
    if target.exists() and not force:
        if folder and target.is_dir() and not any(target.iterdir()):
            return
        what = "the folder is not empty" if target.is_dir() else "it already exists"
        raise InputError(f"{target}: {what}; choose another --out or pass --force to replace it")
    if target.exists() and folder != target.is_dir():
        kind = "a folder" if target.is_dir() else "a file"
        raise InputError(f"{target} is {kind}: --force replaces only what the export would write there")
    parent = _existing_parent(target)
    if not parent.is_dir():
        raise InputError(f"cannot write the export in {parent}: it is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(
            f"cannot write the export in {parent}: check its permissions or choose another --out"
        )


def _existing_parent(path: Path) -> Path:
    for candidate in Path(os.path.abspath(path)).parents:
        if candidate.exists():
            return candidate
    return Path("/")


@contextmanager
def _writing(target: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(f"cannot write the export to {target}: {reason}") from exc


def export_parts(evidence: LetterEvidence, *, database: str) -> dict[str, bytes]:
    """Every file of the export by its path inside it, manifest and checksums last (``database``: the
    store's URL without secrets, for the manifest). The web pages' download zips the same parts."""
    from ecms_gateway.cli.evidence_readme import readme  # noqa: PLC0415 - the parser imports this module

    exported = _now()  # one moment for the chain's check, README.txt and the manifest
    parts: dict[str, bytes] = {"letter.json": _json(evidence.letter)}
    lines = [{"record": "entry", **line} for line in evidence.audit]
    lines.append({"record": "chain_verification", "at": exported, **evidence.chain})
    parts["audit.jsonl"] = b"".join(_json_line(line) for line in lines)
    for part in (*evidence.messages, *evidence.sent, *evidence.files):
        parts[part.path] = part.content
    parts["README.txt"] = readme(evidence, exported_at=exported).encode("utf-8")
    parts["manifest.json"] = _json(_manifest(evidence, parts, database=database, exported_at=exported))
    parts["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(content).hexdigest()}  {path}\n" for path, content in sorted(parts.items())
    ).encode("utf-8")
    return parts


def _manifest(
    evidence: LetterEvidence, parts: dict[str, bytes], *, database: str, exported_at: str
) -> dict[str, Any]:
    about = {p.path: p.about for p in (*evidence.messages, *evidence.sent, *evidence.files)}
    return {
        "what": f"the evidence of letter {evidence.letter_id} as the gateway's store keeps it",
        "letter_id": evidence.letter_id,
        "exported_at": exported_at,
        "gateway_version": __version__,
        "database": database,
        "audit_chain": evidence.chain,
        "audit_entries": len(evidence.audit),
        "complete": evidence.complete,
        "missing_from_store": [m["what"] for m in evidence.missing],
        "files": [
            {
                "path": path,
                "sha256": hashlib.sha256(content).hexdigest(),
                "size": len(content),
                **({"about": about[path]} if path in about else {}),
            }
            for path, content in sorted(parts.items())
        ],
        "not_in_manifest": ["manifest.json", "SHA256SUMS (it lists manifest.json too)"],
        "not_included": list(evidence.not_included),
    }


def _zip_path(out: Path) -> Path:
    """``--out letter-42 --zip`` and ``--out letter-42.zip --zip`` both write letter-42.zip."""
    return out if out.suffix.lower() == ".zip" else out.with_name(out.name + ".zip")


def _write(parts: dict[str, bytes], target: Path, *, as_zip: bool) -> None:
    """Made in a temporary folder beside ``target``, then renamed: a failed export leaves no half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        if as_zip:
            made = work / target.name
            write_zip(made, parts, folder=target.stem)
        else:
            made = work / "export"
            for path, content in parts.items():
                (made / path).parent.mkdir(parents=True, exist_ok=True)
                (made / path).write_bytes(content)
        _replace(made, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_zip(file: Path | BinaryIO, parts: dict[str, bytes], *, folder: str) -> None:
    """The export as a zip: every part under ``folder/``, as ``--zip`` writes it."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in parts.items():
            archive.writestr(f"{folder}/{path}", content)


def _replace(made: Path, target: Path) -> None:
    if target.is_dir():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
        made.rename(target)
        shutil.rmtree(old)
    else:
        os.replace(made, target)


def _report(evidence: LetterEvidence, target: Path) -> None:
    print(
        f"letter {evidence.letter_id} exported to {target}: {len(evidence.audit)} audit entries, "
        f"{len(evidence.messages)} message(s) received, {len(evidence.sent)} sent, "
        f"{len(evidence.files)} file(s)"
    )
    for missing in evidence.not_included:
        if missing not in evidence.missing:
            print(f"  not included: {missing['what']}: {missing['why']}")
    for missing in evidence.missing:
        print(f"MISSING from the store: {missing['what']}: {missing['why']}", file=sys.stderr)
    if evidence.missing:
        print(
            f"the export is incomplete: {len(evidence.missing)} file(s) or message(s) the store lists for "
            "the letter could not be exported (manifest.json and README.txt say which)",
            file=sys.stderr,
        )
    chain = evidence.chain
    if chain["intact"]:
        print(f"audit chain intact: {chain['entries_checked']} entries checked, head {chain['head_seq']}")
        return
    print(
        f"audit chain broken at entry {chain['first_bad_seq']}: {chain['problem']} "
        f"(the export was written and says so in manifest.json)",
        file=sys.stderr,
    )


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
