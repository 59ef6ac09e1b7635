"""``ecms_gateway.ports.NodeRelay`` over SOAP: a node forwards a request, byte for byte, to the node
WS-Addressing ``To`` named (one pooled client for every destination)."""

from __future__ import annotations

from ecms_adapters.soap.channel import AsyncClosing, SoapChannel
from ecms_adapters.soap.config import SoapClientConfig
from ecms_adapters.soap.exchange import Exchange
from ecms_gateway.codec import Message


class SoapRelay(AsyncClosing):
    """Forward SOAP requests to other nodes. ``config.url`` is unused (each call names its node)."""

    def __init__(self, config: SoapClientConfig, *, exchange: Exchange | None = None) -> None:
        self._channel = SoapChannel(config, exchange=exchange)

    async def forward(self, url: str, envelope: bytes) -> Message:
        return (await self._channel.post(url, envelope)).read.message

    async def aclose(self) -> None:
        await self._channel.aclose()
