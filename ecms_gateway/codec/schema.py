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
from urllib.parse import unquote, urlsplit

from lxml import etree

import ecms_gateway
from ecms_gateway.codec import binaries
from ecms_gateway.errors import ConfigError, Fault, SchemaInvalid
from ecms_gateway.xml.namespaces import NSMAP, WSA_NO_WWW

SCHEMAS_ENV: Final = "ECMS_GATEWAY_SCHEMAS"
"""Environment variable naming another folder with ecms.xsd and the schemas it includes."""

ENTRY_SCHEMA: Final = "ecms.xsd"
BINARY_TYPE_SCHEMA: Final = "ram.xsd"
"""The schema file that declares ``ram:BinaryObjectType`` (the letter's file contents)."""

XS: Final = "http://www.w3.org/2001/XMLSchema"
_BINARY_BASE: Final = (
    "xs:complexType[@name='BinaryObjectType']/xs:simpleContent/xs:extension[@base='xs:base64Binary']"
)

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


def compiled_schema(*, contents_checked: bool = False) -> etree.XMLSchema:
    """This thread's compiled schema of ecms.xsd (compiled on first use).

    ``contents_checked=True``: the same schemas with the letter's file contents typed as plain text,
    for a tree whose contents ``binaries.content_faults`` has checked (see ``validate``).
    """
    folder = schemas_dir()
    attribute = "schema_contents_checked" if contents_checked else "schema"
    cached: tuple[Path, etree.XMLSchema] | None = getattr(_local, attribute, None)
    if cached is not None and cached[0] == folder:
        return cached[1]
    try:
        # The parser reads our own files (includes/imports by relative path); no network, no DTD.
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        if contents_checked:
            parser.resolvers.add(_ContentsAsText(folder))
        with _COMPILE_LOCK:
            schema = etree.XMLSchema(etree.parse(str(folder / ENTRY_SCHEMA), parser=parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
        raise ConfigError(f"the e-CMS schemas in {folder} do not compile: {exc}") from exc
    setattr(_local, attribute, (folder, schema))
    return schema


class _ContentsAsText(etree.Resolver):
    """Hands the schema compiler ``ram.xsd`` with ``ram:BinaryObjectType`` extending ``xs:string``
    instead of ``xs:base64Binary``: its mimeCode and filename attributes and its places stay checked."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._path = (folder / BINARY_TYPE_SCHEMA).resolve()
        # Rewritten here, not in ``resolve``: lxml reports an exception raised there only as "failed
        # to parse the XML resource".
        tree = etree.parse(str(self._path), etree.XMLParser(no_network=True, resolve_entities=False))
        base = tree.find(_BINARY_BASE, namespaces={"xs": XS})
        if base is None:
            raise ConfigError(
                f"{self._path}: ram:BinaryObjectType must extend xs:base64Binary (simpleContent) so that "
                "file contents can be checked; restore it from the schemas that come with ecms-gateway"
            )
        base.set("base", "xs:string")
        self._text = etree.tostring(tree)

    def resolve(self, system_url: str, public_id: str, context: object = None) -> Any:
        path = unquote(urlsplit(system_url).path) if system_url.startswith("file:") else system_url
        if Path(path).resolve() != self._path:
            return None
        return self.resolve_string(self._text, context, base_url=str(self._path))


def validate(element: etree._Element, message_type: str) -> None:
    """Check ``element`` (an envelope or a bare message) against the schemas; raise ``SchemaInvalid``.

    Every fault names the line (or, for a tree built in memory, the element path) and the reason,
    with namespaces shown as the usual prefixes (``ram:SpeedCode``) instead of ``{uri}SpeedCode``.

    A tree with file contents (a letter) is validated against the schemas with file contents typed as
    text, and its contents are checked by ``binaries.content_faults``: libxml2 checks Base64 character
    by character (~40 ms for a 20 MB file) and skips what the file decoder then refuses.
    """
    faults = binaries.content_faults(element)
    schema = compiled_schema(contents_checked=faults is not None)
    valid = schema.validate(element)
    if valid and not faults:
        return
    entries = [] if valid else [_fault(entry) for entry in cast(Iterable[_LogEntry], schema.error_log)]
    raise SchemaInvalid(message_type, [*(faults or []), *entries])


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
