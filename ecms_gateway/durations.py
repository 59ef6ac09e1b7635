"""A length of time as people read it in a line of text: ``2d 3h``, ``4h 5m``, ``6m 7s``, ``8s``."""

from __future__ import annotations

from datetime import timedelta


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
