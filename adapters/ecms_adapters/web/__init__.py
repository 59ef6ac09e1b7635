"""Web pages for registry clerks and operators, Thai first: ``install_web(app, services)`` adds them to
the gateway's HTTP app at ``/`` (the API stays under ``/api/v1``); every action goes through the one
``Services`` object, the same code the API and the command line use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from ecms_adapters.web import compose, directory, evidence, letters, login, mail_letters, operator, registry
from ecms_adapters.web.context import (
    CLERK_ROLES,
    OPERATOR_ROLES,
    READ_LETTER_ROLES,
    CertStatus,
    Handler,
    Page,
    Web,
    page,
)
from ecms_adapters.web.render import HERE, make_environment
from ecms_gateway.access import Role
from ecms_gateway.services.context import Services

__all__ = ["CertStatus", "install_web", "web_hook", "web_routes"]


class RowIdConvertor(Convertor[int]):
    """A record's id in a page's path: at most 18 digits, so a longer number (past any a database
    holds) is no page, 404, instead of failing in the database driver with a 500."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("rowid", RowIdConvertor())

ALL_ROLES = (Role.CLERK, Role.OPERATOR)


def web_routes(web: Web) -> list[BaseRoute]:
    def p(path: str, handler: Handler, roles: Sequence[Role], methods: Sequence[str] = ("GET",)) -> Route:
        return Route(path, page(web, handler, roles), methods=list(methods))

    return [
        Route("/login", login.login_page(web), methods=["GET", "POST"]),
        Route("/lang", login.switch_lang(web), methods=["GET"]),
        p("/", login.home, ALL_ROLES),
        p("/logout", login.logout, ALL_ROLES, ["POST"]),
        p("/compose", compose.compose, CLERK_ROLES, ["GET", "POST"]),
        p("/orgs", directory.orgs, CLERK_ROLES),
        p("/sent", letters.sent, CLERK_ROLES),
        p("/received", letters.received, CLERK_ROLES),
        p("/letters/{letter_id:rowid}", letters.detail, READ_LETTER_ROLES),
        p("/letters/{letter_id:rowid}/files/{position:rowid}", letters.file, READ_LETTER_ROLES),
        p("/letters/{letter_id:rowid}/evidence.zip", evidence.download, OPERATOR_ROLES),
        p("/letters/{letter_id:rowid}/{action:str}", letters.act, CLERK_ROLES, ["POST"]),
        p("/registry", registry.screen, CLERK_ROLES),
        p("/registry.csv", registry.as_csv, CLERK_ROLES),
        p("/registry.pdf", registry.as_pdf, CLERK_ROLES),
        p("/dashboard", operator.dashboard, OPERATOR_ROLES),
        p("/dashboard/redrive", operator.redrive, OPERATOR_ROLES, ["POST"]),
        p("/audit", operator.audit, OPERATOR_ROLES, ["GET", "POST"]),
        *mail_letters.routes(web),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="web-static"),
        _Fallback("/{path:path}", _no_such_page(web), methods=["GET"]),  # last: what nothing else matched
    ]


async def _not_found(page: Page) -> Response:
    return page.render("error.html", status=404, message_key="error.notfound")


def _no_such_page(web: Web) -> Callable[[Request], Awaitable[Response]]:
    """An address no page has (a mistyped or outdated link, ``/letters/abc``): the pages' own "no such
    page" in the clerk's language, after signing in like any page."""
    return page(web, _not_found, ALL_ROLES)


class _Fallback(Route):
    """Matches every path but the API's and the static files': those keep their JSON 404 and 405
    (a method the path does not take), which programs read."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if str(scope.get("path", "")).startswith(("/api/", "/static/")):
            return Match.NONE, {}
        return super().matches(scope)


def install_web(
    app: Starlette,
    services: Services,
    *,
    mail: bool,
    certificates: Callable[[], Sequence[CertStatus]] | None = None,
    secure_cookies: bool = False,
) -> None:
    """Add the pages to ``app`` (a FastAPI or Starlette application) after its own routes; their last
    route answers every other GET outside ``/api/`` and ``/static/``, so nothing may be added after.
    ``mail``: the saraban mail channel is configured; without it the mail letters' pages say so."""
    web = Web(
        services=services,
        env=make_environment(),
        certificates=certificates or (lambda: ()),
        secure_cookies=secure_cookies,
        mail=mail,
    )
    app.router.routes.extend(web_routes(web))


def web_hook(
    services: Services, *, mail: bool, certificates: Callable[[], Sequence[CertStatus]] | None = None
) -> Callable[[Starlette], None]:
    """``install_web`` as one of ``create_app``'s ``extra`` hooks."""

    def hook(app: Starlette) -> None:
        install_web(app, services, mail=mail, certificates=certificates)

    return hook
