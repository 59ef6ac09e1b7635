"""Convert between the internal letter (JSON + files) and the e-CMS GovernmentDocument XML."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from ecms_gateway.codec.document import DecodedDocument, build_document, parse_document
from ecms_gateway.codec.envelope import to_bytes
from ecms_gateway.codec.recognize import read_message
from ecms_gateway.codec.schema import validate
from ecms_gateway.errors import InputError
from ecms_gateway.fileio import write_atomic
from ecms_gateway.letter.codes import Secrecy
from ecms_gateway.letter.model import FileData, FileRef, LetterPackage
from ecms_gateway.letter.policy import SecrecyPolicy, check_may_leave
from ecms_gateway.xml.namespaces import RSM, qname
from ecms_gateway.xml.parser import XmlLimits

# Converting is not sending: only the regulation's hard rules apply here (top secret, kinds that stay
# inside); the agency's secrecy policy is applied by routing when a letter is actually sent.
_CONVERT_POLICY = SecrecyPolicy(allowed=frozenset(Secrecy) - {Secrecy.TOP_SECRET})
_DOCUMENT = qname(RSM, "GovernmentDocument")


def letter_to_document(package: LetterPackage, *, send_time: datetime | None = None) -> bytes:
    """The validated GovernmentDocument XML of a letter that may leave the agency."""
    check_may_leave(package.letter, _CONVERT_POLICY)
    root = build_document(package, send_time=send_time)
    validate(root, "GovernmentDocument")
    return to_bytes(root)


def document_from_xml(
    data: bytes, *, limits: XmlLimits | None = None, source: str = "input"
) -> DecodedDocument:
    """Decode a GovernmentDocument, bare, in a SOAP envelope, or inside a request/response wrapper."""
    message = read_message(data, limits=limits, source=source)
    element = message.payload
    if element.tag != _DOCUMENT:
        found = element.find(f".//{_DOCUMENT}")
        if found is None:
            raise InputError(
                f"{source} is a {message.message_type} message, not a letter; only letters "
                "(GovernmentDocument) convert to letter JSON"
            )
        element = found
    return parse_document(element)


@dataclass(frozen=True, kw_only=True)
class WrittenLetter:
    """Where a converted letter was written."""

    json_path: Path
    file_paths: tuple[Path, ...]


def write_letter(package: LetterPackage, json_path: Path, *, overwrite: bool = False) -> WrittenLetter:
    """Write letter JSON with its files next to it (unique names), atomically; refuse to clobber."""
    folder = json_path.parent
    names = _unique_names(package.files)
    targets = [json_path, *(folder / name for name in names)]
    existing = [t.name for t in targets if t.exists()]
    if existing and not overwrite:
        raise InputError(
            f"would overwrite {', '.join(existing)} in {folder}; choose another output with -o "
            "or pass --force to replace them"
        )
    refs = [FileRef(path=name, mime=f.mime) for name, f in zip(names, package.files, strict=True)]
    letter = package.letter.model_copy(update={"main_file": refs[0], "attachments": tuple(refs[1:])})
    for target, file in zip(targets[1:], package.files, strict=True):
        write_atomic(target, file.content, private=False)
    text = json.dumps(letter.to_json_dict(), ensure_ascii=False, indent=2) + "\n"
    write_atomic(json_path, text.encode("utf-8"), private=False)
    return WrittenLetter(json_path=json_path, file_paths=tuple(targets[1:]))


def _unique_names(files: tuple[FileData, ...]) -> list[str]:
    seen: set[str] = set()
    names = []
    for file in files:
        pure = PurePosixPath(file.name.replace("\\", "/")).name or "file"
        name, n = pure, 1
        while name.lower() in seen:
            n += 1
            stem, dot, ext = pure.rpartition(".")
            name = f"{stem} ({n}).{ext}" if dot and stem else f"{pure} ({n})"
        seen.add(name.lower())
        names.append(name)
    return names


def is_letter_file(path: Path) -> bool:
    """True when the file at ``path`` is to be read as a letter JSON rather than XML: it is named
    ``.json`` (so that a broken one is told apart as JSON) or its start looks like a JSON object."""
    if path.suffix.lower() == ".json":
        return True
    with path.open("rb") as handle:
        return is_letter_json(handle.read(64))


def is_letter_json(data: bytes) -> bool:
    """True when the bytes (the start of a file) look like a letter JSON object rather than XML: in
    UTF-8, UTF-16 or UTF-32 (a Windows tool may save a letter as UTF-16), told apart the way
    ``json.loads``, which the loader uses, tells them apart."""
    text = data.decode(json.detect_encoding(data), errors="ignore")
    return text.lstrip("\ufeff \t\r\n").startswith("{")
