"""Load a letter (format v1) from JSON and its files, reporting every fault at once.

Each fault names the field (``sender.org_id``, ``attachments[1].path``) and says in plain words
what is wrong and what to write instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ecms_gateway.errors import Fault, LetterInvalid
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.model import FileData, FileRef, Letter, LetterPackage

FileReader = Callable[[str], bytes | None]
"""Returns a file's bytes by the letter's relative path, or None when there is no such file."""


def load_letter_file(path: Path) -> LetterPackage:
    """Load ``letter.json`` and the files it names (paths relative to the JSON file)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        problem = f"cannot be read: {exc.strerror}"
        fault = _fault(path.name, problem, "letter.unreadable", reason=exc.strerror)
        raise LetterInvalid([fault]) from exc
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
        fault = _fault(where, f"is not valid JSON ({exc.msg})", "letter.not_json", reason=exc.msg)
        raise LetterInvalid([fault]) from exc
    except UnicodeDecodeError as exc:
        raise LetterInvalid([_fault(source, "is not UTF-8 text", "letter.not_utf8")]) from exc
    if not isinstance(raw, dict):
        raise LetterInvalid([_fault(source, "must be one JSON object (a letter)", "letter.not_object")])
    return load_letter_dict(raw, read_file)


def load_letter_dict(raw: Mapping[str, Any], read_file: FileReader) -> LetterPackage:
    """Check a letter given as a mapping; raises ``LetterInvalid`` with all faults."""
    faults: list[Fault] = []
    letter: Letter | None = None
    cleaned = _without_surrogates(raw, (), faults)
    try:
        letter = Letter.model_validate_json(json.dumps(cleaned, ensure_ascii=False))
    except ValidationError as exc:
        faults.extend(_translate(err) for err in exc.errors(include_url=False))
    files = _read_files(cleaned, read_file, faults)
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
                faults.append(_fault(f"{where}.mime", problem, "file.not_pdf", path=ref["path"]))
            files.append(FileData(name=PurePosixPath(ref["path"]).name, mime=mime, content=data))
    return files


def _read_one(where: str, path: str, read_file: FileReader, faults: list[Fault]) -> bytes | None:
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        problem = f"{path!r} must be a path inside the letter's folder"
        faults.append(_fault(f"{where}.path", problem, "file.outside", path=path))
        return None
    data = read_file(str(pure))
    if data is None:
        problem = f"file {path!r} was not found next to the letter"
        faults.append(_fault(f"{where}.path", problem, "file.not_found", path=path))
    elif not data:
        faults.append(_fault(f"{where}.path", f"file {path!r} is empty", "file.empty", path=path))
        return None
    return data


_CHOICES: dict[str, str] = {
    "kind": ", ".join(k.value for k in Kind),
    "speed": ", ".join(s.value for s in Speed),
    "secrecy": ", ".join(s.value for s in Secrecy),
}


_CUSTOM = frozenset({"empty", "org_id", "buddhist_year", "mime", "xml_char", "too_long"})
"""The model's own error types (``model.py``); their ctx are their parameters."""


_FIXED: dict[str, tuple[str, str]] = {
    "missing": ("missing", "is required but missing"),
    "extra_forbidden": (
        "extra_forbidden",
        "is not a field of letter format v1; remove it or check its spelling",
    ),
    "string_type": ("string_type", "must be text"),
    "str_type": ("string_type", "must be text"),
    "model_type": ("model_type", "must be an object { ... }"),
    "dict_type": ("model_type", "must be an object { ... }"),
    "model_attributes_type": ("model_type", "must be an object { ... }"),
    "tuple_type": ("list_type", "must be a list [ ... ]"),
    "list_type": ("list_type", "must be a list [ ... ]"),
}
"""Pydantic error types whose fault has no parameters: (code, English problem)."""


def _translate(err: ErrorDetails) -> Fault:
    where = _path(err["loc"])
    kind = err["type"]
    value = err.get("input")
    field = str(err["loc"][-1]) if err["loc"] else ""
    if kind in _FIXED:
        code, problem = _FIXED[kind]
        return _fault(where, problem, code)
    if kind == "enum" and field in _CHOICES:
        problem = f"{value!r} is not one of: {_CHOICES[field]}"
        return _fault(where, problem, "enum", value=value, choices=_CHOICES[field])
    if kind.startswith("date"):
        problem = f"{value!r} is not a real date; write yyyy-mm-dd in the Gregorian calendar"
        return _fault(where, problem, "date_parsing", value=value)
    if kind in _CUSTOM:
        return _fault(where, err["msg"], kind, **err.get("ctx", {}))
    return _fault(where, err["msg"], "invalid", detail=err["msg"])


_SURROGATE: Final = re.compile("[\\ud800-\\udfff]")


def _without_surrogates(value: Any, loc: tuple[int | str, ...], faults: list[Fault]) -> Any:
    """``value`` with every lone surrogate (half of a character split by a UTF-16 system cutting text
    short) replaced and reported where it is; JSON parsing would otherwise refuse the whole letter
    without naming the field."""
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        if found is None:
            return value
        char, position = f"U+{ord(found.group()):04X}", found.start() + 1
        problem = (
            f"has half of a character ({char}) at position {position}, which a letter cannot carry "
            "(text cut short by the sending system); send the whole character or remove it"
        )
        faults.append(_fault(_path(loc), problem, "xml_char", char=char, position=position))
        return _SURROGATE.sub("\ufffd", value)  # so that the rest of the field is checked as usual
    if isinstance(value, Mapping):
        return {key: _without_surrogates(item, (*loc, key), faults) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(item, (*loc, index), faults) for index, item in enumerate(value)]
    return value


def _fault(where: str, problem: str, code: str, **params: object) -> Fault:
    """A fault with its English ``problem`` and the code a clerk's page translates."""
    return Fault(where=where, problem=problem, code=code, params=fault_params(code, **params))


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
