"""A letter submitted over HTTP, read into a ``LetterPackage`` with every fault found at once.

Two shapes: ``multipart/form-data`` with a part ``letter`` (the letter JSON, format v1) and one part
per file, named by the path the JSON gives it; or ``application/json`` ``{"letter": {...}, "files":
{"<path>": "<Base64>"}}``. Besides the letter's own faults (the loader's), a submission is checked
for files nobody references, the regulation's and agency's secrecy rules, a sender this gateway does
not serve and a receiver the directory does not know, so that one 422 lists everything to fix.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from ecms_adapters.api.errors import ApiError
from ecms_gateway.errors import Fault, InputError, LetterInvalid, PolicyRefused
from ecms_gateway.letter.codes import Kind, Secrecy
from ecms_gateway.letter.loader import load_letter_dict
from ecms_gateway.letter.model import Letter, LetterPackage
from ecms_gateway.letter.policy import SecrecyPolicy, check_may_leave
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import RuntimeSettings

MAX_FILES = 100
MULTIPART = "multipart/form-data"
JSON = "application/json"


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """What the request carried: the letter object, its files by name, and faults of the envelope."""

    letter: Mapping[str, Any] | None
    files: Mapping[str, bytes]
    faults: tuple[Fault, ...] = field(default=())
    undecodable: frozenset[str] = frozenset()  # files sent but not Base64 (a fault already says so)


async def read_envelope(request: Request) -> Envelope:
    """The letter and files of the request, in either shape; 415 for any other content type."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == MULTIPART:
        return await _multipart(request)
    if kind == JSON:
        return _json_envelope(await request.body())
    raise ApiError(
        415,
        f"a letter is sent as {MULTIPART} (part 'letter' with the letter JSON, one part per file "
        f'named by its path) or as {JSON} {{"letter": {{...}}, "files": {{"<path>": "<Base64>"}}}}',
    )


async def _multipart(request: Request) -> Envelope:
    faults: list[Fault] = []
    files: dict[str, bytes] = {}
    letter_text: bytes | None = None
    try:
        async with request.form(max_files=MAX_FILES, max_fields=MAX_FILES) as form:
            for name, value in form.multi_items():
                data = await value.read() if isinstance(value, UploadFile) else value.encode("utf-8")
                if name == "letter":
                    letter_text = data
                elif not isinstance(value, UploadFile):
                    faults.append(Fault(where=name, problem="is a text field; files are sent as file parts"))
                elif name in files:
                    faults.append(Fault(where=name, problem="is sent twice; send each file once"))
                else:
                    files[name] = data
    except MultiPartException as exc:
        raise ApiError(400, f"the multipart body cannot be read: {exc.message}") from exc
    if letter_text is None:
        faults.append(Fault(where="letter", problem="the part 'letter' with the letter JSON is missing"))
        return Envelope(letter=None, files=files, faults=tuple(faults))
    letter, problem = _json_object(letter_text)
    if problem:
        faults.append(Fault(where="letter", problem=problem))
    return Envelope(letter=letter, files=files, faults=tuple(faults))


def _json_envelope(body: bytes) -> Envelope:
    outer, problem = _json_object(body)
    if outer is None:
        raise ApiError(
            422, "the body is not a letter submission", faults=[Fault(where="body", problem=problem)]
        )
    faults = [
        Fault(where=key, problem='is not part of a submission: send {"letter": ..., "files": ...}')
        for key in outer
        if key not in ("letter", "files")
    ]
    letter = outer.get("letter")
    if not isinstance(letter, dict):
        faults.append(Fault(where="letter", problem="must be the letter object (format v1)"))
        letter = None
    files: dict[str, bytes] = {}
    undecodable: set[str] = set()
    raw_files = outer.get("files", {})
    if not isinstance(raw_files, dict):
        faults.append(Fault(where="files", problem='must be an object {"<path>": "<Base64>"}'))
        raw_files = {}
    for name, text in raw_files.items():
        try:
            if not isinstance(text, str):
                raise ValueError
            files[name] = base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            undecodable.add(_normal(name))
            faults.append(
                Fault(where=f"files.{name}", problem="is not Base64 text (RFC 4648, no line breaks)")
            )
    return Envelope(letter=letter, files=files, faults=tuple(faults), undecodable=frozenset(undecodable))


def _json_object(text: bytes) -> tuple[dict[str, Any] | None, str]:
    try:
        value = json.loads(text)
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    if not isinstance(value, dict):
        return None, "must be one JSON object"
    return value, ""


