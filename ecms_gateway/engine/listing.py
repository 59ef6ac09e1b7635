"""Letter lists for the API and the web pages: filtered, ordered and paged; the registry books; one file.

The registry books are the regulation's ทะเบียนหนังสือรับ (letters we registered, by the date of
registration) and ทะเบียนหนังสือส่ง (letters we sent, by the date they were accepted for sending),
each in registry-number order, with days counted in Thailand's time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from ecms_gateway.engine.context import Context
from ecms_gateway.engine.queries import summary
from ecms_gateway.engine.states import Direction
from ecms_gateway.engine.values import LetterOrder, LetterPage, LetterQuery, LetterSummary
from ecms_gateway.errors import InputError, NotFound
from ecms_gateway.letter.codes import Speed
from ecms_gateway.letter.model import FileData
from ecms_gateway.letter.thai import THAI_TIME, to_arabic_digits, to_thai_digits
from ecms_gateway.store.tables import LETTER, LETTER_FILE

MAX_PAGE = 500
_SPEED_RANK = case({s.value: rank for rank, s in enumerate(Speed)}, value=LETTER.c.speed, else_=0)


def letters(ctx: Context, query: LetterQuery, *, offset: int = 0, limit: int = 50) -> LetterPage:
    """The letters ``query`` selects, ``limit`` of them from ``offset``, with the total count."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InputError(f"offset must be 0 or more and limit between 1 and {MAX_PAGE}")
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise InputError("the date range is reversed: date_from is after date_to")
    where = _conditions(query)
    ordered = select(LETTER).where(*where)
    if query.order is LetterOrder.URGENT:
        ordered = ordered.order_by(_SPEED_RANK.desc(), LETTER.c.created_at, LETTER.c.id)
    elif query.order is LetterOrder.WAITING:
        ordered = ordered.order_by(LETTER.c.updated_at, LETTER.c.id)
    elif query.order is LetterOrder.OLDEST:
        ordered = ordered.order_by(LETTER.c.created_at, LETTER.c.id)
    else:
        ordered = ordered.order_by(LETTER.c.created_at.desc(), LETTER.c.id.desc())
    with ctx.db.read() as conn:
        total = int(conn.execute(select(func.count()).select_from(LETTER).where(*where)).scalar_one())
        rows = conn.execute(ordered.offset(offset).limit(limit)).mappings().all()
    return LetterPage(items=tuple(summary(r) for r in rows), total=total, offset=offset, limit=limit)


def _conditions(query: LetterQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.direction is not None:
        where.append(LETTER.c.direction == query.direction.value)
    if query.states:
        where.append(LETTER.c.state.in_([s.value for s in query.states]))
    if query.org:
        where.append(or_(LETTER.c.sender_org == query.org, LETTER.c.receiver_org == query.org))
    if query.date_from is not None:
        where.append(LETTER.c.letter_date >= query.date_from)
    if query.date_to is not None:
        where.append(LETTER.c.letter_date <= query.date_to)
    text = " ".join((query.text or "").split())
    if text:
        where.append(_text_matches(text))
    if query.waiting_before is not None:
        where.append(
            or_(
                *(
                    and_(LETTER.c.speed == speed.value, LETTER.c.updated_at <= before)
                    for speed, before in query.waiting_before.items()
                )
            )
        )
    return where


def _text_matches(text: str) -> ColumnElement[bool]:
    """Book number or subject contains ``text``, whichever digits either side uses."""
    variants = {text, to_arabic_digits(text), to_thai_digits(text)}
    tests = []
    for variant in variants:
        pattern = "%" + variant.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        tests.append(LETTER.c.subject.ilike(pattern, escape="\\"))
        tests.append(LETTER.c.book_key.ilike(pattern, escape="\\"))
        tests.append(LETTER.c.book_no.ilike(pattern, escape="\\"))
    return or_(*tests)


def registry_book(
    ctx: Context, direction: Direction, *, org: str, date_from: date, date_to: date
) -> list[LetterSummary]:
    """The receive book (``IN``) or the send book (``OUT``) of ``org`` for the days given, in number order."""
    if date_from > date_to:
        raise InputError("the date range is reversed: the first day is after the last day")
    # Days as clerks count them: in Thailand's time, not UTC.
    start = datetime.combine(date_from, time.min, tzinfo=THAI_TIME)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=THAI_TIME)
    when = LETTER.c.registered_at if direction is Direction.IN else LETTER.c.created_at
    query: Select[tuple[object, ...]] = (
        select(LETTER)
        .where(
            and_(
                LETTER.c.direction == direction.value,
                LETTER.c.registry_org == org,
                LETTER.c.registry_no.is_not(None),
                when >= start,
                when < end,
            )
        )
        .order_by(LETTER.c.registry_year, LETTER.c.registry_no)
    )
    with ctx.db.read() as conn:
        return [summary(r) for r in conn.execute(query).mappings()]


def load_file(ctx: Context, letter_id: int, position: int) -> FileData:
    """File ``position`` of a letter (0 is the main file), its bytes checked against their digest."""
    with ctx.db.read() as conn:
        row = (
            conn.execute(
                select(LETTER_FILE).where(
                    LETTER_FILE.c.letter_id == letter_id, LETTER_FILE.c.position == position
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound(f"letter {letter_id} has no file {position} (the main file is 0)")
    return FileData(name=row["name"], mime=row["mime"], content=ctx.files.get(row["sha256"]))
