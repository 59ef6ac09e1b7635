"""A length of time as people read it in a line of text: ``2d 3h``, ``4h 5m``, ``6m 7s``, ``8s``;
``age`` writes one, ``parse_age`` reads one (an operator's option such as ``--older-than 90d``)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

from ecms_gateway.errors import ConfigError

_UNITS: Final = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_PART: Final = re.compile(r"(\d+)\s*([dhms])")


def age(delta: timedelta) -> str:
    """``2d 3h``, ``4h 5m``, ``6m 7s``, ``8s``: the two largest units (none below zero)."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def parse_age(text: str, *, option: str) -> timedelta:
    """``90d``, ``12h``, ``2d 3h``: a length of time in the units ``ecms_gateway.durations.age`` writes
    (days, hours, minutes, seconds); ``ConfigError`` naming ``option`` for anything else, or zero."""
    compact = text.strip().lower()
    parts = _PART.findall(compact)
    if not parts or _PART.sub("", compact).strip():
        raise ConfigError(
            f"{option} {text!r} is not a length of time; write it as a number and a unit, "
            "d (days), h (hours), m (minutes) or s (seconds), e.g. 90d or 2d 12h"
        )
    seconds = sum(int(number) * _UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ConfigError(f"{option} {text!r} is no time at all; give a retention above zero, e.g. 90d")
    return timedelta(seconds=seconds)
