"""The SOAP 1.1 Fault the node answers with: ``faultcode`` soap:Client or soap:Server, the description
as ``faultstring``, and ``detail/ErrorDetail{ErrorCode, ErrorDescription}`` for e-CMS clients."""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from ecms_gateway.codec import ErrorDetail, encode, to_bytes, validate, wrap
from ecms_gateway.codec.envelope import FAULT
from ecms_gateway.node.codes import ErrorCode
from ecms_gateway.xml.namespaces import SOAP_ENV

# Characters XML 1.0 cannot carry; a description may quote the bad input that contained them.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def fault_envelope(error: ErrorCode, description: str, *, message_id: str | None = None) -> bytes:
    """The bytes of a SOAP envelope whose Body holds the Fault for ``error`` (checked by our schemas)."""
    description = _NOT_XML.sub("\ufffd", description) or error.meaning
    fault = etree.Element(FAULT, nsmap={"soap": SOAP_ENV})
    etree.SubElement(fault, "faultcode").text = f"soap:{error.side.value}"
    etree.SubElement(fault, "faultstring").text = description
    detail = etree.SubElement(fault, "detail")
    detail.append(encode(ErrorDetail(code=error.code, description=description)))
    envelope = wrap(fault, message_id=message_id)
    validate(envelope, "Fault")
    return to_bytes(envelope)
