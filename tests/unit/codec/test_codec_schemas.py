"""Our XSDs and WSDL: DTD-free, compile in lxml and xmlschema, validate XML-DSig, load in zeep offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree
from zeep import Client, Settings
from zeep.transports import Transport

from ecms_gateway.codec import (
    REPLY_OF,
    SCHEMAS_ENV,
    DeleteRequest,
    InboundRequest,
    WithdrawRequest,
    build_document,
    diagnose,
    read_message,
    schemas_dir,
    validate,
)
from ecms_gateway.codec.document import SIGNATURE_BLOCK
from ecms_gateway.codec.schema import compiled_schema
from ecms_gateway.errors import ConfigError, SchemaInvalid
from ecms_gateway.letter.model import Signer
from ecms_gateway.xml.namespaces import WSDL, qname
from ecms_gateway.xml.parser import parse_xml, parse_xml_file
from tests.unit.codec.helpers import make_package, sign_letter, verify_letter

SCHEMA_FILES = sorted(p.name for p in schemas_dir().iterdir() if p.suffix in (".xsd", ".wsdl"))
DS = "http://www.w3.org/2000/09/xmldsig#"


def test_the_schema_set_is_complete() -> None:
    assert SCHEMA_FILES == [
        "GovernmentDocument.xsd",
        "ecms-service.wsdl",
        "ecms.xsd",
        "messages.xsd",
        "ram.xsd",
        "soap-envelope.xsd",
        "ws-addressing.xsd",
        "xmldsig-core-schema.xsd",
    ]


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_files_parse_with_the_hardened_parser(name: str) -> None:
    """No DOCTYPE anywhere: the gateway's own parser (which refuses DTDs) reads every file."""
    assert b"<!DOCTYPE" not in (schemas_dir() / name).read_bytes()
    parse_xml_file(schemas_dir() / name)


def test_xmlschema_agrees_the_schemas_are_valid_and_diagnoses() -> None:
    """A second, independent XSD processor compiles the set and explains a fault."""
    assert diagnose(build_document(make_package())) == []
    problems = diagnose(
        parse_xml(
            b"<CorrespondenceLetterDeleteRequest><ProcessTime>x</ProcessTime>"
            b"</CorrespondenceLetterDeleteRequest>"
        )
    )
    assert len(problems) == 1
    assert "ProcessTime" in problems[0]
    assert "ProcessID" in problems[0]


def _signed_document() -> etree._Element:
    """A signed letter as a receiver sees it (re-parsed: nodes that xmlsec adds are not findable by lxml)."""
    document = build_document(make_package(signer=Signer(given_name="สมหญิง")))
    sign_letter(document)
    return parse_xml(etree.tostring(document))


def test_a_real_xmldsig_signature_validates() -> None:
    document = _signed_document()
    verify_letter(document)
    validate(document, "GovernmentDocument")


def _with_key_info(key_info: str) -> etree._Element:
    document = _signed_document()
    signature = document.find(f"{SIGNATURE_BLOCK}/{{{DS}}}Signature")
    assert signature is not None
    old = signature.find(f"{{{DS}}}KeyInfo")
    assert old is not None
    new = parse_xml(
        f'<ds:KeyInfo xmlns:ds="{DS}" xmlns:dsig11="http://www.w3.org/2009/xmldsig11#">{key_info}</ds:KeyInfo>'.encode()
    )
    signature.replace(old, new)
    return document


@pytest.mark.parametrize(
    "key_info",
    [
        "<ds:X509Data><ds:X509SubjectName>CN=สมหญิง รักงาน,O=สพร.,C=TH</ds:X509SubjectName>"
        "<ds:X509Certificate>TUlJQg==</ds:X509Certificate></ds:X509Data>",
        "<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=CA</ds:X509IssuerName>"
        "<ds:X509SerialNumber>123456789012345678901234567890</ds:X509SerialNumber></ds:X509IssuerSerial>"
        "<ds:X509SKI>q83vEjRWeJA=</ds:X509SKI></ds:X509Data>",
        "<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent>"
        "</ds:RSAKeyValue></ds:KeyValue>",
        "<ds:KeyValue><dsig11:ECKeyValue><dsig11:NamedCurve URI='urn:oid:1.2.840.10045.3.1.7'/>"
        "<dsig11:PublicKey>BAE=</dsig11:PublicKey></dsig11:ECKeyValue></ds:KeyValue>",
        "<ds:KeyName>council-2026</ds:KeyName>",
    ],
    ids=["subject+certificate", "issuer-serial+ski", "rsa-key-value", "ec-key-value", "key-name"],
)
def test_key_info_shapes_seen_in_the_wild_validate(key_info: str) -> None:
    validate(_with_key_info(key_info), "GovernmentDocument")


@pytest.mark.parametrize(
    ("key_info", "reason"),
    [
        (
            "<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=CA</ds:X509IssuerName>"
            "<ds:X509SerialNumber>twelve</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>",
            "X509SerialNumber",
        ),
        (
            "<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus></ds:RSAKeyValue></ds:KeyValue>",
            "Exponent",
        ),
        (
            "<ds:X509Data><ds:X509Certificate>not base64!</ds:X509Certificate></ds:X509Data>",
            "X509Certificate",
        ),
    ],
    ids=["serial-not-integer", "rsa-without-exponent", "certificate-not-base64"],
)
def test_broken_key_info_is_refused(key_info: str, reason: str) -> None:
    with pytest.raises(SchemaInvalid, match=reason):
        validate(_with_key_info(key_info), "GovernmentDocument")


