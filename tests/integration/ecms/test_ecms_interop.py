"""SOAP clients nobody here wrote use the node from its WSDL alone (fetched over HTTP from ``?wsdl``):
zeep (Python) and Node's ``soap`` package (tests/integration/ecms/js; ``npm ci`` there installs it)."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig
from zeep import Client, Settings
from zeep.exceptions import Fault

from ecms_gateway.codec import LetterDocument, Notifier, NotifierKind, build_document
from ecms_gateway.letter.model import Party
from tests.integration.ecms.conftest import ORG_A, ORG_B
from tests.integration.ecms.nodes import NodeProcess
from tests.unit.codec.helpers import make_package

pytestmark = pytest.mark.anyio

JS = Path(__file__).with_name("js")


def letter_to_b() -> LetterDocument:
    package = make_package(sender_org=ORG_A)
    package = dataclasses.replace(
        package, letter=package.letter.model_copy(update={"receiver": Party(org_id=ORG_B)})
    )
    return LetterDocument(element=build_document(package))


def zeep_client(node: NodeProcess, org: str) -> Client:
    return Client(f"{node.url}?wsdl&org={org}", settings=Settings(strict=True))  # type: ignore[no-untyped-call]


ZEEP_LETTER = {
    "CorrespondenceLetter": {
        "attr__ID": "Letter",
        "ID": "ศธ 0990/77",
        "CorrespondenceDate": "2026-11-20",
        "Subject": "หนังสือจาก zeep",
        "SecretCode": "001",
        "SpeedCode": "002",
        "SenderParty": {"MinistryOrganization": {"ID": "20"}, "DepartmentOrganization": {"ID": "20990"}},
        "ReceiverParty": {"MinistryOrganization": {"ID": "20"}, "DepartmentOrganization": {"ID": "20991"}},
        "MainLetterBinaryObject": {
            "_value_1": b"%PDF-1.7 zeep\n",
            "mimeCode": "application/pdf",
            "filename": "a.pdf",
        },
    }
}


async def test_zeep_exchanges_letters_notifiers_and_faults_with_the_node(shared_node: NodeProcess) -> None:
    async with EcmsSoapClient(SoapClientConfig(url=f"{shared_node.url}?org={ORG_A}")) as ours_a:
        await ours_a.send(letter_to_b())
        zeep_a, zeep_b = zeep_client(shared_node, ORG_A), zeep_client(shared_node, ORG_B)
        head = zeep_b.service.CorrespondenceLetterInbound()
        polled = head.GovernmentDocument.CorrespondenceLetter
        assert polled.Subject == "ทดสอบการส่งหนังสือ"
        assert polled.MainLetterBinaryObject._value_1 == b"%PDF-1.7 test\n"
        assert zeep_b.service.CorrespondenceLetterDelete(ProcessID=head.ProcessID).ProcessID == head.ProcessID
        assert zeep_b.service.CorrespondenceLetterInbound().ProcessID is None
        zeep_b.service.CorrespondenceLetterOutbound(
            AcceptLetterNotifier={
                "LetterID": polled.ID,
                "CorrespondenceDate": polled.CorrespondenceDate,
                "Subject": polled.Subject,
                "AcceptID": "๒๑๔๕",
                "AcceptDepartment": {"Code": "20991"},
            }
        )
        accepted = await ours_a.poll()
        assert accepted is not None
        assert accepted.item == Notifier(
            kind=NotifierKind.ACCEPT,
            letter_id="ศธ ๐๙๙๐/๑๒๓",
            correspondence_date=date(2026, 11, 20),
            subject="ทดสอบการส่งหนังสือ",
            accept_id="๒๑๔๕",
            accept_department="20991",
        )
        sent = zeep_a.service.CorrespondenceLetterOutbound(GovernmentDocument=ZEEP_LETTER)
        statuses = [(s.ProcessStatus, s.LetterID) for s in zeep_a.service.OutboundStatus()]
        assert statuses == [("fetched", "ศธ ๐๙๙๐/๑๒๓"), ("queued", "ศธ 0990/77")]
        with pytest.raises(Fault) as raised:
            zeep_b.service.CorrespondenceLetterDelete(ProcessID="no-such-item")
        assert raised.value.code == "soap:Client"
        assert raised.value.detail.findtext("ErrorDetail/ErrorCode") == "ECMS-301"
        assert [o.OrganizationID for o in zeep_a.service.GetOrganizationList()] == [
            ORG_A,
            ORG_B,
            "2199000000",
        ]
    async with EcmsSoapClient(SoapClientConfig(url=f"{shared_node.url}?org={ORG_B}")) as ours_b:
        from_zeep = await ours_b.poll()
    assert from_zeep is not None
    assert from_zeep.process_id == sent.ProcessID
    assert isinstance(from_zeep.item, LetterDocument)
    package = from_zeep.item.decode().package
    assert (package.letter.subject, package.main.name, package.main.content) == (
        "หนังสือจาก zeep",
        "a.pdf",
        b"%PDF-1.7 zeep\n",
    )


def _node_soap_ready() -> bool:
    return shutil.which("node") is not None and (JS / "node_modules" / "soap").is_dir()


async def test_node_soap_exchanges_letters_notifiers_and_faults_with_the_node(
    shared_node: NodeProcess,
) -> None:
    if not _node_soap_ready():
        if os.environ.get("CI"):
            pytest.fail(f"Node's soap package is not installed: run `npm ci --prefix {JS}`")
        pytest.skip(f"Node's soap package is not installed: run `npm ci --prefix {JS}`")
    async with (
        EcmsSoapClient(SoapClientConfig(url=f"{shared_node.url}?org={ORG_A}")) as ours_a,
        EcmsSoapClient(SoapClientConfig(url=f"{shared_node.url}?org={ORG_B}")) as ours_b,
    ):
        sent = await ours_a.send(letter_to_b())
        result = subprocess.run(
            [
                "node",
                "interop.mjs",
                f"{shared_node.url}?wsdl&org={ORG_A}",
                f"{shared_node.url}?wsdl&org={ORG_B}",
            ],
            cwd=JS,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        seen = json.loads(result.stdout)
        assert seen["polled"] == {
            "processId": sent.process_id,
            "letterId": "ศธ ๐๙๙๐/๑๒๓",
            "subject": "ทดสอบการส่งหนังสือ",
            "sender": "20990",
            "mime": "application/pdf",
            "main": base64.b64encode(b"%PDF-1.7 test\n").decode(),
        }
        assert seen["deleted"] == sent.process_id
        assert seen["emptyAfterDelete"] is True
        assert seen["fault"]["ErrorCode"] == "ECMS-301"
        assert seen["organizations"] == [ORG_A, ORG_B, "2199000000"]
        assert seen["speedCodes"] == ["001", "002", "003", "004"]
        receipt = await ours_a.poll()
        assert receipt is not None
        assert receipt.process_id == seen["receiptProcessId"]
        assert isinstance(receipt.item, Notifier)
        assert receipt.item.kind is NotifierKind.RECEIVE
        from_js = await ours_b.poll()
    assert from_js is not None
    assert from_js.process_id == seen["letterProcessId"]
    assert isinstance(from_js.item, LetterDocument)
    package = from_js.item.decode().package
    assert (package.letter.subject, package.main.content) == ("หนังสือจาก node-soap", b"%PDF-1.7 node-soap\n")
