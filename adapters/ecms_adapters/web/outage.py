"""The pages while the database is out of reach (PostgreSQL stopped, restarting, cut off): a page in the
clerk's language saying so, that nothing already accepted is lost and to try again in a moment (503
with ``Retry-After``), instead of the API's JSON answer or an internal error. The API keeps its own."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from ecms_adapters.web.context import lang_of
from ecms_adapters.web.render import make_environment, page_response
from ecms_gateway.store.database import unreachable

log = logging.getLogger(__name__)

RETRY_AFTER_S: Final = 5  # as the API's store_unavailable: the gateway's own waits grow to 5 s
API_PATHS: Final = ("/api/",)

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


def install_outage_page(app: Starlette) -> None:
    """Answer the pages' requests that fail because the database cannot be reached with the outage page;
    every other database error, and every request under ``/api/``, goes to the handler the app had."""
    env = make_environment()
    before: Handler | None = app.exception_handlers.get(DBAPIError)

    async def handler(request: Request, exc: Exception) -> Response:
        reason = unreachable(exc)
        if reason is None or request.url.path.startswith(API_PATHS):
            if before is None:
                raise exc
            answer = before(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        log.warning(
            "%s %s answered 503: the database cannot be reached (%s)",
            request.method,
            request.url.path,
            reason,
        )
        values = {
            "lang": lang_of(request),
            "path": request.url.path,
            "title_key": "error.database.title",
            "message_key": "error.database",
            "detail": None,
        }
        response = page_response(env, "error.html", values, status=503)
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    app.add_exception_handler(DBAPIError, handler)
