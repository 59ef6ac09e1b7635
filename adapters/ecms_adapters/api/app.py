"""The gateway's HTTP application: the REST API under ``/api/v1`` and the OpenAPI document with
Swagger UI at ``/docs`` (its JS/CSS served from the gateway, no internet needed).

Other faces (``/healthz``, ``/readyz`` and ``/metrics`` from observability, web pages at ``/``) add
themselves through ``extra`` hooks, so this module knows nothing of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from ecms_adapters.api import actions, letters, mail_letters, queue, webhooks
from ecms_adapters.api.deps import API_PREFIX, Anyone
from ecms_adapters.api.errors import ErrorBody, install_error_handlers
from ecms_adapters.api.limits import BodyLimit
from ecms_gateway.letter.model import Letter
from ecms_gateway.services.context import Services

DOCS_ASSETS = "/docs/assets"
OPENAPI_URL = "/openapi.json"
SWAGGER_UI = Path(str(files("ecms_adapters.api") / "static" / "swagger-ui"))
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024

AppHook = Callable[[FastAPI], None]
"""Adds routes or mounts to the app (web pages, metrics, webhooks)."""

DESCRIPTION = """\
How an office's saraban system hands letters to the gateway and follows them: submit a letter
(format v1) with its files, read letters and their history, register / reject received letters,
withdraw and resend sent ones; operators see and redrive the queue and register webhooks.

Authenticate with an API key: `Authorization: Bearer <key>` (`ecms-gateway apikeys new NAME --role clerk`).
Errors are `{"error": ..., "code": ..., "faults": [{"where", "problem"}]}` (`code`: one stable word).
"""

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "no valid API key or session"},
    403: {"model": ErrorBody, "description": "the caller's role may not do this"},
}


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
        # Our own /docs and /openapi.json below: FastAPI's would load Swagger UI from a CDN, and
        # both are public there; here they need a key or a session like everything but health.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        responses={422: {"model": ErrorBody}},
    )
    app.state.services = services
    app.add_middleware(BodyLimit, max_bytes=max_request_bytes)
    install_error_handlers(app)
    for module in (letters, actions, queue, mail_letters, webhooks):
        app.include_router(module.router, prefix=API_PREFIX, responses=_ERRORS)
    _add_docs(app)
    for hook in extra:
        hook(app)
    _add_letter_schema(app)
    return app


def _add_docs(app: FastAPI) -> None:
    # Swagger UI's own JS/CSS are public files; the page and the document are not.
    app.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_UI), name="swagger-ui")

    @app.get(OPENAPI_URL, include_in_schema=False)
    async def openapi_document(_caller: Anyone) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def docs(_caller: Anyone) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="ecms-gateway API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )


def _add_letter_schema(app: FastAPI) -> None:
    """Put the letter format v1 (the core's model) into the document for ``LetterSubmission``: the
    submission routes read their body themselves (two content types), so FastAPI cannot."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        letter = Letter.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(letter.pop("$defs", {}))
        schemas["Letter"] = letter
        schemas["LetterSubmission"] = {
            "type": "object",
            "description": "A letter with its files as Base64, keyed by the paths the letter gives them.",
            "required": ["letter"],
            "properties": {
                "letter": {"$ref": "#/components/schemas/Letter"},
                "files": {
                    "type": "object",
                    "additionalProperties": {"type": "string", "contentEncoding": "base64"},
                },
            },
            "additionalProperties": False,
        }
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
