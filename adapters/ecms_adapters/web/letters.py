"""Sent and received letters: the lists (received ones most urgent first; sent ones to follow up, the
longest waiting first, marked when the receiver has had longer than their speed gives), one letter
with its files, preview and timeline, and the clerk's actions, each through the one ``Services`` method."""

from __future__ import annotations

from datetime import datetime
from typing import Final
from urllib.parse import quote, urlencode

from starlette.responses import Response

from ecms_adapters.web.context import CLERK_ROLES, Page
from ecms_adapters.web.fault_text import error_text
from ecms_adapters.web.i18n import translate
from ecms_adapters.web.timeline import timeline
from ecms_gateway.engine import Direction, Event, LetterOrder, LetterQuery, LetterState, SignatureMark
from ecms_gateway.engine.events import resent_as
from ecms_gateway.engine.states import allowed_events
from ecms_gateway.errors import GatewayError, InputError, NotFound
from ecms_gateway.letter.model import FileData
from ecms_gateway.services.context import Services

PAGE_SIZE: Final = 25
_OPEN_IN: Final = (LetterState.RECEIVED,)
_WITH_RECEIVER: Final = (LetterState.SENT, LetterState.DELIVERED)  # theirs to register; ours to follow up
FOLLOW: Final = "follow"
_SHOWS: Final = {
    Direction.IN: {"open": _OPEN_IN, "all": ()},
    Direction.OUT: {
        "all": (),
        FOLLOW: _WITH_RECEIVER,
        "attention": (LetterState.REJECTED, LetterState.INVALID, LetterState.FAILED),
        "moving": (LetterState.QUEUED, LetterState.SENDING, LetterState.SENT, LetterState.DELIVERED),
    },
}


async def received(page: Page) -> Response:
    return await _list(page, Direction.IN, default_show="open")


async def sent(page: Page) -> Response:
    return await _list(page, Direction.OUT, default_show="all")


async def _list(page: Page, direction: Direction, *, default_show: str) -> Response:
    params = page.request.query_params
    show = params.get("show", default_show)
    states = _SHOWS[direction].get(show, ())
    text = params.get("q", "").strip()
    number = max(1, _int(params.get("page"), 1))
    following = direction is Direction.OUT and show == FOLLOW
    order = LetterOrder.URGENT if direction is Direction.IN else LetterOrder.NEWEST
    query = LetterQuery(
        direction=direction,
        states=states,
        text=text or None,
        order=LetterOrder.WAITING if following else order,
    )
    result = await page.run(
        page.services.store.letters, query, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    now = page.services.store.clock()
    policy = page.services.settings.follow_up
    due = await page.run(due_for_follow_up, page.services, now) if direction is Direction.OUT else 0
    pages = max(1, -(-result.total // PAGE_SIZE))

    def link(n: int) -> str:
        return "?" + urlencode({"show": show, "q": text, "page": n})

    return page.render(
        "letters.html",
        direction=direction.value,
        letters=result.items,
        total=result.total,
        show=show,
        shows=list(_SHOWS[direction]),
        q=text,
        page_no=number,
        pages=pages,
        prev_link=link(number - 1) if number > 1 else None,
        next_link=link(number + 1) if number < pages else None,
        following=following,
        due_count=due,
        due={x.id for x in result.items if following and policy.is_due(x.speed, x.updated_at, now)},
        now=now,
    )


def due_for_follow_up(services: Services, now: datetime) -> int:
    """How many letters we sent the receiver has not registered in the time their speed gives."""
    query = LetterQuery(
        direction=Direction.OUT,
        states=_WITH_RECEIVER,
        waiting_before=services.settings.follow_up.cutoffs(now),
    )
    return services.store.letters(query, limit=1).total


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


async def detail(page: Page) -> Response:
    letter_id = int(page.request.path_params["letter_id"])
    try:
        found = await page.run(page.services.store.show, letter_id)
    except NotFound:
        return page.render("error.html", status=404, message_key="error.notfound")
    letter = found.letter
    events = set(allowed_events(letter.direction, letter.state))
    resent = resent_as(found.history)  # a withdrawn letter goes out again once
    clerk = page.principal.allows(*CLERK_ROLES)
    return page.render(
        "letter.html",
        letter=letter,
        files=found.files,
        steps=timeline(found, page.lang),
        can_register=clerk and Event.REGISTER in events,
        can_reject=clerk and Event.REJECT in events,
        can_invalid=clerk and Event.MARK_INVALID in events,
        can_withdraw=clerk and Event.WITHDRAW in events,
        can_resend=clerk and letter.state is LetterState.WITHDRAWN and resent is None,
        resent_as=resent,
        # The receiver gave a receive number: the sender may tell it that the number is wrong.
        can_report_accept_id=clerk and letter.direction is Direction.OUT and bool(letter.accept_id),
        unsigned=letter.signature is SignatureMark.UNSIGNED_ACCEPTED,
        pdf_preview=bool(found.files) and found.files[0][1] == "application/pdf",
    )


async def file(page: Page) -> Response:
    letter_id = int(page.request.path_params["letter_id"])
    position = int(page.request.path_params["position"])
    try:
        data = await page.run(page.services.store.load_file, letter_id, position)
    except (NotFound, IndexError):
        return page.render("error.html", status=404, message_key="error.notfound")
    return file_response(page, data)


def file_response(page: Page, data: FileData) -> Response:
    """A letter's file: PDFs shown in the page's preview frame (inline), others downloaded."""
    inline = data.mime == "application/pdf" and page.request.query_params.get("download") is None
    disposition = "inline" if inline else "attachment"
    return Response(
        data.content,
        media_type=data.mime,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(data.name)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "frame-ancestors 'self'",
            "Cache-Control": "private, no-store",
        },
    )


async def act(page: Page) -> Response:
    """POST /letters/{id}/{action}: register, reject, invalid, withdraw, resend, invalid-accept-id."""
    letter_id = int(page.request.path_params["letter_id"])
    action = page.request.path_params["action"]
    services, actor = page.services, page.principal.actor
    reason = page.field("reason")
    try:
        if action == "register":
            number = await page.run(services.register, letter_id, actor=actor)
            note = translate(page.lang, "letter.done_register", n=number)
        elif action in ("reject", "invalid"):
            if not reason:
                raise InputError(translate(page.lang, "letter.reason_needed"))
            method = services.reject if action == "reject" else services.mark_invalid
            await page.run(method, letter_id, reason=reason, actor=actor)
            note = translate(page.lang, f"letter.done_{action}")
        elif action == "withdraw":
            await page.run(services.withdraw, letter_id, actor=actor, reason=reason or None)
            note = translate(page.lang, "letter.done_withdraw")
        elif action == "invalid-accept-id":
            if not reason:
                raise InputError(translate(page.lang, "letter.accept_id_reason_needed"))
            report = await page.run(services.report_wrong_accept_id, letter_id, reason=reason, actor=actor)
            note = translate(page.lang, "letter.accept_id_reported", n=report.accept_id)
        elif action == "resend":
            submitted = await page.run(services.resend, letter_id, actor=actor)
            note = translate(page.lang, "letter.done_resend")
            return page.redirect(f"/letters/{submitted.letter_id}", note=note)
        else:
            return page.render("error.html", status=404, message_key="error.notfound")
    except NotFound:
        return page.render("error.html", status=404, message_key="error.notfound")
    except GatewayError as exc:
        return page.redirect(f"/letters/{letter_id}", problem=error_text(page.lang, exc))
    return page.redirect(f"/letters/{letter_id}", note=note)
