"""An e-CMS node, pure of HTTP: per-organisation queues, ProcessIDs, relay to other nodes, withdrawals,
the directory and code lists; durable in its own tables. The HTTP server is an adapter
(``ecms_adapters.http``)."""

from typing import TYPE_CHECKING

from ecms_gateway.lazy import exports

if TYPE_CHECKING:
    from ecms_gateway.node.codes import CODES, TRANSIENT_CODES, ErrorCode, NodeRefusal, Side
    from ecms_gateway.node.directory import Directory, load_directory, node_key
    from ecms_gateway.node.service import NodeReply, NodeService, NodeSettings, default_relay_policy
    from ecms_gateway.node.wsdl import ServiceDescription, describe_service

__all__ = [
    "CODES",
    "TRANSIENT_CODES",
    "Directory",
    "ErrorCode",
    "NodeRefusal",
    "NodeReply",
    "NodeService",
    "NodeSettings",
    "ServiceDescription",
    "Side",
    "default_relay_policy",
    "describe_service",
    "load_directory",
    "node_key",
]

# Each name loads its module when first used: the package's light modules stay light.
__getattr__ = exports(
    __name__,
    {
        "CODES": "codes",
        "TRANSIENT_CODES": "codes",
        "ErrorCode": "codes",
        "NodeRefusal": "codes",
        "Side": "codes",
        "Directory": "directory",
        "load_directory": "directory",
        "node_key": "directory",
        "NodeReply": "service",
        "NodeService": "service",
        "NodeSettings": "service",
        "default_relay_policy": "service",
        "ServiceDescription": "wsdl",
        "describe_service": "wsdl",
    },
)
