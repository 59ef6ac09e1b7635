"""``ecms-gateway invalid-accept-id ID --reason TEXT``: tell the receiver of our letter that the
receive number (AcceptID) it gave is wrong, with an InvalidAcceptIDNotifier sent through our node."""

from __future__ import annotations

import argparse
import asyncio

from ecms_adapters.runtime.gateway import soap_config
from ecms_adapters.soap import EcmsSoapClient
from ecms_gateway.cli.settings import add_config_option, config_from_args
from ecms_gateway.config import GatewayConfig
from ecms_gateway.engine import Store
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime.accept_id import report_wrong_accept_id
from ecms_gateway.runtime.directory import load_routing
from ecms_gateway.runtime.settings import runtime_settings
from ecms_gateway.signing import OutboundSigner


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "invalid-accept-id",
        help="tell the receiver of our letter that the receive number it gave is wrong",
    )
    add_config_option(parser)
    parser.add_argument("letter_id", type=int, metavar="ID", help="our (outbound) letter's id")
    parser.add_argument("--reason", required=True, help="what is wrong with it (sent to the receiver)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    process_id = asyncio.run(_send(config, args.letter_id, args.reason))
    print(f"InvalidAcceptIDNotifier about letter {args.letter_id} sent: ProcessID {process_id}")
    return 0


async def _send(config: GatewayConfig, letter_id: int, reason: str) -> str:
    settings = runtime_settings(config)
    routing = load_routing(config)
    clients = {org.org_id: EcmsSoapClient(soap_config(config, org.node_url)) for org in settings.orgs}
    store = Store(database_url=config.database_url, data_dir=config.gateway.data_dir)
    try:
        nodes: dict[str, EcmsNode] = dict(clients)
        return await report_wrong_accept_id(
            store,
            letter_id,
            reason=reason,
            nodes=nodes,
            signer=OutboundSigner(config.signing_config()),
            routing=routing,
        )
    finally:
        store.close()
        for client in clients.values():
            await client.aclose()
