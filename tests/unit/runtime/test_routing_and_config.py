"""Routing from the directory, the directory cache for clerk commands, the runtime's configuration
(every key documented), and the wake-up pulse."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ecms_adapters.web.directory import choices
from ecms_adapters.web.uploads import letter_bytes
from pydantic import BaseModel

from ecms_gateway.codec import OrganizationInfo
from ecms_gateway.config import GatewayConfig, load_config
from ecms_gateway.errors import ConfigError, InputError
from ecms_gateway.runtime.directory import DirectoryKeeper, load_routing, read_cache, write_cache
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import runtime_settings

from .support import NODE_URL, ORGS, A, B, C, routing

ROOT = Path(__file__).resolve().parents[3]


def test_receivers_with_a_node_go_by_ecms_the_others_wait_for_the_mailbox() -> None:
    table = routing()
    assert (table.route(B).channel, table.route(B).node_url) == ("ecms", NODE_URL)
    mail = table.route(C)
    assert (mail.channel, mail.node_url) == ("mail", None)
    assert "has no e-CMS node" in mail.why
    with pytest.raises(InputError, match="2088800000 is not in the organisation directory"):
        table.route("2088800000")


class ListingNode:
    """The one call ``DirectoryKeeper`` makes of a node: its organisation list, as given."""

    def __init__(self, organizations: tuple[OrganizationInfo, ...]) -> None:
        self.listing = organizations

    async def organizations(self) -> tuple[OrganizationInfo, ...]:
        return self.listing


UNIT = OrganizationInfo(en_name="A unit", th_name="กอง ง", ecms_url=NODE_URL, organization_id="2099100123")
THAI_DIGITS = OrganizationInfo(en_name="", th_name="กรม จ", ecms_url=NODE_URL, organization_id="๒๐๙๙๒๐๐๐๐๐")
UNIT_BY_MAIL = OrganizationInfo(en_name="", th_name="กอง ฉ", ecms_url=None, organization_id="2099100456")


def test_node_entries_e_cms_cannot_address_are_named_once_and_not_offered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    node = ListingNode((*ORGS, UNIT, THAI_DIGITS, UNIT_BY_MAIL))
    keeper = DirectoryKeeper(data_dir=tmp_path, node=node, node_url=NODE_URL)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="ecms_gateway.runtime.directory"):
        table = asyncio.run(keeper.refresh())
        asyncio.run(keeper.refresh())  # the same list again: no second warning
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "the node lists 2 organisation(s) on e-CMS" in warnings[0]
    assert "2099100123, ๒๐๙๙๒๐๐๐๐๐;" in warnings[0]
    assert "ask the node's operator" in warnings[0]
    # the mail-only unit is reachable (the mailbox does not need a department ID); the others are not
    assert {c.org_id for c in choices(table)} == {A, B, C, UNIT_BY_MAIL.organization_id}
    assert table.route(UNIT.organization_id).channel == "ecms"  # still known: submission names the fault

    caplog.clear()
    node.listing = ORGS
    with caplog.at_level(logging.WARNING, logger="ecms_gateway.runtime.directory"):
        asyncio.run(keeper.refresh())
        node.listing = (*ORGS, UNIT)
        asyncio.run(keeper.refresh())  # it came back: said again
    assert [r.getMessage().split(";")[0] for r in caplog.records] == [
        "directory: the node lists 1 organisation(s) on e-CMS under an ID that is not a department's "
        "(5-digit code + 00000), which e-CMS cannot address: 2099100123"
    ]


def test_the_picker_offers_every_entry_of_a_directory_file() -> None:
    table = RoutingTable(ORGS, source="test")
    assert [c.org_id for c in choices(table)] == [A, B, C]


def test_the_directory_cache_routes_clerk_commands_like_the_node_did(tmp_path: Path) -> None:
    assert read_cache(tmp_path) is None
    write_cache(tmp_path, routing(), now=datetime(2026, 11, 20, tzinfo=UTC))
    cached = read_cache(tmp_path)
    assert cached is not None
    assert cached.organizations == routing().organizations
    config = GatewayConfig.model_validate({"gateway": {"data_dir": str(tmp_path)}})
    assert load_routing(config).route(B).node_url == NODE_URL


def test_a_clerk_command_without_any_directory_says_how_to_get_one(tmp_path: Path) -> None:
    config = GatewayConfig.model_validate({"gateway": {"data_dir": str(tmp_path)}})
    with pytest.raises(ConfigError, match=r"set directory\.file, or start `ecms-gateway run` once"):
        load_routing(config)


def test_the_runtime_refuses_to_start_without_organisations_node_or_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no organisation is configured"):
        runtime_settings(GatewayConfig())
    config = GatewayConfig.model_validate({"organizations": [{"id": A}]})
    with pytest.raises(ConfigError) as info:
        runtime_settings(config)
    assert f"organizations[0].node_url: organisation {A} has no node URL" in str(info.value)
    assert f"signing.keys.{A}: organisation {A} sends letters and needs a signing key" in str(info.value)


def test_the_runtime_refuses_to_serve_an_organisation_e_cms_cannot_address() -> None:
    """e-CMS carries departments only: a unit's ID would have every letter it sends die at sending."""
    unit = A[:5] + "00042"
    config = GatewayConfig.model_validate(
        {"ecms": {"node_url": "http://127.0.0.1:1/ecms-ws01/service2"}, "organizations": [{"id": unit}]}
    )
    with pytest.raises(ConfigError) as info:
        runtime_settings(config)
    assert f"organizations[0].id: {unit} is not a department's ID" in str(info.value)
    assert f"use {A[:5]}00000" in str(info.value)


