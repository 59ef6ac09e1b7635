"""The sent-message archive against a real node: A's letter reaches the node but the node's answer
does not reach A (the proxy answers 500 after forwarding it). A sends again the bytes it archived
before the first try; the node answers with the first ProcessID; the archive holds exactly the request
the node took, whose letter is what the node queued and what B stored, and A's archive is confirmed
with that ProcessID."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2e_cluster import Cluster, letter
from ecms_adapters.runtime.layout import AgencyOptions
from ecms_adapters.runtime.processes import free_port
from fault_proxy import LosingProxy
from lxml import etree
from sqlalchemy import create_engine, select

from ecms_gateway.codec.document import DOCUMENT
from ecms_gateway.engine import LetterState
from ecms_gateway.engine.sent_values import SentWhat
from ecms_gateway.node.options import DATABASE_FILE, SERVICE_PATH
from ecms_gateway.node.tables import INBOUND, PAYLOAD
from ecms_gateway.store.tables import INBOX
from ecms_gateway.xml.parser import parse_xml

pytestmark = pytest.mark.e2e

AUTO_REGISTER = (
    AgencyOptions(name="A", org_id="2099000000", auto_register=True),
    AgencyOptions(name="B", org_id="2099100000", auto_register=True),
)


def test_a_letter_whose_reply_was_lost_is_archived_as_the_node_took_it(
    make_cluster: Callable[..., Cluster],
) -> None:
    node_port = free_port()
    proxy = LosingProxy(node_port, match=b"GovernmentDocument")  # only A's letter request holds one
    proxy_port = proxy.start()
    try:
        cluster = make_cluster(
            node_port=node_port,
            client_url=f"http://127.0.0.1:{proxy_port}{SERVICE_PATH}",
            agencies=AUTO_REGISTER,
            retry_base_s=0.2,
            retry_cap_s=1.0,
            max_attempts=20,
        ).start()
        package = letter(1)
        letter_id = cluster.submit("A", package)
        cluster.wait_state("A", package.letter, LetterState.ACCEPTED)
    finally:
        proxy.stop()

    assert proxy.counts["reply lost"] == 1
    first, *again = proxy.matched
    assert again  # the request was sent again after the lost reply
    assert all(body == first for body in again)  # every try sent the same bytes
    a = cluster.stores["A"]
    [sent] = [m for m in a.show(letter_id).sent if m.what is SentWhat.LETTER]
    assert a.load_sent(sent.id) == first
    process_id, payload = _queued_letter(cluster)  # the node queued it once, under one ProcessID
    assert sent.confirmation == f"ProcessID {process_id}"
    # The node keeps the letter element as it serialised from the request: the archived request's.
    [document] = parse_xml(first).iter(DOCUMENT)
    assert etree.tostring(document, encoding="utf-8") == payload
    inbound = cluster.received("B", package.letter)
    assert inbound is not None
    b = cluster.stores["B"]
    assert b.show(inbound.id).letter.registry_no == 1
    with b.db.read() as conn:
        inbox_id = conn.execute(select(INBOX.c.id).where(INBOX.c.process_id == process_id)).scalar_one()
    assert payload in b.load_raw(inbox_id)  # what B stored carries that letter, byte for byte


def _queued_letter(cluster: Cluster) -> tuple[str, bytes]:
    engine = create_engine(f"sqlite:///{cluster.layout.node_data / DATABASE_FILE}")
    try:
        with engine.connect() as conn:
            [(process_id, payload)] = conn.execute(
                select(INBOUND.c.process_id, PAYLOAD.c.payload)
                .join(PAYLOAD, PAYLOAD.c.id == INBOUND.c.id)
                .where(INBOUND.c.item_kind == "CorrespondenceLetter")
            ).all()
    finally:
        engine.dispose()
    return str(process_id), bytes(payload)
