"""Every error the API answers as ``{"error": ..., "code": ..., "faults": [{"where", "problem"}]}``,
never a traceback: the gateway's own errors map to the status that says what the caller does next,
``code`` to one stable word a program can branch on, and the sentence gives advice in the API's terms
(routes), never the command line's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from ecms_adapters.api.deps import API_PREFIX, api_base
from ecms_gateway.errors import (
    DuplicateLetter,
    DuplicateWebhook,
    Fault,
    Forbidden,
    GatewayError,
    IllegalTransition,
    InputError,
    LetterInvalid,
    NotFound,
    PolicyRefused,
    StoreError,
    Unauthorized,
)
from ecms_gateway.services.clerk import DirectoryNotReady
from ecms_gateway.store.database import unreachable

log = logging.getLogger(__name__)


class FaultBody(BaseModel):
    where: str
    problem: str


# The stable ``code`` of each status, unless the error names a more precise one (below).
CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    500: "internal",
    503: "not_ready",
}
WRONG_STATE = "wrong_state"
"""409: the letter's (mail letter's, work item's) state does not allow the action; see ``allowed``."""
DUPLICATE_LETTER = "duplicate_letter"
DUPLICATE_WEBHOOK = "duplicate_webhook"
IN_PROGRESS = "in_progress"
"""409: a request with the same Idempotency-Key is still being stored; retry after ``Retry-After``."""
KEY_REUSED = "idempotency_key_reused"
STORE_UNAVAILABLE = "store_unavailable"
"""503: the database cannot be reached (stopped, restarting); retry after ``Retry-After``."""
STORE_RETRY_AFTER_S = 5


class ErrorBody(BaseModel):
    """What every error response carries."""

    error: str = Field(description="what went wrong and what to do, in one or two sentences")
    code: str = Field(
        description="one stable word a program can branch on: bad_request, unauthorized, forbidden, "
        "not_found, method_not_allowed, conflict, wrong_state, duplicate_letter, duplicate_webhook, "
        "in_progress, too_large, unsupported_media_type, invalid, idempotency_key_reused, not_ready, "
        "store_unavailable, mail_not_configured, internal"
    )
    faults: list[FaultBody] = Field(default=[], description="every fault of the input, each naming its field")


class ApiError(Exception):
    """An error an endpoint answers directly, with its status, message, faults and extra fields."""

    def __init__(
        self,
        status: int,
        error: str,
        *,
        code: str | None = None,
        faults: Sequence[Fault] = (),
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.code = code
        self.faults = tuple(faults)
        self.extra = extra or {}
        self.headers = headers


def error_response(
    status: int,
    error: str,
    faults: Sequence[Fault] = (),
    *,
    code: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "error": error,
        "code": code or CODES.get(status, "error"),
        "faults": [{"where": f.where, "problem": f.problem} for f in faults],
        **(extra or {}),
    }
    return JSONResponse(body, status_code=status, headers=headers)


# Most specific first: the first class in an error's MRO found here decides (Starlette does the same).
_STATUS: tuple[tuple[type[GatewayError], int], ...] = (
    (Unauthorized, 401),
    (Forbidden, 403),
    (LetterInvalid, 422),
    (PolicyRefused, 422),
    (InputError, 422),
    (NotFound, 404),
    (DuplicateLetter, 409),
    (IllegalTransition, 409),
    (StoreError, 409),
    (DirectoryNotReady, 503),
)


def status_of(exc: GatewayError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


# What lists the things of each collection, for "there is no ... 7": the API's words for the advice
# the core gives in the command line's.
_LISTED_BY: dict[str, str] = {
    "letters": "GET {base}/letters lists the letters (newest first; ?q= finds a book number)",
    "webhooks": "GET {base}/webhooks lists the webhooks",
    "queue": "GET {base}/queue lists the work items (?state=dead for the dead ones)",
    "mail-letters": "GET {base}/mail-letters lists the mail letters waiting for a clerk",
}


def api_advice(request: Request, exc: GatewayError) -> str:
    """``exc``'s message with advice for an API client: the command line's hint left out and, for an
    unknown id, the route that lists what there is."""
    said = exc.fact
    if isinstance(exc, DuplicateWebhook):
        return f"{said}; to change its events, PATCH {api_base(request)}/webhooks/{exc.existing_id}"
    if isinstance(exc, NotFound):
        listed = _listed_by(request)
        return f"{said}; {listed}" if listed else said
    return said


def _listed_by(request: Request) -> str | None:
    path: str = request.url.path
    rest = path.split(API_PREFIX, 1)[1] if API_PREFIX in path else ""
    collection = rest.strip("/").split("/", 1)[0]
    template = _LISTED_BY.get(collection)
    return None if template is None else template.format(base=api_base(request))


def _code_of(exc: GatewayError) -> str | None:
    if isinstance(exc, DuplicateLetter):
        return DUPLICATE_LETTER
    if isinstance(exc, DuplicateWebhook):
        return DUPLICATE_WEBHOOK
    if isinstance(exc, IllegalTransition) or exc.fault_code == "store.redrive_not_dead":
        return WRONG_STATE
    return None


def _gateway_error(request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, GatewayError)
    status = status_of(exc)
    if status == 500:
        log.error("request failed: %s", exc)
        return error_response(500, "the gateway could not do this; the operator finds why in its log")
    faults: Sequence[Fault] = getattr(exc, "faults", ())
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "30"}
    extra = _extra_of(request, exc)
    return error_response(
        status, api_advice(request, exc), faults, code=_code_of(exc), extra=extra, headers=headers
    )


def _extra_of(request: Request, exc: GatewayError) -> dict[str, Any] | None:
    """The ids a program needs to follow up a conflict (the letter or webhook already there)."""
    if isinstance(exc, DuplicateWebhook):
        return {"webhook_id": exc.existing_id, "href": f"{api_base(request)}/webhooks/{exc.existing_id}"}
    if isinstance(exc, DuplicateLetter) and exc.fault_params.get("letter_id", "").isdigit():
        letter_id = int(exc.fault_params["letter_id"])
        return {"letter_id": letter_id, "href": f"{api_base(request)}/letters/{letter_id}"}
    return None


def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, ApiError)
    return error_response(
        exc.status, exc.error, exc.faults, code=exc.code, extra=exc.extra, headers=exc.headers
    )


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, HTTPException)
    headers = dict(exc.headers or {})
    said = str(exc.detail)  # outside /api/ (a static file) Starlette's own words stay
    in_api = _route_path(request).startswith("/api/")
    if exc.status_code == 404 and in_api:
        # No route has this path: the routes raise the gateway's NotFound for an unknown id instead.
        said = f"the API has no route {request.url.path}; /openapi.json (or /docs) lists every route"
    elif exc.status_code == 405:
        said = (
            f"{request.method} is not allowed on {request.url.path}; /openapi.json lists each route's methods"
        )
        if in_api:
            # Starlette's Allow names the methods of the first route on the path only (POST of
            # /letters, not its GET): every route on the path counts.
            headers["Allow"] = ", ".join(_methods_on(request))
    return error_response(exc.status_code, said, headers=headers)