@dataclass(frozen=True, kw_only=True)
class Checks:
    """What a submission is checked against besides the letter format."""

    settings: RuntimeSettings
    routing: RoutingTable | None


def package_of(envelope: Envelope, checks: Checks) -> LetterPackage:
    """The letter package, or ``LetterInvalid`` with every fault of the envelope, letter and policy."""
    faults = list(envelope.faults)
    if envelope.letter is None:
        raise LetterInvalid(faults)
    raw = envelope.letter
    used: set[str] = set()

    def read(path: str) -> bytes | None:
        name = _normal(path)
        used.add(name)
        return envelope.files.get(name)

    package: LetterPackage | None = None
    try:
        package = load_letter_dict(raw, read)
    except LetterInvalid as exc:
        faults.extend(_in_api_words(f) for f in exc.faults if not _undecodable(f, envelope))
    faults += [
        Fault(where=f"files.{name}", problem="is not named by the letter's main_file or attachments")
        for name in envelope.files
        if _normal(name) not in used
    ]
    faults += rule_faults(raw, checks)
    if faults or package is None:
        raise LetterInvalid(faults)
    return package


def _undecodable(fault: Fault, envelope: Envelope) -> bool:
    """A file sent but not Base64 is "not found" to the loader; its fault under files.<name> says it."""
    return fault.code == "file.not_found" and _normal(fault.params.get("path", "")) in envelope.undecodable


def _in_api_words(fault: Fault) -> Fault:
    # The loader speaks of a folder; over HTTP a missing file is a part (or files entry) not sent.
    if fault.problem.endswith("was not found next to the letter"):
        name = fault.problem.removeprefix("file ").removesuffix(" was not found next to the letter")
        problem = f'file {name} was not sent: add a file part (or a "files" entry) named {name}'
        return Fault(where=fault.where, problem=problem)
    return fault


def _normal(path: str) -> str:
    return str(PurePosixPath(path.replace("\\", "/")))


def rule_faults(raw: Mapping[str, Any], checks: Checks) -> list[Fault]:
    """What the regulation, the agency's secrecy policy, the senders served and the directory say of
    the letter's raw JSON, checked on their own so that a letter with other faults hears of these too
    (the outbox folder says them the same way)."""
    return _policy_faults(raw, checks.settings.secrecy) + _party_faults(raw, checks)


def _policy_faults(raw: Mapping[str, Any], policy: SecrecyPolicy) -> list[Fault]:
    """Secrecy and kind checked on their own, so that a letter with other faults hears of these too."""
    book_no = raw.get("book_no") if isinstance(raw.get("book_no"), str) else "(no book number)"
    probes: list[tuple[str, Kind, Secrecy]] = []
    if raw.get("secrecy") in set(Secrecy):
        probes.append(("secrecy", Kind.EXTERNAL, Secrecy(raw["secrecy"])))
    if raw.get("kind") in set(Kind):
        probes.append(("kind", Kind(raw["kind"]), Secrecy.NORMAL))
    faults = []
    for where, kind, secrecy in probes:
        try:
            # Only the fields the policy reads: the letter's other faults are reported apart.
            fields: dict[str, Any] = {"kind": kind, "secrecy": secrecy, "book_no": book_no}
            probe = Letter.model_construct(**fields)
            check_may_leave(probe, policy if where == "secrecy" else SecrecyPolicy())
        except PolicyRefused as exc:
            faults.append(Fault(where=where, problem=str(exc)))
    return faults


def _party_faults(raw: Mapping[str, Any], checks: Checks) -> list[Fault]:
    faults = []
    sender = _org(raw, "sender")
    if sender is not None and checks.settings.served(sender) is None:
        served = ", ".join(sorted(checks.settings.org_ids))
        faults.append(
            Fault(where="sender.org_id", problem=f"this gateway sends for {served} only, not for {sender}")
        )
    receiver = _org(raw, "receiver")
    if receiver is not None and checks.routing is not None:
        try:
            checks.routing.route(receiver)
        except InputError as exc:
            faults.append(Fault(where="receiver.org_id", problem=str(exc)))
    return faults


def _org(raw: Mapping[str, Any], party: str) -> str | None:
    value = raw.get(party)
    org = value.get("org_id") if isinstance(value, dict) else None
    return org if isinstance(org, str) and len(org) == 10 and org.isdigit() else None
