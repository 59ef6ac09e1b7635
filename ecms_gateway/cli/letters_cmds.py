"""``letters``: the stored letters, filtered, ordered and paged, as a table or as JSON, for clerks and
operators at a terminal (the IDs that ``show``, ``register`` and the other commands take).

Only the parser is here, with argparse and the standard library imported at the top so that building
the command's parser stays light; the work (``letter_list``) is imported when the command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Final

from ecms_gateway.cli.settings import add_store_options

if TYPE_CHECKING:
    from ecms_gateway.engine import LetterOrder, LetterState

MAX_LIMIT: Final = 500
"""The most letters on one page: the store's ``engine.listing.MAX_PAGE``."""

DEFAULT_LIMIT: Final = 50
_MAX_OFFSET: Final = 2**31 - 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "letters",
        help="list letters: IDs, states, book numbers, subjects (filtered, paged; --json for scripts)",
        description="List the letters in the store, one line each, newest first; the filters given must "
        "all hold. A line's ID is what `show`, `register`, `reject` and the other commands take.",
    )
    add_store_options(parser)
    _add_filters(parser)
    parser.add_argument(
        "--order",
        type=_order,
        metavar="ORDER",
        help="newest (the default), oldest, urgent (most urgent first, then oldest) or waiting "
        "(longest in its state first; the default with --due)",
    )
    parser.add_argument(
        "--limit",
        type=_count(1, MAX_LIMIT, "the limit"),
        default=DEFAULT_LIMIT,
        help=f"letters on the page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})",
    )
    parser.add_argument(
        "--offset", type=_count(0, _MAX_OFFSET, "the offset"), default=0, help="skip this many (next pages)"
    )
    parser.add_argument("--json", action="store_true", help="the page as JSON, with total, offset and limit")
    parser.set_defaults(func=_letters)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    direction = parser.add_mutually_exclusive_group()
    direction.add_argument(
        "--in", dest="direction", action="store_const", const="in", help="letters we received"
    )
    direction.add_argument(
        "--out", dest="direction", action="store_const", const="out", help="letters we sent"
    )
    parser.add_argument(
        "--state",
        dest="states",
        action="append",
        type=_letter_state,
        metavar="STATE",
        help="in this state (repeat for several): queued, sending, sent, delivered, accepted, rejected, "
        "invalid, withdrawn, failed, received, registered",
    )
    parser.add_argument(
        "--org", type=_org_id, help="the other organisation (sender or receiver): its 10 digits"
    )
    parser.add_argument(
        "--from", dest="date_from", type=_day, metavar="DATE", help="letter date on or after, YYYY-MM-DD"
    )
    parser.add_argument(
        "--to", dest="date_to", type=_day, metavar="DATE", help="letter date on or before, YYYY-MM-DD"
    )
    parser.add_argument(
        "--search", metavar="TEXT", help="in the book number or subject (Thai and Arabic digits match alike)"
    )
    parser.add_argument(
        "--due",
        action="store_true",
        help="waiting longer than their speed gives ([follow_up] hours) to be registered: ours that "
        "are sent or delivered, and those we received (or those in --state); shows how long they waited",
    )


# Argument types: a wrong value is a usage error that says what is right. Each imports what it needs
# when the command line is read, not when the parser is built.


def _letter_state(text: str) -> LetterState:
    from ecms_gateway.engine import LetterState  # noqa: PLC0415 - the parser stays light

    try:
        return LetterState(text.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in LetterState)
        raise argparse.ArgumentTypeError(
            f"there is no letter state {text!r}; the states are {known}"
        ) from None


def _order(text: str) -> LetterOrder:
    from ecms_gateway.engine import LetterOrder  # noqa: PLC0415 - the parser stays light

    try:
        return LetterOrder(text.strip().lower())
    except ValueError:
        known = ", ".join(o.value for o in LetterOrder)
        raise argparse.ArgumentTypeError(f"there is no order {text!r}; the orders are {known}") from None


def _org_id(text: str) -> str:
    digits = text.strip().translate(_ARABIC)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an organisation ID: give its 10 digits, e.g. 2099000000"
        )
    return digits


def _day(text: str) -> date:
    written = text.strip().translate(_ARABIC)
    try:
        day = date.fromisoformat(written)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write it YYYY-MM-DD with the Gregorian year, e.g. 2026-11-22"
        ) from None
    if day.year > _LAST_GREGORIAN:
        raise argparse.ArgumentTypeError(
            f"{text!r} has a Buddhist Era year: give the Gregorian one ({day.year} - 543 = {day.year - 543})"
        )
    return day


_ARABIC: Final = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")  # Thai digits typed in a date or an ID
_LAST_GREGORIAN: Final = 2400  # a later year is a Buddhist Era one (2569 is 2026): letters are not dated so


def _count(low: int, high: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        from ecms_gateway.cli.arguments import whole_number  # noqa: PLC0415 - the parser stays light

        return whole_number(low, high, what=what)(text)

    return parse


def _letters(args: argparse.Namespace) -> int:
    from ecms_gateway.cli.letter_list import list_letters  # noqa: PLC0415 - the parser stays light

    return list_letters(args)
