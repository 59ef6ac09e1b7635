"""Argument types the commands share: ids the store can hold, bounded counts, channel names.

A value no store can hold is a usage error at once, not a database error later.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ecms_gateway.runtime.channels import ECMS, MAIL

MAX_ID = 2**31 - 1
"""The largest id of a letter, work item, mail letter or webhook: the store's ids are 32-bit integers
on PostgreSQL (SQLite's are wider, but one gateway may move from one to the other)."""

CHANNELS = (ECMS, MAIL)
"""The channels work goes by (``queue``'s CHANNEL column)."""


def whole_number(low: int, high: int, *, what: str = "the value") -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``low`` to ``high``, else a usage error saying so."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range: {what} must be from {low} to {high}")
        return value

    return parse


record_id = whole_number(1, MAX_ID, what="an ID")
"""The ``type`` of every ID argument."""


def add_channel_option(parser: argparse.ArgumentParser, helptext: str) -> None:
    """``--channel`` with the known channels as its choices: a misspelt one is refused, not 'nothing'."""
    parser.add_argument("--channel", choices=CHANNELS, help=f"{helptext} ({', '.join(CHANNELS)})")
