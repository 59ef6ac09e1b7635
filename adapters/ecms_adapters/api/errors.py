"""Every error the API answers as ``{"error": ..., "faults": [{"where", "problem"}]}``, never a
traceback: the gateway's own errors map to the status that says what the caller does next.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ecms_gateway.errors import (
    DuplicateLetter,
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

log = logging.getLogger(__name__)


class FaultBody(BaseModel):
    where: str
    problem: str


class ErrorBody(BaseModel):
    """What every error response carries."""

    error: str
    faults: list[FaultBody] = []


class ApiError(Exception):
    """An error an endpoint answers directly, with its status, message, faults and extra fields."""

    def __init__(
        self,
        status: int,
        error: str,
        *,
        faults: Sequence[Fault] = (),
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.faults = tuple(faults)
        self.extra = extra or {}
        self.headers = headers


def error_response(
    status: int,
    error: str,
    faults: Sequence[Fault] = (),
    *,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "error": error,
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
)


def status_of(exc: GatewayError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def _gateway_error(_request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, GatewayError)
    status = status_of(exc)
    if status == 500:
        log.error("request failed: %s", exc)
        return error_response(500, "the gateway could not do this; the operator finds why in its log")
    faults: Sequence[Fault] = getattr(exc, "faults", ())
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return error_response(status, str(exc), faults, headers=headers)


def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, ApiError)
    return error_response(exc.status, exc.error, exc.faults, extra=exc.extra, headers=exc.headers)


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    exc = _expect(exc, RequestValidationError)
    faults = [_fault(err) for err in exc.errors()]
    return error_response(422, "the request has faults; every one is listed", faults)


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error while answering a request", exc_info=exc)
    return error_response(500, "the gateway failed unexpectedly; the operator finds why in its log")


_E = TypeVar("_E", bound=Exception)


def _expect(exc: Exception, cls: type[_E]) -> _E:
    # Starlette types every handler as taking Exception; each is registered for one class only.
    if not isinstance(exc, cls):
        raise TypeError(f"handler for {cls.__name__} got {type(exc).__name__}") from exc
    return exc


def _fault(err: Any) -> Fault:
    loc = [str(part) for part in err.get("loc", ())]
    where = ".".join(loc) if loc else "request"
    return Fault(where=where, problem=str(err.get("msg", "is not valid")))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(GatewayError, _gateway_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
