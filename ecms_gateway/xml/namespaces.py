"""Every XML namespace the gateway reads or writes, in one place (prefix -> URI)."""

from __future__ import annotations

from typing import Final

SOAP_ENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
WSA: Final = "http://www.w3.org/2005/08/addressing"
# Seen in the wild (sic): the addressing namespace without "www.". Accepted, never sent.
WSA_NO_WWW: Final = "http://w3.org/2005/08/addressing"
RSM: Final = "urn:th:gov:egif:data:standard:GovernmentDocument:1.0"
RAM: Final = "urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1"
DS: Final = "http://www.w3.org/2000/09/xmldsig#"
DSIG11: Final = "http://www.w3.org/2009/xmldsig11#"
XSD: Final = "http://www.w3.org/2001/XMLSchema"
WSDL: Final = "http://schemas.xmlsoap.org/wsdl/"

NSMAP: Final[dict[str, str]] = {
    "soap": SOAP_ENV,
    "wsa": WSA,
    "rsm": RSM,
    "ram": RAM,
    "ds": DS,
}


def qname(namespace: str, local: str) -> str:
    """Clark notation ``{namespace}local`` as lxml uses it."""
    return f"{{{namespace}}}{local}"
