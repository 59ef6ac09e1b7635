"""What every page handler gets: the gateway's services, the templates, the logged-in user, the
language and (for POST) the checked form; and the wrapper that checks session, role and CSRF token."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final
from urllib.parse import quote, urlencode

from jinja2 import Environment
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from ecms_adapters.web import flash
from ecms_adapters.web.flash import NO_FLASH, Flash
from ecms_adapters.web.i18n import LANGS, pick_lang
from ecms_adapters.web.render import page_response
from ecms_gateway.access import Principal, Role, SessionInfo
from ecms_gateway.errors import Forbidden, Unauthorized
from ecms_gateway.letter.model import NOT_IN_XML
from ecms_gateway.services.context import Services
from ecms_gateway.services.mail_letters import count_waiting

SESSION_COOKIE: Final = "ecms_session"
LANG_COOKIE: Final = "ecms_lang"
PAGE_ROLES_ATTR: Final = "ecms_page_roles"
"""Set on every ``page`` endpoint: the roles it admits (admin always may), read by the security test."""
MAX_UPLOAD_BYTES: Final = 25 * 1024 * 1024
"""The largest single file a clerk may attach; the page that takes files refuses a larger one itself
(the form parser's limits bound typed fields only; ``web/uploads.py`` also bounds a letter's total)."""
MAX_FIELD_BYTES: Final = 1024 * 1024
"""The largest typed field of a form (a reason, a description): far above what anyone types."""


@dataclass(frozen=True, kw_only=True)
class CertStatus:
    """A signing certificate the dashboard lists with its days to expiry."""

    org_id: str
    subject: str
    not_after: date
    days_left: int
    file_not_after: date | None = None
    """Set when the configured file now holds another certificate than the one the gateway signs
    with (it loads its key at start): that one's end; a restart makes the gateway use it."""
    file_problem: str | None = None
    """Set when the configured file cannot be read now (the gateway still signs with what it loaded)."""
    none_in_use: bool = False
    """No certificate signs for this organisation: its file cannot be read and none was loaded
    (``subject``, ``not_after`` and ``days_left`` then mean nothing)."""


@dataclass(frozen=True, kw_only=True)
class Web:
    """The pages' shared parts, built once by ``install_web``."""

    services: Services
    env: Environment
    certificates: Callable[[], Sequence[CertStatus]] = field(default=lambda: ())
    secure_cookies: bool = False  # set Secure on every cookie, whatever the request came over
    mail: bool = False  # the saraban mail channel is configured ([mail]): its letters' pages are shown

    def secure(self, request: Request) -> bool:
        """Cookies are Secure on a request that came over HTTPS: to the gateway itself, or to the TLS
        proxy in front of it (its X-Forwarded-Proto, believed from ``http.forwarded_allow_ips``)."""
        return self.secure_cookies or request.url.scheme == "https"


@dataclass(frozen=True, kw_only=True)
class Page:
    """One request to a page, after the session, role and CSRF checks."""

    request: Request
    web: Web
    session: SessionInfo
    lang: str
    form: FormData | None
    badges: Mapping[str, int] = field(default_factory=dict)  # menu path -> count shown beside it
    flash: Flash = NO_FLASH  # what the POST that led here did or why it was refused (``flash``)

    @property
    def principal(self) -> Principal:
        return self.session.principal

    @property
    def services(self) -> Services:
        return self.web.services

    def render(self, template: str, *, status: int = 200, **values: Any) -> Response:
        return page_response(self.web.env, template, self.base(**values), status=status)

    def redirect(self, url: str, *, note: str | None = None, problem: str | None = None) -> RedirectResponse:
        """303 to ``url`` (a path of these pages), which then shows ``note`` or ``problem`` once."""
        return flash.redirect_with(
            url, key=self.session.csrf_token, secure=self.web.secure(self.request), note=note, problem=problem
        )

    def base(self, **values: Any) -> dict[str, Any]:
        return {
            "note": self.flash.note,
            "problem": self.flash.problem,
            "lang": self.lang,
            "user": self.principal,
            "csrf": self.session.csrf_token,
            "nav": navigation(self.principal, mail=self.web.mail),
            "badges": self.badges,
            "path": self.request.url.path,
            "here": here(self.request),
            "org_name": self.org_name,
            **values,
        }

    def org_name(self, org_id: str) -> str:
        """The organisation's name from the directory (Thai, or English on English pages), else its id."""
        from ecms_adapters.web.directory import lookup  # noqa: PLC0415 - directory imports this module

        org = lookup(self.services.routing(), org_id)
        if org is None:
            return org_id
        return (org.en_name or org.th_name) if self.lang == "en" else org.th_name

    @property
    def posted(self) -> FormData:
        """The POSTed form (the wrapper parsed and checked it)."""
        if self.form is None:
            raise RuntimeError("this page handles POST only")
        return self.form

    def field(self, name: str) -> str:
        """A typed field, trimmed; invisible control characters (a word processor's line break pasted
        in, say), which the clerk cannot see and a letter cannot carry, become spaces."""
        value = self.form.get(name) if self.form is not None else None
        return NOT_IN_XML.sub(" ", value).strip() if isinstance(value, str) else ""

    async def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call the synchronous store or services in a worker thread."""
        return await asyncio.to_thread(func, *args, **kwargs)


Handler = Callable[[Page], Awaitable[Response]]

CLERK_ROLES: Final = (Role.CLERK,)
OPERATOR_ROLES: Final = (Role.OPERATOR,)
READ_LETTER_ROLES: Final = (Role.CLERK, Role.OPERATOR)


def navigation(principal: Principal, *, mail: bool) -> list[tuple[str, str]]:
    """(path, catalogue key) of the menu entries this role may use; the mail letters' only when the
    saraban mail channel is configured (``mail``)."""
    entries: list[tuple[str, str]] = []
    if principal.allows(Role.CLERK):
        entries += [
            ("/compose", "nav.compose"),
            ("/sent", "nav.sent"),
            ("/received", "nav.received"),
            ("/registry", "nav.registry"),
        ]
        if mail:
            entries.append((MAIL_LETTERS, "nav.mail_letters"))
    if principal.allows(Role.OPERATOR):
        entries += [("/dashboard", "nav.dashboard"), ("/audit", "nav.audit")]
    return entries


MAIL_LETTERS: Final = "/mail-letters"


def badges(services: Services, principal: Principal, *, mail: bool) -> dict[str, int]:
    """The counts beside menu entries: the mail letters waiting for a clerk."""
    if not mail or not principal.allows(Role.CLERK):
        return {}
    return {MAIL_LETTERS: count_waiting(services.store)}


def lang_of(request: Request) -> str:
    return pick_lang(request.cookies.get(LANG_COOKIE))


def here(request: Request) -> str:
    """This page's address to come back to after switching language: a GET's path with its query
    (the list's filter, the registry book's period), a POST's path (its form is not sent again)."""
    if request.method not in {"GET", "HEAD"} or not request.url.query:
        return request.url.path
    return f"{request.url.path}?{request.url.query}"


