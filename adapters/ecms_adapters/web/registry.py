"""The registry books (ทะเบียนหนังสือรับ / ทะเบียนหนังสือส่ง) for a date range: on screen, as CSV
(UTF-8 with a byte-order mark so that Excel shows Thai) and as PDF (``registry_pdf``)."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final
from urllib.parse import urlencode

from starlette.responses import Response

from ecms_adapters.web.context import Page
from ecms_adapters.web.fault_text import error_text
from ecms_adapters.web.i18n import translate
from ecms_adapters.web.registry_pdf import book_pdf
from ecms_adapters.web.render import be_date
from ecms_gateway.engine import Direction, LetterState
from ecms_gateway.engine.values import LetterSummary
from ecms_gateway.errors import InputError
from ecms_gateway.letter.dates import parse_clerk_date
from ecms_gateway.letter.thai import thai_today

MAX_TYPED: Final = 40
"""The most of a refused date box's text shown again (a date in Thai words fits)."""
_NOTED_STATES: Final = frozenset(
    {LetterState.REJECTED, LetterState.INVALID, LetterState.WITHDRAWN, LetterState.FAILED}
)
MAX_DAYS: Final = 366 * 2
"""The longest period one book covers (two years) so that a typo cannot ask for the whole archive."""
PDF_THREAD: Final = "registry-pdf"
_PDF_RENDERER: Final = ThreadPoolExecutor(max_workers=1, thread_name_prefix=PDF_THREAD)
"""Books are drawn as PDF one at a time, on a thread of their own: a year's book takes tens of seconds,
and on the gateway's pool (3 threads on SQLite) two of them at once would leave the letters' store calls
one thread (docs/runtime.md, "Threads"). A clerk whose book waits for another's waits; nothing else does."""


@dataclass(frozen=True, kw_only=True)
class BookRequest:
    direction: Direction
    org: str
    start: date
    end: date


@dataclass(frozen=True, kw_only=True)
class BookRow:
    """One line of a book, as printed."""

    number: str
    registered: str
    book_no: str
    letter_date: str
    sender: str
    receiver: str
    subject: str
    note: str


def _parse(page: Page) -> tuple[BookRequest | None, str | None, str | None]:
    """The book asked for, or why there is none in the page's language and the date box at fault
    (``from``, ``to``; None for the period as a whole).

    The date boxes are text boxes read as a clerk's date (``parse_clerk_date``): ``1/11/2569``, Thai
    digits, Thai month names, ISO with either era's year (``2569-11-01``); a year that is a typo in
    either era is refused saying which years to use, and a date that cannot be read names its box.
    """
    params = page.request.query_params
    today = thai_today()
    direction = Direction.OUT if params.get("book") == "out" else Direction.IN
    orgs = [org.org_id for org in page.services.settings.orgs]
    asked = params.get("org")
    org = asked if asked is not None and asked in orgs else orgs[0]
    days: list[date] = []
    for box, label, default in (("from", "f.from", today.replace(day=1)), ("to", "f.to", today)):
        typed = (params.get(box) or "").strip()
        try:
            days.append(parse_clerk_date(typed, today=today) if typed else default)
        except InputError as exc:
            return None, f"{translate(page.lang, label)}: {error_text(page.lang, exc)}", box
    start, end = days
    problem = _period_problem(page.lang, start, end)
    if problem is not None:
        return None, problem, None
    return BookRequest(direction=direction, org=org, start=start, end=end), None, None


def _period_problem(lang: str, start: date, end: date) -> str | None:
    """Why ``start``-``end`` makes no book (reversed, or longer than ``MAX_DAYS``), or None."""
    if end < start:
        return translate(lang, "registry.reversed", start=be_date(start, lang), end=be_date(end, lang))
    if end - start > timedelta(days=MAX_DAYS):
        return translate(lang, "registry.too_long", days=(end - start).days + 1, most=MAX_DAYS + 1)
    return None


async def _rows(page: Page, book: BookRequest) -> list[BookRow]:
    letters: list[LetterSummary] = await page.run(
        page.services.store.registry_book,
        book.direction,
        org=book.org,
        date_from=book.start,
        date_to=book.end,
    )
    return [_row(letter, book.direction, page) for letter in letters]


