"""``Services``: the faces' one path to the clerk's actions; each action wakes the gateway's workers."""

from __future__ import annotations

import pytest
from store_support import RECEIVER, SENDER, encode_raw, make_package

from ecms_gateway.codec.messages import OrganizationInfo
from ecms_gateway.engine import LetterState, SignatureMark, Store
from ecms_gateway.errors import InputError
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.services.clerk import DirectoryNotReady
from ecms_gateway.services.context import Services

TABLE = RoutingTable(
    [
        OrganizationInfo(en_name="A", th_name="ก", ecms_url="http://127.0.0.1:1/a", organization_id=SENDER),
        OrganizationInfo(en_name="B", th_name="ข", ecms_url="http://127.0.0.1:1/b", organization_id=RECEIVER),
    ],
    source="test",
)


class Wakes:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def _services(store: Store, wakes: Wakes, table: RoutingTable | None = TABLE) -> Services:
    settings = RuntimeSettings(orgs=(ServedOrg(org_id=SENDER, node_url="http://127.0.0.1:1/a"),))
    return Services(store=store, settings=settings, routing=lambda: table, wake=wakes)


def test_submit_routes_queues_and_wakes(store: Store) -> None:
    wakes = Wakes()
    done = _services(store, wakes).submit(make_package(1), actor="user:malee")
    assert done.route.channel == "ecms"
    assert store.show(done.letter_id).letter.state is LetterState.QUEUED
    assert wakes.count == 1


def test_submit_before_the_directory_is_loaded_says_so_and_keeps_nothing(store: Store) -> None:
    wakes = Wakes()
    with pytest.raises(DirectoryNotReady, match="not been loaded yet"):
        _services(store, wakes, table=None).submit(make_package(1), actor="user:malee")
    assert store.letter_counts() == {}
    assert wakes.count == 0


def test_register_and_reject_wake_the_notifier_workers(store: Store) -> None:
    wakes = Wakes()
    services = _services(store, wakes)
    ids = []
    for i in (1, 2):
        package = make_package(i, sender=RECEIVER, receiver=SENDER)
        item = store.accept_inbound(encode_raw(package), channel="ecms", process_id=f"p{i}", actor="t")
        ids.append(
            store.record_inbound_letter(item.id, package, actor="t", signature=SignatureMark.VERIFIED).id
        )
    assert services.register(ids[0], actor="user:malee") == 1
    services.reject(ids[1], reason="  ไม่ใช่หน่วยงานนี้ ", actor="user:malee")
    assert wakes.count == 2
    assert store.show(ids[1]).letter.state is LetterState.REJECTED


def test_a_receiver_e_cms_cannot_address_is_refused_before_anything_is_queued(store: Store) -> None:
    """e-CMS carries departments only (code + 00000): a directory entry for a unit below one, with a
    node URL, is refused at submission with the department to use, not accepted and dead at sending."""
    unit = RECEIVER[:5] + "00042"
    table = RoutingTable(
        [
            *TABLE.organizations,
            OrganizationInfo(en_name="U", th_name="ย", ecms_url="http://127.0.0.1:1/b", organization_id=unit),
        ],
        source="test",
    )
    wakes = Wakes()
    with pytest.raises(InputError) as refused:
        _services(store, wakes, table=table).submit(make_package(1, receiver=unit), actor="user:malee")
    assert refused.value.fault_code == "routing.not_department"
    assert dict(refused.value.fault_params) == {
        "party": "receiver",
        "org_id": unit,
        "department": RECEIVER[:5] + "00000",
    }
    assert f"use {RECEIVER[:5]}00000" in str(refused.value)
    assert store.letter_counts() == {}
    assert wakes.count == 0


def test_a_unit_reached_by_mail_needs_no_department_id(store: Store) -> None:
    unit = RECEIVER[:5] + "00042"
    table = RoutingTable(
        [
            *TABLE.organizations,
            OrganizationInfo(en_name="U", th_name="ย", ecms_url=None, organization_id=unit),
        ],
        source="test",
    )
    done = _services(store, Wakes(), table=table).submit(make_package(1, receiver=unit), actor="user:malee")
    assert done.route.channel == "mail"
