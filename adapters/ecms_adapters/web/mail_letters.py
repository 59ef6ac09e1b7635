"""Letters people sent by mail, for a clerk to confirm: the waiting list (newest first, with what is
missing), one mail with its PDF and header beside a form pre-filled with what was read, every fault
next to its field at once; confirm leads to the new received letter (register it there), dismiss
needs a reason. A mail the gateway could not take in (no file, a broken one, too large) is in the same
list with why, its text and the mail itself to download, and can only be dismissed. Every action is
the core's ``services/mail_letters.py``, as the API's and CLI's are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ecms_adapters.web.context import CLERK_ROLES, Handler, Page, Web, page
from ecms_adapters.web.directory import choices
from ecms_adapters.web.fault_text import error_text, fault_text
from ecms_adapters.web.i18n import translate
from ecms_adapters.web.letters import file_response
from ecms_gateway.engine import Store
from ecms_gateway.engine.mail_letters import OPEN_STATES
from ecms_gateway.engine.mail_values import UNREADABLE, MailLetterFields, MailLetterState, MailLetterView
from ecms_gateway.errors import Fault, GatewayError, InputError, LetterInvalid, NotFound
from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.letter.model import FileData
from ecms_gateway.letter.thai import format_thai_date
from ecms_gateway.services import mail_letters
from ecms_gateway.services.mail_corrections import FIELD_NAMES, blank_required, confirm_typed, read_typed
from ecms_gateway.services.mail_letters import MailText, mail_texts
from ecms_gateway.services.mail_repeats import Repeat, RepeatsReceivedLetter, repeated_letter

BASE: Final = "/mail-letters"
FIELD_KEYS: Final = {
    "book_no": "f.book_no",
    "letter_date": "f.date",
    "subject": "f.subject",
    "sender_org": "f.sender",
    "receiver_org": "mail.receiver",
    "speed": "f.speed",
    "secrecy": "f.secrecy",
    UNREADABLE: "mail.unreadable",
}
"""The catalogue key of each field's label (the core's field names)."""
Faults = dict[str, list[str]]


def routes(web: Web) -> list[BaseRoute]:
    """The pages under ``/mail-letters``, each behind the session, clerk-role and CSRF checks."""
    return [
        Route(BASE, _mail_page(web, waiting), methods=["GET"]),
        Route(BASE + "/{record_id:rowid}", _mail_page(web, detail), methods=["GET"]),
        Route(BASE + "/{record_id:rowid}/files/{position:rowid}", _mail_page(web, file), methods=["GET"]),
        Route(BASE + "/{record_id:rowid}/mail.eml", _mail_page(web, original), methods=["GET"]),
        Route(BASE + "/{record_id:rowid}/confirm", _mail_page(web, confirm), methods=["POST"]),
        Route(BASE + "/{record_id:rowid}/dismiss", _mail_page(web, dismiss), methods=["POST"]),
    ]


def _mail_page(web: Web, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A clerk's page that needs the saraban mail channel: without ``[mail]`` it says the channel is
    not configured (a bookmark or an old link may still lead here)."""

    async def unless_mail_is_off(page: Page) -> Response:
        if not page.web.mail:
            return page.render("error.html", status=404, title_key="mail.off.title", message_key="mail.off")
        return await handler(page)

    return page(web, unless_mail_is_off, CLERK_ROLES)


async def waiting(page: Page) -> Response:
    records = await page.run(
        mail_letters.mail_letters_in, page.services.store, OPEN_STATES, newest_first=True
    )
    served = [org.org_id for org in page.services.settings.orgs]
    repeats = await page.run(_repeats, page.services.store, records, served)
    return page.render("mail_letters.html", records=records, field_keys=FIELD_KEYS, repeats=repeats)


def _repeats(store: Store, records: list[MailLetterView], served: list[str]) -> dict[int, Repeat]:
    """The waiting mails that repeat a letter already received, flagged in the list the clerk opens
    first, by the rule confirming applies."""
    found = {record.id: repeated_letter(store, record, record.fields, served=served) for record in records}
    return {record_id: repeat for record_id, repeat in found.items() if repeat is not None}


