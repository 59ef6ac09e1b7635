"""Jinja2 templates, the filters the pages share (Buddhist Era dates, Bangkok time) and the security
headers every page carries (a strict Content-Security-Policy: no inline script or style anywhere)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response

from ecms_adapters.web.i18n import translate, translate_value
from ecms_gateway.letter.thai import MONTHS_SHORT, THAI_TIME, be_year

HERE: Final = Path(__file__).parent
_EN_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def be_date(value: date | datetime | None, lang: str = "th") -> str:
    """``20 พ.ย. 2569`` / ``20 Nov 2569 BE``: Buddhist Era years in both languages."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(THAI_TIME).date()
    months = MONTHS_SHORT if lang == "th" else _EN_MONTHS
    suffix = "" if lang == "th" else " BE"
    return f"{value.day} {months[value.month - 1]} {be_year(value.year)}{suffix}"


def clerk_date(value: date | None) -> str:
    """``1/11/2569``: day/month/Buddhist Era year, as Thai clerks write a date and the date boxes take
    it back (``letter.dates.parse_clerk_date``); the same in both languages."""
    return "" if value is None else f"{value.day}/{value.month}/{be_year(value.year)}"


def be_year_text(year: int, lang: str = "th") -> str:
    """A registry year (stored in the Christian Era) as people write it: ``2569`` / ``2569 BE``."""
    return f"{be_year(year)}" if lang == "th" else f"{be_year(year)} BE"


def be_datetime(value: datetime | None, lang: str = "th") -> str:
    """The date in Buddhist Era and the time in Bangkok (the offices' clock)."""
    if value is None:
        return "–"
    local = value.astimezone(THAI_TIME)
    return f"{be_date(local.date(), lang)} {local:%H:%M}"


def age(value: datetime | None, now: datetime, lang: str = "th") -> str:
    """How old ``value`` is, for an operator: ``3 ชม. 5 นาที`` / ``40 วินาที`` (``3 h 5 min`` / ``40 s``)."""
    if value is None:
        return "–"
    d, h, m, s = ("วัน", "ชม.", "นาที", "วินาที") if lang == "th" else ("d", "h", "min", "s")
    seconds = max(0, int((now - value).total_seconds()))
    if seconds < 60:
        return f"{seconds} {s}"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} {m}"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} {h} {minutes} {m}"
    return f"{hours // 24} {d} {hours % 24} {h}"


def waited(value: datetime, now: datetime, lang: str = "th") -> str:
    """How long since ``value``, for a clerk: ``2 วัน 3 ชม.`` / ``5 ชม. 10 นาที`` / ``12 นาที``."""
    minutes = max(0, int((now - value).total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    units = ("วัน", "ชม.", "นาที") if lang == "th" else ("d", "h", "min")
    if days:
        return f"{days} {units[0]} {hours} {units[1]}"
    if hours:
        return f"{hours} {units[1]} {minutes} {units[2]}"
    return f"{minutes} {units[2]}"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["age"] = age
    env.filters["waited"] = waited
    return env


def page_response(
    env: Environment, template: str, context: Mapping[str, Any], *, status: int = 200
) -> Response:
    lang = str(context.get("lang", "th"))
    values: dict[str, Any] = {
        **context,
        "t": partial(translate, lang),
        "d": partial(be_date, lang=lang),
        "dt": partial(be_datetime, lang=lang),
        "y": partial(be_year_text, lang=lang),
        "cd": clerk_date,
        "tv": partial(translate_value, lang),
    }
    html = env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


Translator = Callable[..., str]
