"""``/mail-letters``: letters people typed in ordinary mail programs and sent to the saraban mailbox,
kept until a clerk confirms what was read from them (then they are received letters, registered as
any other) or dismisses them. Every action is the core's ``services/mail_letters.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.applications import Starlette

from ecms_adapters.api.deps import Clerk, api_base, services_of
from ecms_adapters.api.errors import WRONG_STATE, ApiError, ErrorBody
from ecms_adapters.api.letters import content_disposition
from ecms_adapters.api.mail_schemas import (
    ConfirmedOut,
    CorrectionsIn,
    DismissIn,
    MailLetterDetailOut,
    MailLetterListOut,
    MailLetterOut,
)
from ecms_adapters.api.schemas import MAX_ID
from ecms_gateway.access import Principal
from ecms_gateway.engine.mail_values import MailLetterState
from ecms_gateway.errors import NotFound, StoreError
from ecms_gateway.services import mail_letters
from ecms_gateway.services.context import Services
from ecms_gateway.services.mail_corrections import confirm_typed, read_typed
from ecms_gateway.services.mail_repeats import RepeatsReceivedLetter

router = APIRouter(tags=["mail letters"])
_T = TypeVar("_T")

MailLetterId = Annotated[int, Path(ge=1, le=MAX_ID, description="the mail letter's id")]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {
        "model": ErrorBody,
        "description": "no such mail letter; or no mail channel (`mail_not_configured`)",
    }
}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    **_NOT_FOUND,
    409: {"model": ErrorBody, "description": "already confirmed, dismissed or being confirmed; `state`"},
}
REPEATS_RECEIVED = "repeats_received_letter"
UNREADABLE_MAIL = "unreadable_mail"
"""409 of confirm: a letter with this book number and date was received already (``letter_id``,
``letter_href``); ``allow_repeat: true`` confirms it as another letter."""
MAIL_OFF = "mail_not_configured"
"""404 of every route here when the gateway has no ``[mail]`` section: there is no mail channel."""
MAIL_OFF_SAID = (
    "this gateway has no saraban mail channel configured, so there are no mail letters; to take "
    "letters by e-mail, an administrator adds a [mail] section to the gateway's configuration "
    "(docs/configuration.md) and restarts the gateway"
)


def mail_channel(configured: bool) -> Callable[[Starlette], None]:
    """One of ``create_app``'s ``extra`` hooks: whether the gateway has a ``[mail]`` section. Without
    it (or without this hook) every route here answers 404 ``mail_not_configured``, as the web pages
    do, instead of showing a store no mail channel fills."""

    def hook(app: Starlette) -> None:
        app.state.mail_channel = configured

    return hook


async def _mail_clerk(request: Request, caller: Clerk) -> Principal:
    """A clerk (checked first: a caller without a key learns nothing of the configuration), on a
    gateway with the mail channel."""
    if not getattr(request.app.state, "mail_channel", False):
        raise ApiError(404, MAIL_OFF_SAID, code=MAIL_OFF)
    return caller


MailClerk = Annotated[Principal, Depends(_mail_clerk)]


@router.get(
    "/mail-letters",
    summary="mail letters waiting for a clerk (or in the states asked for), oldest first",
    response_model=MailLetterListOut,
    responses={404: {"model": ErrorBody, "description": "no mail channel (`mail_not_configured`)"}},
)
async def list_mail_letters(
    request: Request,
    _caller: MailClerk,
    state: Annotated[
        list[MailLetterState] | None,
        Query(description="repeat for several states; without it, those waiting (pending, confirming)"),
    ] = None,
) -> MailLetterListOut:
    store = services_of(request).store
    if state:
        records = await asyncio.to_thread(mail_letters.mail_letters_in, store, tuple(state))
    else:
        records = await asyncio.to_thread(mail_letters.pending_mail_letters, store)
    prefix = api_base(request)
    return MailLetterListOut(items=[MailLetterOut.of(r, prefix) for r in records])


@router.get(
    "/mail-letters/{record_id}",
    summary="one mail letter: every field read, what was not found, notes, files",
    response_model=MailLetterDetailOut,
    responses=_NOT_FOUND,
)
async def show_mail_letter(
    request: Request, _caller: MailClerk, record_id: MailLetterId
) -> MailLetterDetailOut:
    record = await asyncio.to_thread(services_of(request).store.mail_letter, record_id)
    return MailLetterDetailOut.of(record, api_base(request))


@router.get(
    "/mail-letters/{record_id}/files/{position}",
    summary="download a file of the mail letter (0 is the letter itself)",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the file's exact bytes"},
        **_NOT_FOUND,
    },
)
async def download_mail_file(
    request: Request,
    _caller: MailClerk,
    record_id: MailLetterId,
    position: Annotated[int, Path(ge=0, le=10000)],
) -> Response:
    files = await asyncio.to_thread(services_of(request).store.mail_letter_files, record_id)
    if position >= len(files):
        raise ApiError(404, f"mail letter {record_id} has {len(files)} file(s); there is no file {position}")
    data = files[position]
    return Response(
        content=data.content,
        media_type=data.mime,
        headers={"Content-Disposition": content_disposition(data.name), "X-Content-Type-Options": "nosniff"},
    )


@router.post(
    "/mail-letters/{record_id}/confirm",
    status_code=201,
    summary="record the mail letter as a received letter, completing or correcting what was read",
    response_model=ConfirmedOut,
    responses={
        200: {"model": ConfirmedOut, "description": "that letter had been recorded before"},
        **_NOT_FOUND,
        409: {
            "model": ErrorBody,
            "description": "already confirmed, dismissed or being confirmed (`wrong_state`, `state`); or "
            "it repeats a received letter (`repeats_received_letter`, `letter_id`, `letter_href`)",
        },
        422: {"model": ErrorBody, "description": "every missing or wrong field, `where` naming it"},
    },
)
async def confirm(
    request: Request,
    caller: MailClerk,
    record_id: MailLetterId,
    body: Annotated[CorrectionsIn | None, Body()] = None,
) -> JSONResponse:
    services = services_of(request)
    typed = body or CorrectionsIn()
    corrections, early = read_typed(typed.model_dump(exclude={"allow_repeat"}))
    served = [org.org_id for org in services.settings.orgs]
    done = await _act(
        services,
        api_base(request),
        record_id,
        lambda: confirm_typed(
            services.store,
            record_id,
            corrections=corrections,
            early=early,
            served=served,
            actor=caller.actor,
            allow_repeat=typed.allow_repeat,
        ),
    )
    services.wake()  # the receipt goes back to the person's address by mail
    prefix = api_base(request)
    out = ConfirmedOut(
        id=record_id,
        state=done.record.state,
        letter_id=done.letter_id,
        created=done.created,
        letter_href=f"{prefix}/letters/{done.letter_id}",
        href=f"{prefix}/mail-letters/{record_id}",
    )
    return JSONResponse(
        out.model_dump(mode="json"),
        status_code=201 if done.created else 200,
        headers={"Location": out.letter_href},
    )


@router.post(
    "/mail-letters/{record_id}/dismiss",
    summary="set aside a mail that is not a letter, with the reason (nothing is sent)",
    response_model=MailLetterDetailOut,
    responses={**_CONFLICT, 422: {"model": ErrorBody, "description": "no reason given"}},
)
async def dismiss(
    request: Request, caller: MailClerk, record_id: MailLetterId, body: DismissIn
) -> MailLetterDetailOut:
    services = services_of(request)
    record = await _act(
        services,
        api_base(request),
        record_id,
        lambda: mail_letters.dismiss_mail_letter(
            services.store, record_id, reason=body.reason, actor=caller.actor
        ),
    )
    return MailLetterDetailOut.of(record, api_base(request))


async def _act(services: Services, base: str, record_id: int, action: Callable[[], _T]) -> _T:
    """Run a core action; a refusal by the record's state becomes 409 with that state."""
    try:
        return await asyncio.to_thread(action)
    except NotFound:
        raise
    except RepeatsReceivedLetter as exc:
        href = f"{base}/letters/{exc.repeat.letter.id}"
        said = (
            f"{exc.fact}; the letter received before is GET {href}; another letter: POST this confirm "
            f"again with allow_repeat true; the same letter: POST {base}/mail-letters/{record_id}/dismiss"
        )
        repeated = {"letter_id": exc.repeat.letter.id, "letter_href": href, "state": "pending"}
        raise ApiError(409, said, code=REPEATS_RECEIVED, extra=repeated) from exc
    except mail_letters.UnreadableMail as exc:
        said = f"{exc.fact}; POST {base}/mail-letters/{record_id}/dismiss with the reason once dealt with"
        why = {"state": exc.record.state.value, "unreadable": exc.record.unreadable}
        raise ApiError(409, said, code=UNREADABLE_MAIL, extra=why) from exc
    except StoreError as exc:
        record = await asyncio.to_thread(services.store.mail_letter, record_id)
        said = exc.fact  # the API's advice, not the command line's
        extra: dict[str, Any] = {"state": record.state.value}
        if record.letter_id is not None:
            href = f"{base}/letters/{record.letter_id}"
            said += f"; the letter it became is GET {href} (POST {href}/register registers it)"
            extra |= {"letter_id": record.letter_id, "letter_href": href}
        raise ApiError(409, said, code=WRONG_STATE, extra=extra) from exc
