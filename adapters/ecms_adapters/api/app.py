"""The gateway's HTTP application: the REST API under ``/api/v1``, health checks, and the OpenAPI
document with Swagger UI at ``/docs`` (its JS/CSS served from the gateway, no internet needed).

Other faces (web pages at ``/``, ``/metrics``, webhook routes) add themselves through ``extra``
hooks, so this module knows nothing of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ecms_adapters.api import actions, health, letters, queue
from ecms_adapters.api.errors import ErrorBody, install_error_handlers
from ecms_adapters.api.limits import BodyLimit
from ecms_gateway.services.context import Services

API_PREFIX = "/api/v1"
DOCS_ASSETS = "/docs/assets"
SWAGGER_UI = Path(str(files("ecms_adapters.api") / "static" / "swagger-ui"))

AppHook = Callable[[FastAPI], None]
"""Adds routes or mounts to the app (web pages, metrics, webhooks)."""

DESCRIPTION = """\
How an office's saraban system hands letters to the gateway and follows them: submit a letter
(format v1) with its files, read letters and their history, register / reject received letters,
withdraw and resend sent ones; operators see and redrive the queue.

Authenticate with an API key: `Authorization: Bearer <key>` (`ecms-gateway apikeys new NAME --role clerk`).
Errors are `{"error": ..., "faults": [{"where", "problem"}]}`.
"""


DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024


def create_app(
    services: Services,
    *,
    extra: Sequence[AppHook] = (),
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
) -> FastAPI:
    """The app serving ``services``; each ``extra`` hook then adds its own routes or mounts."""
    app = FastAPI(
        title="ecms-gateway",
        version="1",
        description=DESCRIPTION,
        docs_url=None,  # our own /docs below: FastAPI's would load Swagger UI from a CDN
        redoc_url=None,
        responses={422: {"model": ErrorBody}},
    )
    app.state.services = services
    app.add_middleware(BodyLimit, max_bytes=max_request_bytes)
    install_error_handlers(app)
    app.include_router(health.router)
    for module in (letters, actions, queue):
        app.include_router(module.router, prefix=API_PREFIX, responses=_ERRORS)
    _add_docs(app)
    for hook in extra:
        hook(app)
    return app


_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "no valid API key or session"},
    403: {"model": ErrorBody, "description": "the caller's role may not do this"},
}


def _add_docs(app: FastAPI) -> None:
    app.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_UI), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="ecms-gateway API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )
