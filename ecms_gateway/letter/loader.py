"""Load a letter (format v1) from JSON and its files, reporting every fault at once.

Each fault names the field (``sender.org_id``, ``attachments[1].path``) and says in plain words
what is wrong and what to write instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ecms_gateway.errors import Fault, LetterInvalid
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.model import FileData, FileRef, Letter, LetterPackage

FileReader = Callable[[str], bytes | None]
"""Returns a file's bytes by the letter's relative path, or None when there is no such file."""


def load_letter_file(path: Path) -> LetterPackage:
    """Load ``letter.json`` and the files it names (paths relative to the JSON file)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise LetterInvalid([Fault(where=path.name, problem=f"cannot be read: {exc.strerror}")]) from exc
    return load_letter_json(text, folder_reader(path.parent), source=path.name)


def folder_reader(folder: Path) -> FileReader:
    """A ``FileReader`` for files inside ``folder`` (paths may not leave it)."""
    base = folder.resolve()

    def read(relative: str) -> bytes | None:
        target = (base / relative).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            return None
        return target.read_bytes()

    return read


def load_letter_json(text: bytes | str, read_file: FileReader, *, source: str = "letter") -> LetterPackage:
    """Parse and check a letter JSON document; files come from ``read_file``."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"{source} line {exc.lineno} column {exc.colno}"
        raise LetterInvalid([Fault(where=where, problem=f"is not valid JSON ({exc.msg})")]) from exc
    except UnicodeDecodeError as exc:
        raise LetterInvalid([Fault(where=source, problem="is not UTF-8 text")]) from exc
    if not isinstance(raw, dict):
        raise LetterInvalid([Fault(where=source, problem="must be one JSON object (a letter)")])
    return load_letter_dict(raw, read_file)


def load_letter_dict(raw: Mapping[str, Any], read_file: FileReader) -> LetterPackage:
    """Check a letter given as a mapping; raises ``LetterInvalid`` with all faults."""
    faults: list[Fault] = []
    letter: Letter | None = None
    try:
        letter = Letter.model_validate_json(json.dumps(raw, ensure_ascii=False))
    except ValidationError as exc:
        faults.extend(_translate(err) for err in exc.errors(include_url=False))
    files = _read_files(raw, read_file, faults)
    if faults or letter is None:
        raise LetterInvalid(_dedupe(faults))
    main, *attachments = files
    return LetterPackage(letter=letter, main=main, attachments=tuple(attachments))


def _read_files(raw: Mapping[str, Any], read_file: FileReader, faults: list[Fault]) -> list[FileData]:
    refs: list[tuple[str, Any]] = [("main_file", raw.get("main_file"))]
    attachments = raw.get("attachments")
    if isinstance(attachments, list):
        refs.extend((f"attachments[{i}]", item) for i, item in enumerate(attachments))
    files: list[FileData] = []
    for where, ref in refs:
        if not isinstance(ref, dict) or not isinstance(ref.get("path"), str) or not ref["path"].strip():
            continue  # the model already reported the missing or malformed reference
        data = _read_one(where, ref["path"], read_file, faults)
        mime = ref.get("mime")
        if data is not None and isinstance(mime, str):
            if mime == "application/pdf" and not data[:1024].lstrip().startswith(b"%PDF-"):
                problem = f"says application/pdf but {ref['path']!r} is not a PDF"
                faults.append(Fault(where=f"{where}.mime", problem=problem))
            files.append(FileData(name=PurePosixPath(ref["path"]).name, mime=mime, content=data))
    return files


def _read_one(where: str, path: str, read_file: FileReader, faults: list[Fault]) -> bytes | None:
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        faults.append(
            Fault(where=f"{where}.path", problem=f"{path!r} must be a path inside the letter's folder")
        )
        return None
    data = read_file(str(pure))
    if data is None:
        faults.append(Fault(where=f"{where}.path", problem=f"file {path!r} was not found next to the letter"))
    elif not data:
        faults.append(Fault(where=f"{where}.path", problem=f"file {path!r} is empty"))
        return None
    return data


_CHOICES: dict[str, str] = {
    "kind": ", ".join(k.value for k in Kind),
    "speed": ", ".join(s.value for s in Speed),
    "secrecy": ", ".join(s.value for s in Secrecy),
}


def _translate(err: ErrorDetails) -> Fault:
    where = _path(err["loc"])
    kind = err["type"]
    value = err.get("input")
    field = str(err["loc"][-1]) if err["loc"] else ""
    if kind == "missing":
        problem = "is required but missing"
    elif kind == "extra_forbidden":
        problem = "is not a field of letter format v1; remove it or check its spelling"
    elif kind == "enum" and field in _CHOICES:
        problem = f"{value!r} is not one of: {_CHOICES[field]}"
    elif kind.startswith("date"):
        problem = f"{value!r} is not a real date; write yyyy-mm-dd in the Gregorian calendar"
    elif kind in ("string_type", "str_type"):
        problem = "must be text"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        problem = "must be an object { ... }"
    elif kind in ("tuple_type", "list_type"):
        problem = "must be a list [ ... ]"
    else:
        problem = err["msg"]
    return Fault(where=where, problem=problem)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "letter"


def _dedupe(faults: list[Fault]) -> list[Fault]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for fault in faults:
        key = (fault.where, fault.problem)
        if key not in seen:
            seen.add(key)
            unique.append(fault)
    return unique


def file_refs_for(files: tuple[FileData, ...]) -> tuple[FileRef, ...]:
    """File references for files written next to a letter under their own names."""
    return tuple(FileRef(path=f.name, mime=f.mime) for f in files)
