"""What a POST did or why it was refused, shown once on the page it redirects to.

The message travels in a cookie, never in the page's address: text taken from the URL would let
anyone send a clerk a link to a genuine gateway page that says whatever the link's author wrote ("the
system is moving, send letters to ..."). The cookie is HttpOnly, SameSite=Strict and lives a minute;
it names the one page it is for and carries an HMAC keyed with the session's CSRF token, so a cookie
that the gateway did not set for this session (one planted from a neighbouring host of the same site,
say) is never shown. The page that shows it clears it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

FLASH_COOKIE: Final = "ecms_flash"
_LIFETIME_S: Final = 60


@dataclass(frozen=True)
class Flash:
    """The message for this page: what was done, or what was refused."""

    note: str | None = None
    problem: str | None = None

    def __bool__(self) -> bool:
        return self.note is not None or self.problem is not None


NO_FLASH: Final = Flash()


def _mac(key: str, payload: str) -> str:
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()


def redirect_with(
    url: str, *, key: str, secure: bool, note: str | None = None, problem: str | None = None
) -> RedirectResponse:
    """303 to ``url`` (a path on this site) carrying the message for that page, signed with ``key``."""
    response = RedirectResponse(url, status_code=303)
    if note is None and problem is None:
        return response
    message = {"to": urlsplit(url).path, "note": note, "problem": problem}
    # URL-safe Base64 without padding: every character is one a cookie value may hold unquoted.
    payload = base64.urlsafe_b64encode(json.dumps(message, ensure_ascii=False).encode()).decode().rstrip("=")
    response.set_cookie(
        FLASH_COOKIE,
        f"{payload}.{_mac(key, payload)}",
        max_age=_LIFETIME_S,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    return response


def read(request: Request, *, key: str) -> Flash:
    """The message this session was given for this page; none when the cookie is missing, for another
    page, altered, or not this session's."""
    value = request.cookies.get(FLASH_COOKIE)
    if not value or "." not in value:
        return NO_FLASH
    payload, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(key, payload)):
        return NO_FLASH
    try:
        message = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return NO_FLASH
    if not isinstance(message, dict) or message.get("to") != request.url.path:
        return NO_FLASH
    note, problem = message.get("note"), message.get("problem")
    return Flash(
        note=note if isinstance(note, str) else None,
        problem=problem if isinstance(problem, str) else None,
    )


def shown(response: Response, *, secure: bool) -> Response:
    """``response`` clearing the message it showed."""
    response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="strict", secure=secure)
    return response