def _row(letter: LetterSummary, direction: Direction, page: Page) -> BookRow:
    lang = page.lang
    when = letter.registered_at if direction is Direction.IN else letter.created_at
    note = []
    if letter.speed.value != "normal":
        note.append(translate(lang, f"speed.{letter.speed.value}"))
    if letter.secrecy.value != "normal":
        note.append(translate(lang, f"secrecy.{letter.secrecy.value}"))
    if direction is Direction.OUT and letter.accept_id:
        note.append(translate(lang, "registry.accept_id", n=letter.accept_id))
    if letter.state in _NOTED_STATES:  # the book says what became of a letter that did not go through
        note.append(translate(lang, f"state.{letter.state.value}"))
    return BookRow(
        number="" if letter.registry_no is None else str(letter.registry_no),
        registered=be_date(when, lang),
        book_no=letter.book_no,
        letter_date=be_date(letter.letter_date, lang),
        sender=page.org_name(letter.sender_org),
        receiver=page.org_name(letter.receiver_org),
        subject=letter.subject,
        note=" ".join(note),
    )


def _title(page: Page, book: BookRequest) -> str:
    return translate(page.lang, f"registry.{book.direction.value}")


async def screen(page: Page, *, cannot: bool = False) -> Response:
    """The book on screen; a period that makes none is the form again, with the message beside the
    box at fault and what was typed kept (``cannot``: the CSV or PDF was asked for)."""
    book, problem, box = _parse(page)
    rows = await _rows(page, book) if book is not None else []
    query = (
        ""
        if book is None
        else urlencode(
            {
                "book": book.direction.value,
                "org": book.org,
                "from": book.start.isoformat(),
                "to": book.end.isoformat(),
            }
        )
    )
    params = page.request.query_params
    return page.render(
        "registry.html",
        status=200 if problem is None else 400,
        book=book,
        problem=None if box is not None else problem,  # a box's fault is shown beside that box
        faults={} if box is None or problem is None else {box: [problem]},
        cannot=cannot,
        asked={  # what a refused request asked for, to correct rather than type again
            "book": params.get("book", "in"),
            "from": _as_typed(params.get("from")),
            "to": _as_typed(params.get("to")),
        },
        rows=rows,
        query=query,
        orgs=[org.org_id for org in page.services.settings.orgs],
        title=None if book is None else f"{_title(page, book)} {page.org_name(book.org)}",
        period=None
        if book is None
        else translate(
            page.lang,
            "registry.period",
            start=be_date(book.start, page.lang),
            end=be_date(book.end, page.lang),
        ),
    )


def _as_typed(value: str | None) -> str:
    """What the clerk typed into a date box, to correct rather than type again (a date's length)."""
    return (value or "").strip()[:MAX_TYPED]


HEADINGS: Final = {
    "th": ("เลขทะเบียน", "วันที่ลงทะเบียน", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "หมายเหตุ"),
    "en": ("Registry no.", "Registered", "Book no.", "Letter date", "From", "To", "Subject", "Note"),
}


def _filename(book: BookRequest, ext: str) -> str:
    kind = "receive" if book.direction is Direction.IN else "send"
    return f"registry-{kind}-{book.org}-{book.start.isoformat()}-{book.end.isoformat()}.{ext}"


async def as_csv(page: Page) -> Response:
    book, _, _ = _parse(page)
    if book is None:  # the form again, saying why, rather than a page with no way back
        return await screen(page, cannot=True)
    rows = await _rows(page, book)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADINGS[page.lang])
    for row in rows:
        writer.writerow(
            (
                row.number,
                row.registered,
                row.book_no,
                row.letter_date,
                row.sender,
                row.receiver,
                row.subject,
                row.note,
            )
        )
    body = "\ufeff" + out.getvalue()  # the BOM makes Excel read the file as UTF-8 (Thai intact)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(book, "csv")}"',
            "Cache-Control": "no-store",
        },
    )


async def as_pdf(page: Page) -> Response:
    book, _, _ = _parse(page)
    if book is None:  # the form again, saying why, rather than a page with no way back
        return await screen(page, cannot=True)
    rows = await _rows(page, book)
    period = translate(
        page.lang, "registry.period", start=be_date(book.start, page.lang), end=be_date(book.end, page.lang)
    )
    draw = functools.partial(
        book_pdf,
        title=f"{_title(page, book)} {page.org_name(book.org)}",
        period=period,
        headings=HEADINGS[page.lang],
        lang=page.lang,
        rows=[
            (r.number, r.registered, r.book_no, r.letter_date, r.sender, r.receiver, r.subject, r.note)
            for r in rows
        ],
    )
    content = await asyncio.get_running_loop().run_in_executor(_PDF_RENDERER, draw)
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(book, "pdf")}"',
            "Cache-Control": "no-store",
        },
    )