async def detail(page: Page) -> Response:
    record = await _record(page)
    if record is None:
        return page.render("error.html", status=404, message_key="error.notfound")
    duplicate = await _duplicate_of(page, record, record.fields)
    texts = await page.run(mail_texts, page.services.store, record)
    return _show(page, record, values=values_of(record), faults={}, duplicate=duplicate, texts=texts)


async def confirm(page: Page) -> Response:
    record_id = int(page.request.path_params["record_id"])
    typed = {name: page.field(name) for name in FIELD_NAMES}
    corrections, early = read_typed(typed)
    early += blank_required(typed)
    served = [org.org_id for org in page.services.settings.orgs]
    allow_repeat = bool(page.field("not_duplicate"))  # the clerk said it is another letter
    if not allow_repeat:  # said before the form's other faults, as the service says it
        refused = await _refused_as_repeat(page, typed, corrections)
        if refused is not None:
            return refused
    try:
        done = await page.run(
            confirm_typed,
            page.services.store,
            record_id,
            corrections=corrections,
            early=early,
            served=served,
            actor=page.principal.actor,
            allow_repeat=allow_repeat,
        )
    except NotFound:
        return page.render("error.html", status=404, message_key="error.notfound")
    except RepeatsReceivedLetter as exc:  # received meanwhile
        record = await page.run(page.services.store.mail_letter, record_id)
        return _repeat_refused(page, record, typed, exc.repeat)
    except LetterInvalid as exc:
        record = await page.run(page.services.store.mail_letter, record_id)
        duplicate = await _duplicate_of(page, record, _merged(record.fields, corrections))
        faults = _by_field(page.lang, exc.faults)
        return _show(page, record, values=typed, faults=faults, duplicate=duplicate)
    except GatewayError as exc:  # confirmed or dismissed meanwhile, or being confirmed by another clerk
        return page.redirect(f"{BASE}/{record_id}", problem=error_text(page.lang, exc))
    page.services.wake()  # the receipt goes back to the person's address by mail
    # Not created: the very same letter (book number, date, files) was recorded from another mail.
    note = translate(page.lang, "mail.confirmed" if done.created else "mail.confirmed_same")
    return page.redirect(f"/letters/{done.letter_id}", note=note)


async def _refused_as_repeat(
    page: Page, typed: dict[str, str], corrections: MailLetterFields
) -> Response | None:
    record = await _record(page)
    if record is None:
        return page.render("error.html", status=404, message_key="error.notfound")
    same = await _duplicate_of(page, record, _merged(record.fields, corrections))
    return None if same is None else _repeat_refused(page, record, typed, same)


def _repeat_refused(page: Page, record: MailLetterView, typed: dict[str, str], same: Repeat) -> Response:
    faults = {"other": [translate(page.lang, "mail.duplicate_refused")]}
    return _show(page, record, values=typed, faults=faults, duplicate=same)


async def dismiss(page: Page) -> Response:
    record_id = int(page.request.path_params["record_id"])
    reason = page.field("reason")
    try:
        if not reason:
            raise InputError(translate(page.lang, "mail.reason_needed"))
        await page.run(
            mail_letters.dismiss_mail_letter,
            page.services.store,
            record_id,
            reason=reason,
            actor=page.principal.actor,
        )
    except NotFound:
        return page.render("error.html", status=404, message_key="error.notfound")
    except InputError as exc:
        record = await page.run(page.services.store.mail_letter, record_id)
        duplicate = await _duplicate_of(page, record, record.fields)
        faults = {"reason": [str(exc)]}
        return _show(page, record, values=values_of(record), faults=faults, duplicate=duplicate)
    except GatewayError as exc:
        return page.redirect(f"{BASE}/{record_id}", problem=error_text(page.lang, exc))
    note = translate(page.lang, "mail.dismissed", n=record_id)
    return page.redirect(BASE, note=note)


