"""The SOAP client against a node in-process: an ASGI-calling exchange into the node's Starlette app."""

from __future__ import annotations

from pathlib import Path

from ecms_adapters.http import create_node_app
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig

from ecms_gateway.node import NodeService, describe_service
from ecms_gateway.ports import EcmsNode
from tests.unit.node.helpers import HERE, make_node
from tests.unit.soap.exchanges import AsgiExchange


def node_and_clients(tmp_path: Path, *orgs: str) -> tuple[NodeService, list[EcmsNode]]:
    """A node at ``HERE`` and one client per organisation (``?org=``), all without sockets."""
    node, _, _ = make_node(tmp_path)
    exchange = AsgiExchange(create_node_app(node, describe_service(HERE)))
    clients: list[EcmsNode] = [
        EcmsSoapClient(SoapClientConfig(url=f"{HERE}?org={org}"), exchange=exchange) for org in orgs
    ]
    return node, clients