def test_runtime_keys_reach_the_settings(tmp_path: Path) -> None:
    (tmp_path / "k.pem").write_text("x", encoding="utf-8")
    path = tmp_path / "gateway.toml"
    path.write_text(
        f"""
[ecms]
node_url = "{NODE_URL}"
poll_interval_seconds = 2.5
[[organizations]]
id = "{A}"
auto_register = true
[[organizations]]
id = "{B}"
node_url = "{NODE_URL}?org={B}"
[signing.keys.{A}]
key = "k.pem"
cert = "k.pem"
[signing.keys.{B}]
key = "k.pem"
cert = "k.pem"
[runtime]
outbound_workers = 7
lease_seconds = 60
[directory]
refresh_minutes = 5
[xml]
max_bytes = 10485760
""",
        encoding="utf-8",
    )
    settings = runtime_settings(load_config(path))
    assert [(o.org_id, o.node_url, o.auto_register) for o in settings.orgs] == [
        (A, NODE_URL, True),
        (B, f"{NODE_URL}?org={B}", False),
    ]
    assert (settings.poll_interval_s, settings.outbound_workers, settings.lease_s) == (2.5, 7, 60)
    assert settings.directory_refresh_s == 300
    assert settings.limits.xml_max_bytes == 10 * 1024 * 1024
    # the compose page's limit for a letter's files follows it: (10 MB - 1 MB envelope) * 3/4, in MB
    assert letter_bytes(settings)["ecms"] == 6 * 1024 * 1024


def test_an_organisation_listed_twice_or_a_bad_node_url_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(
        f'[ecms]\nnode_url = "ftp://node"\n[[organizations]]\nid = "{A}"\n[[organizations]]\nid = "{A}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "ecms.node_url: 'ftp://node' is not a node URL" in str(info.value)
    path.write_text(f'[[organizations]]\nid = "{A}"\n[[organizations]]\nid = "{A}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{A} listed more than once"):
        load_config(path)


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        inner = getattr(annotation, "__args__", ())
        nested = [t for t in (annotation, *inner) if isinstance(t, type) and issubclass(t, BaseModel)]
        if nested:
            keys += _keys(nested[0], f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


@pytest.mark.parametrize(
    "section",
    ["ecms", "organizations", "directory", "runtime", "retry", "logging", "webhooks", "folders", "http"],
    ids=lambda s: f"[{s}]",
)
def test_every_runtime_key_is_documented_in_the_reference_and_the_example(section: str) -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = (ROOT / "config" / "gateway.example.toml").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([^`]+)`", docs, flags=re.MULTILINE))
    keys = [k for k in _keys(GatewayConfig) if k.startswith(section)]
    assert keys
    for key in keys:
        shown = key.replace("organizations.", "organizations[].").replace("retry.", "retry.<channel>.")
        assert shown in documented, f"{shown} is not in docs/configuration.md"
        assert re.search(rf"^#? ?{re.escape(key.rsplit('.', 1)[-1])} = ", example, flags=re.MULTILINE), (
            f"{key} is not in config/gateway.example.toml"
        )


def test_a_pulse_wakes_the_tasks_waiting_then_and_stopping_ends_the_wait() -> None:
    async def scenario() -> None:
        pulse, stopping = Pulse(), asyncio.Event()
        waiters = [asyncio.create_task(pulse.wait(3600)) for _ in range(3)]
        await asyncio.sleep(0.01)
        pulse.fire()
        assert await asyncio.wait_for(asyncio.gather(*waiters), 10) == [True, True, True]
        stopping.set()
        assert await asyncio.wait_for(pulse.wait(3600, unless=stopping), 10) is False
        assert await pulse.wait(0.01) is False  # the idle time ran out: nobody fired

    asyncio.run(scenario())


def test_one_wakes_only_the_task_that_has_waited_longest() -> None:
    """One queued item wakes one worker; the others keep waiting (they would look for nothing)."""

    async def scenario() -> None:
        pulse = Pulse()
        first = asyncio.create_task(pulse.wait(3600))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(pulse.wait(3600))
        await asyncio.sleep(0.01)
        pulse.one()
        assert await asyncio.wait_for(first, 10) is True
        await asyncio.sleep(0.01)
        assert not second.done()
        pulse.one()
        assert await asyncio.wait_for(second, 10) is True
        pulse.one()  # nobody waits: not kept for a later waiter
        assert await pulse.wait(0.01) is False

    asyncio.run(scenario())
