"""The audit entry hash: canonical, covering every field and the previous hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from ecms_gateway.engine.audit import GENESIS, canonical_json, entry_hash

BASE: dict[str, Any] = {
    "at": datetime(2026, 11, 20, 3, 0, 0, 123456, tzinfo=UTC),
    "actor": "clerk:สมชาย",
    "action": "letter.withdraw",
    "letter_id": 7,
    "work_id": None,
    "reason": "ส่งผิดหน่วยงาน",
    "detail": '{"from":"rejected","to":"withdrawn"}',
    "prev_hash": GENESIS,
}


def test_canonical_json_is_order_independent_and_keeps_thai() -> None:
    assert canonical_json({"b": 1, "a": "ไทย"}) == canonical_json({"a": "ไทย", "b": 1}) == '{"a":"ไทย","b":1}'


def test_hash_is_stable_across_time_zones() -> None:
    bangkok = BASE["at"].astimezone(timezone(timedelta(hours=7)))
    assert entry_hash(**BASE) == entry_hash(**{**BASE, "at": bangkok})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("at", datetime(2026, 11, 20, 3, 0, 0, 123457, tzinfo=UTC)),
        ("actor", "clerk:somchai"),
        ("action", "letter.register"),
        ("letter_id", 8),
        ("work_id", 1),
        ("reason", None),
        ("detail", '{"from":"rejected","to":"accepted"}'),
        ("prev_hash", "1" * 64),
    ],
)
def test_every_field_changes_the_hash(field: str, value: object) -> None:
    assert entry_hash(**{**BASE, field: value}) != entry_hash(**BASE)
