"""The node's service description as served over HTTP: our WSDL with the service address set to the
node's own URL, and the XSDs it includes, each ``schemaLocation`` pointing back at ``?xsd=NAME``.

A SOAP client that knows nothing but ``<node>/ecms-ws01/service2?wsdl`` can then load every type.

The served WSDL also has no ``targetNamespace``: its messages, port type and binding are then named in
no namespace, like the e-CMS elements. WSDL 1.1 allows that, zeep reads both forms, and Node's ``soap``
package can only find an unprefixed part element (``element="CorrespondenceLetterInboundRequest"``) this
way: it resolves such a name against the WSDL's target namespace instead of against no namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote, urlencode

from lxml import etree

from ecms_gateway.codec import schemas_dir, to_bytes
from ecms_gateway.xml.namespaces import WSDL, XSD, qname
from ecms_gateway.xml.parser import parse_xml_file

WSDL_FILE: Final = "ecms-service.wsdl"
_SOAP_WSDL: Final = "http://schemas.xmlsoap.org/wsdl/soap/"
_ADDRESS: Final = f"{{{WSDL}}}service/{{{WSDL}}}port/{{{_SOAP_WSDL}}}address"
_REFERENCES: Final = (qname(XSD, "include"), qname(XSD, "import"))


@dataclass(frozen=True)
class ServiceDescription:
    """The WSDL and its schemas, rendered once for the node at ``service_url``."""

    service_url: str
    _wsdl: etree._Element
    _schemas: dict[str, bytes]

    def wsdl(self, *, org: str | None = None) -> bytes:
        """The WSDL whose service address is the node's URL (with ``?org=`` when given)."""
        tree = etree.fromstring(to_bytes(self._wsdl))  # our own bytes: a copy to edit
        address = tree.find(_ADDRESS)
        if address is None:
            raise ValueError(f"{WSDL_FILE} has no wsdl:service/wsdl:port/soap:address")
        location = self.service_url if org is None else f"{self.service_url}?{urlencode({'org': org})}"
        address.set("location", location)
        return to_bytes(tree)

    def schema(self, name: str) -> bytes | None:
        """One XSD the WSDL needs, by file name; None for any other name."""
        return self._schemas.get(name)


def describe_service(service_url: str, folder: Path | None = None) -> ServiceDescription:
    """Read the WSDL and every schema it reaches from ``folder`` (our ``schemas/`` by default)."""
    folder = folder or schemas_dir()
    wsdl = _without_target_namespace(parse_xml_file(folder / WSDL_FILE))
    schemas: dict[str, bytes] = {}
    pending = _rewrite(wsdl, service_url)
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        tree = parse_xml_file(folder / name)
        pending |= _rewrite(tree, service_url)
        schemas[name] = to_bytes(tree)
    return ServiceDescription(service_url, wsdl, schemas)


def _rewrite(tree: etree._Element, service_url: str) -> set[str]:
    """Point every include/import at ``?xsd=NAME``; the names referenced."""
    names: set[str] = set()
    for element in tree.iter(*_REFERENCES):
        location = element.get("schemaLocation")
        if not location:
            continue
        name = Path(location).name  # our schemas sit in one folder
        names.add(name)
        element.set("schemaLocation", f"{service_url}?xsd={quote(name)}")
    return names


def _without_target_namespace(wsdl: etree._Element) -> etree._Element:
    """The WSDL with its own names in no namespace: ``tns:X`` references become ``X``."""
    target = wsdl.get("targetNamespace")
    if target is None:
        return wsdl
    prefixes = {prefix for prefix, uri in wsdl.nsmap.items() if uri == target and prefix}
    for element in wsdl.iter(etree.Element):
        for name, value in element.attrib.items():
            prefix, _, local = str(value).partition(":")
            if local and prefix in prefixes:
                element.set(name, local)
    del wsdl.attrib["targetNamespace"]
    etree.cleanup_namespaces(wsdl)  # drops the declarations of those prefixes, now unused
    return wsdl