def test_signature_without_signature_value_is_refused() -> None:
    document = _signed_document()
    value = document.find(f".//{{{DS}}}SignatureValue")
    assert value is not None
    value.getparent().remove(value)  # type: ignore[union-attr]
    with pytest.raises(SchemaInvalid, match=r"ds:KeyInfo.*not expected.*ds:SignatureValue"):
        validate(document, "GovernmentDocument")


def test_signature_object_and_inclusive_namespaces_are_open_content() -> None:
    document = _signed_document()
    signature = document.find(f"{SIGNATURE_BLOCK}/{{{DS}}}Signature")
    method = document.find(f".//{{{DS}}}CanonicalizationMethod")
    assert signature is not None
    assert method is not None
    method.append(
        etree.fromstring(
            b'<ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" '
            b'PrefixList="ram rsm"/>'
        )
    )
    signature.append(
        etree.fromstring(
            f'<ds:Object xmlns:ds="{DS}" Id="o1"><any xmlns="urn:x">ข้อมูล</any></ds:Object>'.encode()
        )
    )
    validate(document, "GovernmentDocument")


def test_soap_body_validates_its_payload_strictly() -> None:
    envelope = b"""<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
      <soap:Header><x:Trace xmlns:x="urn:other">anything</x:Trace></soap:Header>
      <soap:Body ID="Body"><CorrespondenceLetterDeleteRequest/></soap:Body></soap:Envelope>"""
    with pytest.raises(SchemaInvalid) as caught:
        validate(parse_xml(envelope), "CorrespondenceLetterDeleteRequest")
    assert caught.value.faults[0].where == "line 3"
    assert "Missing child element(s). Expected is ( ProcessID )" in caught.value.faults[0].problem


def test_schemas_folder_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), copy)
    messages = copy / "messages.xsd"
    messages.write_text(
        messages.read_text("utf-8").replace('name="TimeCheckRequest"', 'name="ClockRequest"'), "utf-8"
    )
    monkeypatch.setenv(SCHEMAS_ENV, str(copy))
    assert schemas_dir() == copy
    with pytest.raises(SchemaInvalid, match="No matching global declaration"):
        validate(etree.Element("TimeCheckRequest"), "TimeCheckRequest")
    validate(etree.Element("ClockRequest"), "ClockRequest")
    monkeypatch.delenv(SCHEMAS_ENV)
    validate(etree.Element("TimeCheckRequest"), "TimeCheckRequest")


def test_missing_schemas_folder_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCHEMAS_ENV, str(tmp_path))
    with pytest.raises(ConfigError, match=SCHEMAS_ENV):
        compiled_schema()


# ---------------------------------------------------------------- WSDL


class _OfflineTransport(Transport):
    """Loads local files only; any attempt to fetch a URL fails the test."""

    def _load_remote_data(self, url: str) -> bytes:
        raise AssertionError(f"zeep tried to fetch {url}")


@pytest.fixture(scope="module")
def zeep_client() -> Client:
    settings = Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    transport = _OfflineTransport()  # type: ignore[no-untyped-call]
    return Client(str(schemas_dir() / "ecms-service.wsdl"), transport=transport, settings=settings)  # type: ignore[no-untyped-call]


def test_zeep_loads_the_wsdl_offline_with_every_operation(zeep_client: Client) -> None:
    port = zeep_client.wsdl.services["EcmsService"].ports["EcmsPort"]
    assert port.binding_options["address"] == "http://localhost:8800/ecms-ws01/service2"
    operations = port.binding._operations
    pairs = {(op.input.body.qname.localname, op.output.body.qname.localname) for op in operations.values()}
    assert pairs == set(REPLY_OF.items())
    assert all(op.soapaction == "" for op in operations.values())
    assert all(op.input.body.qname.namespace is None for op in operations.values())


def test_wsdl_operations_match_the_message_table() -> None:
    wsdl = parse_xml_file(schemas_dir() / "ecms-service.wsdl")
    operations = wsdl.findall(f"{qname(WSDL, 'portType')}/{qname(WSDL, 'operation')}")
    assert len(operations) == len(REPLY_OF) == 12


def test_zeep_builds_requests_that_our_codec_reads(zeep_client: Client) -> None:
    """zeep's view of the WSDL and our codec agree on the wire shape."""
    message = zeep_client.create_message(  # type: ignore[no-untyped-call]
        zeep_client.service, "CorrespondenceLetterDelete", ProcessID="P-9"
    )
    assert read_message(etree.tostring(message)).message == DeleteRequest(process_id="P-9")
    inbound = zeep_client.create_message(  # type: ignore[no-untyped-call]
        zeep_client.service, "CorrespondenceLetterInbound"
    )
    assert read_message(etree.tostring(inbound)).message == InboundRequest()
    withdraw = zeep_client.create_message(  # type: ignore[no-untyped-call]
        zeep_client.service,
        "CorrespondenceDeleteGovernmentDocument",
        LetterID="ศธ 0990/1",
        CorrespondenceDate="2026-11-20",
        SenderDepartment={"Code": "20990"},
        AcceptDepartment={"Code": "20991"},
    )
    read = read_message(etree.tostring(withdraw, encoding="utf-8"))
    assert isinstance(read.message, WithdrawRequest)
    assert read.message.key.accept_department == "20991"
