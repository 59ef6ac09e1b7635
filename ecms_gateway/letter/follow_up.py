"""When a letter we sent is due for follow-up: the receiver has not registered it (no receive number
came back) this long after it left, by its speed (ชั้นความเร็ว).

The regulation says what each speed asks of the receiver (ด่วนที่สุด: at once; ด่วนมาก: quickly; ด่วน:
faster than normal) but not in hours; the defaults below are the agency's to change (``[follow_up]``).
Hours are counted on the clock, nights and holidays included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final

from ecms_gateway.letter.codes import Speed

DEFAULT_HOURS: Final[Mapping[Speed, float]] = MappingProxyType(
    {Speed.MOST_URGENT: 4, Speed.VERY_URGENT: 24, Speed.URGENT: 48, Speed.NORMAL: 120}
)


@dataclass(frozen=True, kw_only=True)
class FollowUpPolicy:
    """Hours a receiver has, by speed, before a letter we sent is due for follow-up."""

    hours: Mapping[Speed, float] = field(default_factory=lambda: DEFAULT_HOURS)

    def due_at(self, speed: Speed, since: datetime) -> datetime:
        """When a letter of ``speed`` waiting since ``since`` becomes due for follow-up."""
        return since + timedelta(hours=self.hours[speed])

    def is_due(self, speed: Speed, since: datetime, now: datetime) -> bool:
        return now >= self.due_at(speed, since)

    def cutoffs(self, now: datetime) -> dict[Speed, datetime]:
        """For each speed: a letter waiting since this time or before is due now."""
        return {speed: now - timedelta(hours=self.hours[speed]) for speed in Speed}
