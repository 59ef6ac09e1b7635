"""HTTP servers of the gateway's edges: the e-CMS node's SOAP endpoint (Starlette on uvicorn)."""

from ecms_adapters.http.node_app import create_node_app
from ecms_adapters.http.server import Listen, server

__all__ = ["Listen", "create_node_app", "server"]
