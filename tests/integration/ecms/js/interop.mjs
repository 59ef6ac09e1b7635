// A SOAP client nobody here wrote (node-soap) uses the e-CMS node from its WSDL alone.
// Usage: node interop.mjs WSDL_URL_OF_A WSDL_URL_OF_B; prints one JSON object of what it saw.
import soap from 'soap';

const [wsdlA, wsdlB] = process.argv.slice(2);
const a = await soap.createClientAsync(wsdlA);
const b = await soap.createClientAsync(wsdlB);
const out = {};

// B takes the letter the Python client sent, then deletes it.
const [head] = await b.CorrespondenceLetterInboundAsync({});
const polled = head.GovernmentDocument.CorrespondenceLetter;
out.polled = {
  processId: head.ProcessID,
  letterId: polled.ID,
  subject: polled.Subject,
  sender: polled.SenderParty.DepartmentOrganization.ID,
  mime: polled.MainLetterBinaryObject.attributes.mimeCode,
  main: polled.MainLetterBinaryObject.$value,
};
const [deleted] = await b.CorrespondenceLetterDeleteAsync({ ProcessID: head.ProcessID });
out.deleted = deleted.ProcessID;
const [empty] = await b.CorrespondenceLetterInboundAsync({});
out.emptyAfterDelete = !empty || !empty.ProcessID;

// B tells A the letter arrived.
const [receipt] = await b.CorrespondenceLetterOutboundAsync({
  ReceiveLetterNotifier: {
    LetterID: polled.ID,
    CorrespondenceDate: '2026-11-20',
    Subject: polled.Subject,
    AcceptDepartment: { Code: '20991' },
  },
});
out.receiptProcessId = receipt.ProcessID;

// A sends B a letter of its own. node-soap leaves elements reached through a schema group's
// ref="rsm:GovernmentDocument" unqualified, so the two namespaces the WSDL's schemas give
// (rsm for the document, ram for everything in the letter) are declared here as default namespaces.
const RSM = 'urn:th:gov:egif:data:standard:GovernmentDocument:1.0';
const RAM = 'urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1';
const [sent] = await a.CorrespondenceLetterOutboundAsync({
  GovernmentDocument: {
    attributes: { xmlns: RSM },
    CorrespondenceLetter: {
      attributes: { ID: 'Letter', xmlns: RAM },
      ID: 'ศธ 0990/555',
      CorrespondenceDate: '2026-11-21',
      Subject: 'หนังสือจาก node-soap',
      SecretCode: '001',
      SpeedCode: '003',
      SenderParty: { MinistryOrganization: { ID: '20' }, DepartmentOrganization: { ID: '20990' } },
      ReceiverParty: { MinistryOrganization: { ID: '20' }, DepartmentOrganization: { ID: '20991' } },
      MainLetterBinaryObject: {
        attributes: { mimeCode: 'application/pdf', filename: 'js.pdf' },
        $value: Buffer.from('%PDF-1.7 node-soap\n').toString('base64'),
      },
    },
  },
});
out.letterProcessId = sent.ProcessID;

const [time] = await a.TimeCheckAsync({});
out.time = time.ProcessTime;
const [orgs] = await a.GetOrganizationListAsync({});
out.organizations = orgs.OrganizationList.OrganizationInfo.map((o) => o.OrganizationID);
const [speed] = await a.GetSpeedCodesAsync({});
out.speedCodes = speed.Code.map((c) => c.Value);

try {
  await b.CorrespondenceLetterDeleteAsync({ ProcessID: 'no-such-item' });
  out.fault = null;
} catch (error) {
  out.fault = error.root.Envelope.Body.Fault.detail.ErrorDetail;
}
console.log(JSON.stringify(out));
