"""Validation against our e-CMS schemas (schemas/ecms.xsd): lxml on the hot path, xmlschema to diagnose.

The compiled schema is built lazily, once per thread (lxml validators keep their error log on the
object, so sharing one between threads would mix up reports).
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final, Protocol, cast

from lxml import etree

import ecms_gateway
from ecms_gateway.codec import binaries
from ecms_gateway.errors import ConfigError, Fault, SchemaInvalid
from ecms_gateway.xml.namespaces import NSMAP, WSA_NO_WWW

SCHEMAS_ENV: Final = "ECMS_GATEWAY_SCHEMAS"
"""Environment variable naming another folder with ecms.xsd and the schemas it includes."""

ENTRY_SCHEMA: Final = "ecms.xsd"

_PREFIXES: Final[dict[str, str]] = {uri: prefix for prefix, uri in NSMAP.items()} | {WSA_NO_WWW: "wsa"}
_CLARK: Final = re.compile(r"\{([A-Za-z][A-Za-z0-9+.\-]*:[^{}\s']*)\}")
_BLANK_PATTERN: Final = re.compile(
    r"\[facet 'pattern'\] The value '(\s*)' is not accepted by the pattern '[^']*\\p\{Z\}[^']*'\."
)

_local = threading.local()
# libxml2's schema compiler is not safe to run in several threads at once (seen: every later compile in
# the process failing, or a crash); compile one at a time, then each thread validates with its own copy.
_COMPILE_LOCK = threading.Lock()


class _LogEntry(Protocol):
    line: int
    message: str
    path: str | None


def schemas_dir() -> Path:
    """The folder holding ecms.xsd: ``$ECMS_GATEWAY_SCHEMAS``, else the package's ``schemas``."""
    return _schemas_dir(os.environ.get(SCHEMAS_ENV))


@functools.lru_cache(maxsize=8)
def _schemas_dir(override: str | None) -> Path:
    # Cached: every validation asks, and resolving the path and checking the file cost more than a
    # small message's validation. A folder that fails the check is not cached (the call raises).
    # ecms_gateway/schemas links to the top-level schemas/ in a checkout and is a copy in an installed wheel.
    folder = Path(override) if override else Path(ecms_gateway.__file__).resolve().parent / "schemas"
    if not (folder / ENTRY_SCHEMA).is_file():
        raise ConfigError(
            f"{folder / ENTRY_SCHEMA} not found; set {SCHEMAS_ENV} to the folder that holds the e-CMS "
            "schemas (ecms.xsd and the files it includes)"
        )
    return folder


def compiled_schema() -> etree.XMLSchema:
    """This thread's compiled schema of ecms.xsd (compiled on first use)."""
    folder = schemas_dir()
    cached: tuple[Path, etree.XMLSchema] | None = getattr(_local, "schema", None)
    if cached is not None and cached[0] == folder:
        return cached[1]
    try:
        # The parser reads our own files (includes/imports by relative path); no network, no DTD.
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        with _COMPILE_LOCK:
            schema = etree.XMLSchema(etree.parse(str(folder / ENTRY_SCHEMA), parser=parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
        raise ConfigError(f"the e-CMS schemas in {folder} do not compile: {exc}") from exc
    _local.schema = (folder, schema)
    return schema


def validate(element: etree._Element, message_type: str) -> None:
    """Check ``element`` (an envelope or a bare message) against the schemas; raise ``SchemaInvalid``.

    Every fault names the line (or, for a tree built in memory, the element path) and the reason,
    with namespaces shown as the usual prefixes (``ram:SpeedCode``) instead of ``{uri}SpeedCode``.
    """
    schema = compiled_schema()
    checked, faults = binaries.for_validation(element)  # large file contents: checked here, not by libxml2
    valid = schema.validate(checked)
    if valid and not faults:
        return
    entries = [] if valid else [_fault(entry) for entry in cast(Iterable[_LogEntry], schema.error_log)]
    raise SchemaInvalid(message_type, [*faults, *entries])


def readable(message: str) -> str:
    """A libxml2 validation message with ``{uri}name`` replaced by ``prefix:name``."""
    text = _CLARK.sub(lambda m: f"{_PREFIXES[m[1]]}:" if m[1] in _PREFIXES else m[0], message)
    text = _BLANK_PATTERN.sub("is blank; write the text", text)
    return text.strip()


def _fault(entry: _LogEntry) -> Fault:
    where = f"line {entry.line}" if entry.line > 0 else (entry.path or "document")
    return Fault(where=where, problem=readable(entry.message))


def diagnose(element: etree._Element) -> list[str]:
    """Every schema problem of ``element`` as xmlschema words it (slower, richer; for reports, not traffic).

    Each line gives the element's path, the reason and, where xmlschema knows it, what was expected.
    """
    import xmlschema  # noqa: PLC0415 - 14-100x slower than lxml and only needed for diagnosis

    cached: Any = getattr(_local, "xmlschema", None)
    folder = schemas_dir()
    if cached is None or cached[0] != folder:
        cached = (folder, xmlschema.XMLSchema10(str(folder / ENTRY_SCHEMA)))
        _local.xmlschema = cached
    problems: list[str] = []
    for error in cached[1].iter_errors(element):
        reason = readable(str(error.reason or error.message))
        problems.append(f"{error.path or '/'}: {reason}")
    return problems