async def file(page: Page) -> Response:
    record_id = int(page.request.path_params["record_id"])
    position = int(page.request.path_params["position"])
    try:
        files = await page.run(page.services.store.mail_letter_files, record_id)
    except NotFound:
        files = ()
    if position >= len(files):
        return page.render("error.html", status=404, message_key="error.notfound")
    data = files[position]
    return file_response(page, data)


async def original(page: Page) -> Response:
    """The mail as it was received, to open in a mail program or hand to whoever the clerk asks."""
    record = await _record(page)
    if record is None:
        return page.render("error.html", status=404, message_key="error.notfound")
    try:
        raw = await page.run(page.services.store.load_raw, record.inbox_id)
    except GatewayError as exc:  # the stored bytes are gone or changed: say so, not a traceback
        return page.redirect(f"{BASE}/{record.id}", problem=error_text(page.lang, exc))
    return file_response(page, FileData(name=f"mail-{record.id}.eml", mime="message/rfc822", content=raw))


def values_of(record: MailLetterView) -> dict[str, str]:
    """The form pre-filled with what was read: the date in the Buddhist Era as clerks write it."""
    f = record.fields
    return {
        "book_no": f.book_no or "",
        "letter_date": format_thai_date(f.letter_date) if f.letter_date else "",
        "subject": f.subject or "",
        "sender_org": f.sender_org or "",
        "receiver_org": f.receiver_org or "",
        "speed": f.speed or Speed.NORMAL.value,
        "secrecy": f.secrecy or Secrecy.NORMAL.value,
    }


async def _record(page: Page) -> MailLetterView | None:
    try:
        record: MailLetterView = await page.run(
            page.services.store.mail_letter, int(page.request.path_params["record_id"])
        )
    except NotFound:
        return None
    return record


def _by_field(lang: str, faults: tuple[Fault, ...]) -> Faults:
    out: defaultdict[str, list[str]] = defaultdict(list)
    for fault in faults:
        out[fault.where if fault.where in FIELD_NAMES else "other"].append(fault_text(lang, fault))
    return dict(out)


def _merged(read: MailLetterFields, typed: MailLetterFields) -> MailLetterFields:
    return MailLetterFields(
        book_no=typed.book_no or read.book_no,
        letter_date=typed.letter_date or read.letter_date,
        sender_org=typed.sender_org or read.sender_org,
        receiver_org=typed.receiver_org or read.receiver_org,
    )


async def _duplicate_of(page: Page, record: MailLetterView, fields: MailLetterFields) -> Repeat | None:
    """The received letter this mail may repeat: the core's rule, as the API and the CLI apply it."""
    served = [org.org_id for org in page.services.settings.orgs]
    found: Repeat | None = await page.run(repeated_letter, page.services.store, record, fields, served=served)
    return found


def _show(
    page: Page,
    record: MailLetterView,
    *,
    values: dict[str, str],
    faults: Faults,
    duplicate: Repeat | None = None,
    texts: list[MailText] | None = None,
) -> Response:
    table = page.services.routing()
    orgs = choices(table)
    known = {o.org_id for o in orgs}
    sender = values.get("sender_org", "")
    context: dict[str, Any] = {
        "record": record,
        "field_keys": FIELD_KEYS,
        "values": values,
        "faults": faults,
        "fault_count": sum(len(v) for v in faults.values()),
        "missing": {m.field: m.message for m in record.not_found},
        "orgs": orgs,
        "sender_unknown": sender if sender and sender not in known else None,
        "served": [org.org_id for org in page.services.settings.orgs],
        "speeds": list(Speed),
        "secrecies": list(Secrecy),
        "is_open": record.state in OPEN_STATES and record.unreadable is None,
        "can_dismiss": record.state is MailLetterState.PENDING,
        "pdf_preview": bool(record.files) and record.files[0].mime == "application/pdf",
        "duplicate": duplicate,
        "texts": texts or [],
    }
    # 200 even with faults: the browser shows the form again (a 4xx would count as a failed load).
    return page.render("mail_letter.html", **context)
