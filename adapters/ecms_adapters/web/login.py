"""Log in, log out and the language switch.

The session cookie is HttpOnly and SameSite=Strict; the log-in form itself carries a one-time token
matched against a cookie of its own (there is no session yet to hold a CSRF token).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ecms_adapters.web.context import (
    SESSION_COOKIE,
    Page,
    Web,
    current_session,
    lang_asked,
    lang_of,
    set_lang,
)
from ecms_adapters.web.i18n import LANGS, translate
from ecms_adapters.web.kept_files import kept_files_of
from ecms_adapters.web.render import be_datetime, page_response
from ecms_gateway.access import Role
from ecms_gateway.errors import LockedOut, Unauthorized

LOGIN_COOKIE: Final = "ecms_login"


def safe_next(value: str | None) -> str:
    """Only a path on this site (``/x``, not ``//host`` or ``http://``) is followed after log-in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def login_page(web: Web) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        switched = lang_asked(web, request)
        if switched is not None:
            return switched
        lang = lang_of(request)
        if request.method == "POST":
            return await _attempt(web, request, lang)
        if await current_session(web, request) is not None:
            return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        return _form(web, request, lang, next_=safe_next(request.query_params.get("next")))

    return endpoint


def _form(
    web: Web, request: Request, lang: str, *, next_: str, error: str | None = None, name: str = ""
) -> Response:
    token = secrets.token_urlsafe(24)
    response = page_response(
        web.env,
        "login.html",
        {
            "lang": lang,
            "login_token": token,
            "next": next_,
            "error": error,
            "name": name,
            "path": "/login",
            "here": "/login" if next_ == "/" else f"/login?{urlencode({'next': next_})}",
        },
        status=200 if error is None else 401,
    )
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=web.secure(request), path="/login"
    )
    return response


async def _attempt(web: Web, request: Request, lang: str) -> Response:
    form = await request.form()
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    next_ = safe_next(str(form.get("next") or ""))
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, str(form.get("login_token") or "")):
        return _form(web, request, lang, next_=next_, error=translate(lang, "error.csrf"), name=name)
    remote = request.client.host if request.client else None
    try:
        new = await asyncio.to_thread(web.services.access.login, name, password, remote=remote)
    except LockedOut as exc:
        until = be_datetime(exc.until, lang) if isinstance(exc.until, datetime) else str(exc.until)
        return _form(
            web, request, lang, next_=next_, error=translate(lang, "login.locked", until=until), name=name
        )
    except Unauthorized:
        return _form(web, request, lang, next_=next_, error=translate(lang, "login.wrong"), name=name)
    target = next_ if next_ != "/" else home_of(new.principal.role)
    response = RedirectResponse(target, status_code=303)
    max_age = max(60, int((new.expires_at - datetime.now(UTC)).total_seconds()))
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=web.secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def home_of(role: Role) -> str:
    return "/dashboard" if role is Role.OPERATOR else "/received"


async def home(page: Page) -> Response:
    return RedirectResponse(home_of(page.principal.role), status_code=303)


async def logout(page: Page) -> Response:
    token = page.request.cookies.get(SESSION_COOKIE)
    if token:
        await page.run(page.services.access.logout, token)
        await page.run(kept_files_of(page.services.store).forget, token)  # no later submit can use them
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def switch_lang(web: Web) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        lang = request.query_params.get("to", "")
        response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        if lang in LANGS:
            set_lang(response, lang, secure=web.secure(request))
        return response

    return endpoint