def set_lang(response: Response, lang: str, *, secure: bool) -> None:
    """Remember the page language for a year (``/lang?to=`` and ``?lang=`` on any page)."""
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict", secure=secure, path="/")


def lang_asked(web: Web, request: Request) -> Response | None:
    """``?lang=en`` (or ``th``) on any page's address, signed in or not: the choice is remembered as the
    switch at the top remembers it, and the same address without it is shown (a bookmark or a link
    with it then switches every page, not only the one it names). An unknown language is dropped."""
    asked = request.query_params.get("lang")
    if asked is None or request.method not in {"GET", "HEAD"}:
        return None
    rest = [(name, value) for name, value in request.query_params.multi_items() if name != "lang"]
    response = RedirectResponse(request.url.path + (f"?{urlencode(rest)}" if rest else ""), status_code=303)
    if asked in LANGS:
        set_lang(response, asked, secure=web.secure(request))
    return response


async def current_session(web: Web, request: Request) -> SessionInfo | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        info: SessionInfo = await asyncio.to_thread(web.services.access.session, token)
    except Unauthorized:
        return None
    return info


def page(web: Web, handler: Handler, roles: Sequence[Role]) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint: log-in page when there is no session, 403 for a role that may not use the
    page, 403 for a POST whose CSRF token is not the session's."""

    async def endpoint(request: Request) -> Response:
        switched = lang_asked(web, request)
        if switched is not None:
            return switched
        lang = lang_of(request)
        session = await current_session(web, request)
        if session is None:
            return _sign_in_first(request)
        form = None
        if request.method == "POST":
            form = await request.form(max_files=50, max_fields=200, max_part_size=MAX_FIELD_BYTES)
        try:
            return await _checked(web, handler, roles, request, session, lang, form)
        finally:
            if form is not None:
                await form.close()

    setattr(endpoint, PAGE_ROLES_ATTR, frozenset(roles) | {Role.ADMIN})
    return endpoint


def _sign_in_first(request: Request) -> Response:
    """A browser goes to the log-in page and comes back; a script or a program (no ``text/html`` in
    ``Accept``: the receiver picker's search, curl) is told 401 instead of being handed a page."""
    if "text/html" in request.headers.get("accept", ""):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return PlainTextResponse(
        "not signed in: sign in to the web pages at /login first (office systems use the REST API at "
        "/api/v1 with an API key)\n",
        status_code=401,
    )


async def _checked(  # noqa: PLR0917 - the endpoint's parts, passed on once
    web: Web,
    handler: Handler,
    roles: Sequence[Role],
    request: Request,
    session: SessionInfo,
    lang: str,
    form: FormData | None,
) -> Response:
    if form is not None:
        submitted = form.get("csrf")
        try:
            web.services.access.check_csrf(session, submitted if isinstance(submitted, str) else None)
        except Forbidden:
            return _refused(web, request, session, lang, "error.csrf")
    if not session.principal.allows(*roles):
        return _refused(web, request, session, lang, "error.forbidden")
    counts = await asyncio.to_thread(badges, web.services, session.principal, mail=web.mail)
    message = flash.read(request, key=session.csrf_token)
    response = await handler(
        Page(request=request, web=web, session=session, lang=lang, form=form, badges=counts, flash=message)
    )
    if message and not 300 <= response.status_code < 400:
        flash.shown(response, secure=web.secure(request))
    return response


def _refused(web: Web, request: Request, session: SessionInfo, lang: str, key: str) -> Response:
    refused = Page(request=request, web=web, session=session, lang=lang, form=None)
    return refused.render("error.html", status=403, message_key=key)
