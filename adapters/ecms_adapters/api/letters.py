"""``/letters``: submit a letter (multipart or JSON with Base64 files, idempotent by key), list and
filter letters, read one in full, download its files."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from ecms_adapters.api.deps import Clerk, Reader, api_base, services_of
from ecms_adapters.api.errors import ApiError, ErrorBody
from ecms_adapters.api.idempotent import IdempotencyKey, submit_once
from ecms_adapters.api.schemas import MAX_ID, LetterDetailOut, LetterOut, LetterPageOut, SubmittedOut
from ecms_adapters.api.submission import Checks, package_of, read_envelope
from ecms_gateway.engine import DUE_STATES, Direction, LetterOrder, LetterQuery, LetterState
from ecms_gateway.errors import Fault
from ecms_gateway.letter.codes import Speed

router = APIRouter(tags=["letters"])

LetterId = Annotated[int, Path(ge=1, le=MAX_ID, description="the letter's id")]
ORG_PATTERN = r"^[0-9]{10}$"

SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "description": "The letter (format v1) and its files: multipart parts or Base64 in JSON.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["letter"],
                    "properties": {
                        "letter": {"type": "string", "description": "the letter JSON (format v1)"}
                    },
                    "additionalProperties": {
                        "type": "string",
                        "format": "binary",
                        "description": "one part per file, named by the path the letter JSON gives it",
                    },
                }
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/LetterSubmission"}},
        },
    }
}


@router.post(
    "/letters",
    status_code=202,
    summary="submit a letter for sending",
    response_model=SubmittedOut,
    openapi_extra=SUBMISSION_BODY,
    responses={
        200: {"model": SubmittedOut, "description": "the letter an earlier request with this key made"},
        409: {"model": ErrorBody, "description": "already queued or sent, or the key is still in use"},
        415: {"model": ErrorBody, "description": "neither multipart/form-data nor application/json"},
        422: {"model": ErrorBody, "description": "every fault of the letter, its files and the policy"},
        503: {"model": ErrorBody, "description": "the organisation directory is not loaded yet"},
    },
)
async def submit_letter(
    request: Request,
    caller: Clerk,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    services = services_of(request)
    routing = services.routing()
    envelope = await read_envelope(request)
    package = package_of(envelope, Checks(settings=services.settings, routing=routing))
    if routing is None:
        raise ApiError(
            503,
            "the organisation directory is not loaded yet, so the letter cannot be routed; retry shortly",
            headers={"Retry-After": "30"},
        )
    result = await submit_once(
        services, package, actor=caller.actor, key=idempotency_key, base=api_base(request)
    )
    return JSONResponse(
        result.body.model_dump(mode="json"),
        status_code=202 if result.created else 200,
        headers={"Location": result.body.href},
    )


def _cutoffs(request: Request) -> dict[Speed, datetime]:
    services = services_of(request)
    return services.settings.follow_up.cutoffs(services.store.clock())


@router.get("/letters", summary="list letters, filtered and paginated", response_model=LetterPageOut)
async def list_letters(
    request: Request,
    _caller: Reader,
    *,
    direction: Direction | None = None,
    state: Annotated[list[LetterState] | None, Query(description="repeat for several states")] = None,
    org: Annotated[str | None, Query(pattern=ORG_PATTERN, description="sender or receiver")] = None,
    date_from: Annotated[date | None, Query(description="letter date on or after (yyyy-mm-dd)")] = None,
    date_to: Annotated[date | None, Query(description="letter date on or before (yyyy-mm-dd)")] = None,
    q: Annotated[str | None, Query(max_length=200, description="text in the book number or subject")] = None,
    due: Annotated[
        bool,
        Query(
            description="only letters in their state longer than their speed gives ([follow_up] hours), "
            "by default those still to be registered (sent, delivered, received; name states to choose "
            "others) and the longest waiting first; with direction=out&state=sent&state=delivered, "
            "those the receiver has not registered in time"
        ),
    ] = False,
    order: Annotated[LetterOrder | None, Query(description="default: newest (waiting with due=true)")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> LetterPageOut:
    if date_from and date_to and date_from > date_to:
        raise ApiError(
            422,
            "the date range is empty",
            faults=[Fault(where="query.date_from", problem=f"{date_from} is after date_to {date_to}")],
        )
    query = LetterQuery(
        direction=direction,
        states=tuple(state or (DUE_STATES if due else ())),
        org=org,
        date_from=date_from,
        date_to=date_to,
        text=(q or "").strip() or None,
        waiting_before=_cutoffs(request) if due else None,
        order=order or (LetterOrder.WAITING if due else LetterOrder.NEWEST),
    )
    store = services_of(request).store
    page = await asyncio.to_thread(store.letters, query, offset=offset, limit=limit)
    prefix = api_base(request)
    return LetterPageOut(
        items=[LetterOut.of(s, prefix) for s in page.items], total=page.total, offset=offset, limit=limit
    )


@router.get(
    "/letters/{letter_id}",
    summary="one letter: its letter JSON, state history, attempts, receive number, files",
    response_model=LetterDetailOut,
    responses={404: {"model": ErrorBody}},
)
async def show_letter(request: Request, _caller: Reader, letter_id: LetterId) -> LetterDetailOut:
    store = services_of(request).store
    detail = await asyncio.to_thread(store.show, letter_id)
    content = await asyncio.to_thread(store.load_letter, letter_id)
    return LetterDetailOut.of(detail, content, api_base(request))


@router.get(
    "/letters/{letter_id}/files/{position}",
    summary="download a file of the letter (0 is the main file)",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the file's exact bytes"},
        404: {"model": ErrorBody},
    },
)
async def download_file(
    request: Request,
    _caller: Reader,
    letter_id: LetterId,
    position: Annotated[int, Path(ge=0, le=10000)],
) -> Response:
    data = await asyncio.to_thread(services_of(request).store.load_file, letter_id, position)
    return Response(
        content=data.content,
        media_type=data.mime,
        headers={
            "Content-Disposition": content_disposition(data.name),
            "X-Content-Type-Options": "nosniff",
        },
    )


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact (Thai) name as RFC 6266 filename*."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    return f"attachment; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(name, safe='')}"
