"""The e-CMS SOAP edge: the client of our own node (``EcmsSoapClient``) and the relay a node uses to
forward requests to other nodes (``SoapRelay``), both over one pooled HTTP/1.1 client (h11 over asyncio
streams) with our codec."""

from ecms_adapters.soap.channel import Reply, SoapChannel
from ecms_adapters.soap.client import EcmsSoapClient
from ecms_adapters.soap.config import SoapClientConfig
from ecms_adapters.soap.relay import SoapRelay

__all__ = ["EcmsSoapClient", "Reply", "SoapChannel", "SoapClientConfig", "SoapRelay"]