def _route_path(request: Request) -> str:
    """The path the routes match: without the proxy's root path."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(f"{root}/") else path


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _methods_on(request: Request) -> list[str]:
    """The methods some route of the app takes on the request's path, asked of the app's own routing
    (a copy of the request's scope with each method in turn)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, RequestValidationError)
    errors = exc.errors()
    sent_as = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if sent_as and sent_as != "application/json" and any(_whole_body(err) for err in errors):
        # FastAPI reads a body of another type as text, which then "is not an object": say the cause.
        return error_response(
            415,
            f"this route takes a JSON body: send it with Content-Type: application/json (it came as "
            f"{sent_as}; curl -d sends application/x-www-form-urlencoded unless told)",
        )
    faults = [_fault(err) for err in errors]
    return error_response(422, "the request has faults; every one is listed", faults)


def _whole_body(err: Any) -> bool:
    return tuple(err.get("loc", ())) == ("body",) and err.get("type") in (
        "model_attributes_type",
        "dict_type",
    )


def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """The database out of reach (PostgreSQL stopped or restarting): 503 with ``Retry-After``, so the
    caller tries again (a letter with the same ``Idempotency-Key``); one line in the log, no traceback."""
    reason = unreachable(exc)
    if reason is None:
        return _unexpected(request, exc)
    log.warning(
        "%s %s answered 503: the database cannot be reached (%s)", request.method, request.url.path, reason
    )
    return error_response(
        503,
        "the gateway's database cannot be reached just now, so this request may not have been kept: "
        f"send it again in {STORE_RETRY_AFTER_S} s (a letter with the same Idempotency-Key, which keeps "
        "it from being taken twice)",
        code=STORE_UNAVAILABLE,
        headers={"Retry-After": str(STORE_RETRY_AFTER_S)},
    )


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error while answering a request", exc_info=exc)
    return error_response(500, "the gateway failed unexpectedly; the operator finds why in its log")


_E = TypeVar("_E", bound=Exception)


def _expect(exc: Exception, cls: type[_E]) -> _E:
    # Starlette types every handler as taking Exception; each is registered for one class only.
    if not isinstance(exc, cls):
        raise TypeError(f"handler for {cls.__name__} got {type(exc).__name__}") from exc
    return exc


_KEY_PROBLEM = (
    "is {length} characters long; use a key of 1 to 255 characters that is unique to this letter, "
    "e.g. a UUID or your system's record id, and send the same key again when you retry it"
)


def _fault(err: Any) -> Fault:
    """One of pydantic's errors as a fault: ``where`` is the field as the body names it (``reason``,
    ``events.0``; query parameters, headers and path parts keep their ``query.``, ``header.`` and
    ``path.``)."""
    loc = [str(part) for part in err.get("loc", ())]
    kind = err.get("type")
    if loc[:1] == ["body"]:
        loc = loc[1:]
    if kind == "json_invalid":
        why = err.get("ctx", {}).get("error", "")
        at = err.get("loc", ())[-1] if err.get("loc") else None
        place = f" at character {at}" if isinstance(at, int) else ""
        return Fault(where="body", problem=f"is not valid JSON ({why}{place}): send one JSON object")
    where = ".".join(loc) if loc else "body"
    ctx = err.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return Fault(where=where, problem=str(ctx["error"]))  # the core's own sentence, as it said it
    if kind == "extra_forbidden":
        return Fault(where=where, problem="is not a field of this request: check its spelling")
    if kind == "missing":
        return Fault(where=where, problem="is required")
    if loc == ["header", "Idempotency-Key"] and kind in ("string_too_long", "string_too_short"):
        return Fault(where=where, problem=_KEY_PROBLEM.format(length=len(str(err.get("input", "")))))
    return Fault(where=where, problem=str(err.get("msg", "is not valid")))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(GatewayError, _gateway_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
