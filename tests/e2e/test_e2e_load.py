"""Many letters at once: 100 each way, every one accepted, receive numbers 1..100 without a gap."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2e_cluster import Cluster, letter
from ecms_adapters.runtime.layout import AgencyOptions

from ecms_gateway.engine import LetterState

pytestmark = pytest.mark.e2e

COUNT = 100


def test_a_hundred_letters_each_way_are_all_accepted_with_gap_free_numbers(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster(
        agencies=(
            AgencyOptions(name="A", org_id="2099000000", auto_register=True),
            AgencyOptions(name="B", org_id="2099100000", auto_register=True),
        )
    ).start()
    to_b = [letter(n, sender="A") for n in range(1, COUNT + 1)]
    to_a = [letter(n, sender="B") for n in range(1, COUNT + 1)]
    for a_package, b_package in zip(to_b, to_a, strict=True):
        cluster.submit("A", a_package)
        cluster.submit("B", b_package)

    for sender, receiver, packages in (("A", "B", to_b), ("B", "A", to_a)):
        for package in packages:
            cluster.wait_state(sender, package.letter, LetterState.ACCEPTED, timeout=150)
        accept_ids = sorted(cluster.accept_id(sender, p.letter) for p in packages)
        assert accept_ids == list(range(1, COUNT + 1))
        numbers = sorted(cluster.receive_number(receiver, p.letter) for p in packages)
        assert numbers == list(range(1, COUNT + 1))
        assert cluster.stores[sender].unmatched_notifiers() == []
