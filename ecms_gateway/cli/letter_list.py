"""The work of ``ecms-gateway letters`` (its parser is ``letters_cmds``): one page of the store's letter
query (``Store.letters``, as the API and the web pages ask it), printed as an aligned table or as JSON.

``--due`` takes the follow-up hours of the configuration (``[follow_up]``), as ``GET /letters?due=true``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
from datetime import date, datetime
from typing import Final

from sqlalchemy.exc import DBAPIError

from ecms_gateway.cli.settings import config_from_args
from ecms_gateway.cli.store_cmds import display_width, format_table, open_given
from ecms_gateway.cli.stores import first_line
from ecms_gateway.durations import age
from ecms_gateway.engine import (
    DUE_STATES,
    Direction,
    LetterOrder,
    LetterPage,
    LetterQuery,
    LetterSummary,
)
from ecms_gateway.errors import StoreError
from ecms_gateway.letter.codes import Secrecy, Speed

MIN_SUBJECT: Final = 20
"""A subject is never cut shorter than this many columns, however narrow the terminal."""

_OTHER_HEADER: Final = {"in": "FROM", "out": "TO", None: "FROM/TO"}


def list_letters(args: argparse.Namespace) -> int:
    """Print the page of letters the command line asks for; 2 (a usage error) for an empty date range."""
    if args.date_from and args.date_to and args.date_from > args.date_to:
        print(
            f"ecms-gateway letters: --from {args.date_from} is after --to {args.date_to}, so no letter "
            "can match: swap them",
            file=sys.stderr,
        )
        return 2
    query = _query(args)
    page, now = _page(args, query)
    if args.json:
        print(_as_json(page, now if args.due else None))
    else:
        waited = args.due or query.order is LetterOrder.WAITING
        print(_as_table(page, other=_OTHER_HEADER[args.direction], now=now if waited else None))
    return 0


def _query(args: argparse.Namespace) -> LetterQuery:
    states = tuple(args.states or ())
    return LetterQuery(
        direction=None if args.direction is None else Direction(args.direction),
        states=DUE_STATES if args.due and not states else states,
        org=args.org,
        date_from=args.date_from,
        date_to=args.date_to,
        text=_one_line(args.search or "") or None,
        order=args.order or (LetterOrder.WAITING if args.due else LetterOrder.NEWEST),
    )


def _page(args: argparse.Namespace, query: LetterQuery) -> tuple[LetterPage, datetime]:
    """The page ``query`` selects (with ``--due``, of those waiting past their speed's hours) and the
    store's time now."""
    try:
        with open_given(args) as store:
            now = store.clock()
            if args.due:
                cutoffs = config_from_args(args).follow_up_policy().cutoffs(now)
                query = dataclasses.replace(query, waiting_before=cutoffs)
            return store.letters(query, offset=args.offset, limit=args.limit), now
    except DBAPIError as exc:
        raise StoreError(f"cannot use the database: {first_line(exc.orig or exc)}") from exc


def _as_table(page: LetterPage, *, other: str, now: datetime | None) -> str:
    """One line per letter, then how many of how many and how to see the next page; ``now`` given:
    how long each has been in its state."""
    if not page.items:
        return _footer(page)
    headers = [
        "ID",
        "DIR",
        "STATE",
        "DATE",
        "BOOK NO",
        "MARKS",
        other,
        *(["WAITED"] if now is not None else []),
    ]
    rows = [[*_cells(s), *([age(now - s.updated_at)] if now is not None else [])] for s in page.items]
    subjects = _fit([_one_line(s.subject) for s in page.items], [headers, *rows])
    table = format_table([*headers, "SUBJECT"], [[*r, s] for r, s in zip(rows, subjects, strict=True)])
    return f"{table}\n\n{_footer(page)}"


def _cells(s: LetterSummary) -> list[str]:
    marks = [s.speed.thai] if s.speed is not Speed.NORMAL else []
    marks += [s.secrecy.thai] if s.secrecy is not Secrecy.NORMAL else []
    return [
        str(s.id),
        s.direction.value,
        s.state.value,
        s.letter_date.isoformat(),
        _one_line(s.book_no),
        " ".join(marks),
        s.sender_org if s.direction is Direction.IN else s.receiver_org,
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fit(subjects: list[str], lines: list[list[str]]) -> list[str]:
    """The subjects cut to what the terminal has left beside the other columns (``lines``), never to
    less than ``MIN_SUBJECT`` columns; whole when the output goes to a file or a pipe."""
    columns = _terminal_columns()
    if columns is None:
        return subjects
    used = sum(max(display_width(cell) for cell in column) + 2 for column in zip(*lines, strict=True))
    room = max(MIN_SUBJECT, columns - used - 1)  # the last column left empty: some terminals wrap there
    return [_cut(subject, room) for subject in subjects]


def _terminal_columns() -> int | None:
    """The terminal's width ($COLUMNS wins), or None when the output is not a terminal."""
    if "COLUMNS" not in os.environ and not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns, ending in … when cut; Thai vowel and tone marks, which
    take no column, stay with their letter."""
    if display_width(text) <= width:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        used += display_width(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _footer(page: LetterPage) -> str:
    shown, after = len(page.items), page.offset + len(page.items)
    if page.total == 0:
        return "no letters match"
    if not shown:
        last = (page.total - 1) // page.limit * page.limit
        return (
            f"0 of {page.total} letters: --offset {page.offset} is past them; "
            f"the last page is --offset {last}"
        )
    said = f"{shown} of {page.total} letters" if page.total > 1 else "1 letter"
    if shown < page.total:
        said += f" ({page.offset + 1}-{after})"
    if after < page.total:
        said += f"; the next {min(page.limit, page.total - after)}: the same command with --offset {after}"
    return said


def _as_json(page: LetterPage, now: datetime | None) -> str:
    """The page for scripts: each letter's fields as the API names them, dates and times in ISO 8601;
    ``now`` given (``--due``), how long each has been in its state, in seconds."""

    def item(s: LetterSummary) -> dict[str, object]:
        fields = {f.name: _plain(getattr(s, f.name)) for f in dataclasses.fields(s)}
        if now is not None:
            fields["waited_seconds"] = int((now - s.updated_at).total_seconds())
        return fields

    body = {"items": [item(s) for s in page.items], "total": page.total}
    return json.dumps(body | {"offset": page.offset, "limit": page.limit}, ensure_ascii=False, indent=2)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value  # a datetime is a date too
