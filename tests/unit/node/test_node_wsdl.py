"""The WSDL as the node serves it: its own address, schemas fetched from the node, loadable by zeep."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree
from zeep import Client, Settings
from zeep.transports import Transport

from ecms_gateway.codec import REPLY_OF, DeleteRequest, read_message
from ecms_gateway.node import ServiceDescription, describe_service
from ecms_gateway.xml.namespaces import XSD, qname

URL = "https://node.example:8443/ecms-ws01/service2"


@pytest.fixture(scope="module")
def description() -> ServiceDescription:
    return describe_service(URL)


class _NodeTransport(Transport):
    """Answers zeep's GETs from the description, as the node's ?wsdl / ?xsd= would; nothing else."""

    def __init__(self, description: ServiceDescription) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.description = description
        self.fetched: list[str] = []

    def load(self, url: str) -> bytes:
        self.fetched.append(url)
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == URL
        query = parse_qs(parts.query, keep_blank_values=True)
        if "wsdl" in query:
            return self.description.wsdl(org=query.get("org", [None])[0])
        schema = self.description.schema(query["xsd"][0])
        assert schema is not None, url
        return schema


def test_the_service_address_is_the_nodes_own_url_with_the_callers_org(
    description: ServiceDescription,
) -> None:
    plain = etree.fromstring(description.wsdl())
    with_org = etree.fromstring(description.wsdl(org="2099100000"))
    assert plain.xpath("//*[local-name()='address']/@location") == [URL]
    assert with_org.xpath("//*[local-name()='address']/@location") == [f"{URL}?org=2099100000"]


def test_every_schema_reference_points_back_at_the_node(description: ServiceDescription) -> None:
    documents = [etree.fromstring(description.wsdl())]
    documents += [etree.fromstring(description.schema(name) or b"") for name in _names(description)]
    locations = [
        element.get("schemaLocation")
        for document in documents
        for element in document.iter(qname(XSD, "include"), qname(XSD, "import"))
    ]
    assert locations
    assert all(location and location.startswith(f"{URL}?xsd=") for location in locations)
    assert description.schema("../ecms.xsd") is None
    assert description.schema("soap-envelope.xsd") is None  # not reachable from the WSDL: not served


def test_the_served_wsdl_names_its_parts_in_no_namespace(description: ServiceDescription) -> None:
    wsdl = etree.fromstring(description.wsdl())
    assert wsdl.get("targetNamespace") is None
    assert "tns" not in wsdl.nsmap
    parts = {str(part.get("element")) for part in wsdl.iter("{http://schemas.xmlsoap.org/wsdl/}part")}
    assert parts == set(REPLY_OF) | set(REPLY_OF.values()) | {"ErrorDetail"}


def test_zeep_builds_every_operation_from_the_served_wsdl_alone(description: ServiceDescription) -> None:
    transport = _NodeTransport(description)
    client = Client(f"{URL}?wsdl&org=2099000000", transport=transport, settings=Settings(strict=True))  # type: ignore[no-untyped-call]
    assert client.service._binding_options["address"] == f"{URL}?org=2099000000"
    operations = client.wsdl.services["EcmsService"].ports["EcmsPort"].binding._operations
    assert {
        (op.input.body.qname.localname, op.output.body.qname.localname) for op in operations.values()
    } == set(REPLY_OF.items())
    delete = client.create_message(client.service, "CorrespondenceLetterDelete", ProcessID="P-1")  # type: ignore[no-untyped-call]
    assert read_message(etree.tostring(delete)).message == DeleteRequest(process_id="P-1")
    assert len(transport.fetched) == 1 + len(_names(description))


def _names(description: ServiceDescription) -> list[str]:
    return sorted(description._schemas)
