"""Compose and send a letter: the form, every fault shown next to its field at once, the secrecy and
kind policy explained before sending, and the letter handed to ``services.submit`` (the one path)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from starlette.responses import Response

from ecms_adapters.web import uploads
from ecms_adapters.web.context import MAX_UPLOAD_BYTES, SESSION_COOKIE, Page
from ecms_adapters.web.directory import choices, search
from ecms_adapters.web.fault_text import error_text, fault_text
from ecms_adapters.web.i18n import translate
from ecms_adapters.web.kept_files import KeptFile, KeptFiles, kept_files_of
from ecms_adapters.web.render import clerk_date
from ecms_gateway.engine import LetterState
from ecms_gateway.engine.events import resent_as
from ecms_gateway.errors import GatewayError, InputError, LetterInvalid, NotFound
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.dates import parse_clerk_date
from ecms_gateway.letter.loader import load_letter_dict
from ecms_gateway.letter.model import FileData, LetterPackage
from ecms_gateway.runtime.settings import ECMS, MAIL
from ecms_gateway.services.clerk import Submitted

Faults = dict[str, list[str]]

_REQUIRED = ("kind", "book_no", "date", "subject", "speed", "secrecy", "receiver")
_TYPED = (
    *_REQUIRED,
    "sender",
    "receiver_query",  # what was typed in the receiver's search box (the script names it)
    "receiver_title",
    "enclosures",
    "description",
    "signer_given",
    "signer_family",
    "signer_title",
    "resend_of",  # the withdrawn letter this one corrects and sends again (``/compose?resend=ID``)
)
_FIELD_OF = {"main_file": "main_file", "attachments": "attachments", "signer": "signer_title"}
_SHOWN = frozenset({*_REQUIRED, "sender", "main_file", "attachments", "signer_title"})
"""Fields the form shows faults next to; any other fault (``references``, the whole letter) is
listed above the form."""


async def compose(page: Page) -> Response:
    if page.request.method == "POST":
        return await _send(page)
    resend = page.request.query_params.get("resend", "")
    if resend:
        return await _correct(page, resend)
    return _form(
        page,
        values={"speed": Speed.NORMAL.value, "secrecy": Secrecy.NORMAL.value, "kind": Kind.EXTERNAL.value},
        faults={},
    )


async def _correct(page: Page, resend: str) -> Response:
    """The form filled in from a withdrawn letter (its files attached, to keep or replace), to correct
    it and send it again as a new letter: the web's ``ecms-gateway resend ID --letter corrected.json``."""
    letter_id = int(resend) if resend.isdigit() and len(resend) < 12 else 0
    try:
        detail = await page.run(page.services.store.show, letter_id)
    except NotFound:
        return page.render("error.html", status=404, message_key="error.notfound")
    if detail.letter.state is not LetterState.WITHDRAWN or resent_as(detail.history) is not None:
        return page.redirect(
            f"/letters/{letter_id}", problem=translate(page.lang, "compose.resend_not_withdrawn")
        )
    package = await page.run(page.services.store.load_package, letter_id)
    letter = package.letter
    values = {
        "kind": letter.kind.value,
        "book_no": letter.book_no,
        "date": clerk_date(letter.date),
        "subject": letter.subject,
        "speed": letter.speed.value,
        "secrecy": letter.secrecy.value,
        "sender": letter.sender.org_id,
        "receiver": letter.receiver.org_id,
        "receiver_query": page.org_name(letter.receiver.org_id),
        "receiver_title": letter.receiver.job_title or "",
        "enclosures": letter.enclosures or "",
        "description": letter.description or "",
        "signer_given": (letter.signer.given_name or "") if letter.signer else "",
        "signer_family": (letter.signer.family_name or "") if letter.signer else "",
        "signer_title": (letter.signer.job_title or "") if letter.signer else "",
        "resend_of": str(letter_id),
    }
    kept, session = kept_files_of(page.services.store), page.request.cookies.get(SESSION_COOKIE, "")
    files = [("main", package.main), *(("attachment", a) for a in package.attachments)]
    shown = [kept for kept in await page.run(_keep_all, kept, session, files) if kept is not None]
    return _form(page, values=values, faults={}, kept=shown)


def _keep_all(kept: KeptFiles, session: str, files: list[tuple[str, FileData]]) -> list[KeptFile | None]:
    return [kept.keep(session, role=role, name=f.name, mime=f.mime, content=f.content) for role, f in files]


def _form(
    page: Page,
    *,
    values: dict[str, str],
    faults: Faults,
    problem: str | None = None,
    kept: list[KeptFile] | None = None,
) -> Response:
    settings = page.services.settings
    table = page.services.routing()
    kept = kept or []
    limits = uploads.letter_bytes(settings)
    return page.render(
        "compose.html",
        # 200 even with faults: the browser shows the form again (a 4xx would count as a failed load).
        values=values,
        faults=faults,
        fault_count=sum(len(v) for v in faults.values()),
        problem=problem,
        orgs=choices(table),
        directory_loaded=table is not None,
        served=[org.org_id for org in settings.orgs],
        kinds=list(Kind),
        speeds=list(Speed),
        secrecies=list(Secrecy),
        allowed_classes=_allowed(page),
        kept_main=[item for item in kept if item.role == "main"],
        kept_attachments=[item for item in kept if item.role != "main"],
        size_text=uploads.size_text,
        file_limit=uploads.size_text(MAX_UPLOAD_BYTES),
        ecms_limit=uploads.size_text(limits[ECMS]),
        mail_limit=uploads.size_text(limits[MAIL]),
    )


def _allowed(page: Page) -> str:
    """The secrecy classes this agency sends electronically, in the page's language."""
    allowed = page.services.settings.secrecy.allowed
    return ", ".join(_secrecy_name(page, s) for s in Secrecy if s in allowed)


def _secrecy_name(page: Page, secrecy: Secrecy) -> str:
    return secrecy.thai if page.lang == "th" else secrecy.value.replace("_", " ")


async def _send(page: Page) -> Response:
    values = {name: page.field(name) for name in _TYPED}
    if not (values["resend_of"].isdigit() and len(values["resend_of"]) < 12):
        values["resend_of"] = ""
    if not values["sender"]:
        values["sender"] = page.services.settings.orgs[0].org_id
    kept, session = kept_files_of(page.services.store), page.request.cookies.get(SESSION_COOKIE, "")
    found = await uploads.attached(page, kept, session)
    uploads.check_total(page, found, _channel(page, values["receiver"]))
    faults = _form_faults(page, values, found)
    package = _load(page, values, found, faults)
    if faults or package is None:
        return await _refused(page, values, found, (kept, session), faults=dict(faults))
    try:
        if values["resend_of"]:
            submitted = await page.run(_resend, page, int(values["resend_of"]), package)
        else:
            submitted = await page.run(page.services.submit, package, actor=page.principal.actor)
    except GatewayError as exc:  # policy, unknown receiver, the same letter already queued, ...
        problem = error_text(page.lang, exc)
        return await _refused(page, values, found, (kept, session), faults={}, problem=problem)
    await page.run(kept.drop, session, [item.kept.token for item in found.files if item.kept is not None])
    route = submitted.route
    key = "compose.queued_mail" if route.channel == MAIL else "compose.queued_ecms"
    note = translate(page.lang, key, receiver=page.org_name(route.org_id), org_id=route.org_id)
    return page.redirect(f"/letters/{submitted.letter_id}", note=note)


def _form_faults(page: Page, values: dict[str, str], found: uploads.Attached) -> defaultdict[str, list[str]]:
    """What the form's own checks find: the policy, the files, the fields left empty."""
    faults = _policy_faults(values, page)
    for name, texts in found.faults.items():
        faults[name].extend(texts)
    for name in _REQUIRED:
        if not values[name]:
            faults[name].append(translate(page.lang, "compose.required"))
    if not values["receiver"] and values["receiver_query"]:
        faults["receiver"] = [_unmatched(page, values["receiver_query"])]
    if found.main is None and not faults.get("main_file"):
        faults["main_file"].append(translate(page.lang, "compose.attach_main"))
    if values["date"]:
        try:  # the clerk's one rule for a year (a typo such as 2099 or 1900 is said, not sent)
            day = parse_clerk_date(values["date"])
        except InputError as exc:
            faults["date"].append(f"{translate(page.lang, 'f.date')}: {error_text(page.lang, exc)}")
        else:  # the letter gets the day; the box shows it again as the clerk writes it
            values["date_iso"], values["date"] = day.isoformat(), clerk_date(day)
    return faults


def _load(
    page: Page, values: dict[str, str], found: uploads.Attached, faults: defaultdict[str, list[str]]
) -> LetterPackage | None:
    """The letter as the loader reads it, or None with its faults added to ``faults`` (none said twice:
    not next to a field already empty or already told what to do)."""
    by_name, main, attachments = uploads.letter_refs(found)
    try:
        return load_letter_dict(_letter_dict(values, main, attachments), by_name.get)
    except LetterInvalid as exc:
        required = translate(page.lang, "compose.required")
        for fault in exc.faults:
            field = _field(fault.where)
            if field == "main_file" and found.main is None:
                continue  # already said: attach the letter
            if field in ("receiver", "date") and faults.get(field):
                continue  # already said: pick the receiver, write a date that can be
            if required not in faults.get(field, []):
                faults[field].append(fault_text(page.lang, fault))
        return None


async def _refused(
    page: Page,
    values: dict[str, str],
    found: uploads.Attached,
    kept: tuple[KeptFiles, str],
    *,
    faults: Faults,
    problem: str | None = None,
) -> Response:
    """The form again with what the clerk typed and the files they attached, kept for the next submit."""
    shown = await uploads.keep_new(page, kept[0], kept[1], found)
    for name, texts in found.faults.items():  # a file that could not be kept
        for text in texts:
            if text not in faults.get(name, []):
                faults.setdefault(name, []).append(text)
    return _form(page, values=values, faults=faults, problem=problem, kept=shown)


def _resend(page: Page, letter_id: int, corrected: LetterPackage) -> Submitted:
    """Send the withdrawn letter again as ``corrected``; what the form cannot show (its references)
    stays as it was."""
    original = page.services.store.load_package(letter_id).letter
    letter = corrected.letter.model_copy(update={"references": original.references})
    return page.services.resend(
        letter_id, actor=page.principal.actor, corrected=replace(corrected, letter=letter)
    )


def _channel(page: Page, receiver: str) -> str:
    """How a letter to ``receiver`` would travel (e-CMS unless the directory says by mail)."""
    chosen = next((c for c in choices(page.services.routing()) if c.org_id == receiver), None)
    return MAIL if chosen is not None and chosen.channel == MAIL else ECMS


def _unmatched(page: Page, query: str) -> str:
    """The receiver was typed but not picked from the list: say whether anything matches."""
    found = search(choices(page.services.routing()), query)
    if not found:
        return translate(page.lang, "compose.receiver_none", query=query)
    return translate(page.lang, "compose.receiver_pick", query=query, n=len(found))


def _policy_faults(values: dict[str, str], page: Page) -> defaultdict[str, list[str]]:
    """The regulation's and the agency's rules, said next to the field before anything is sent."""
    faults: defaultdict[str, list[str]] = defaultdict(list)
    if values["secrecy"] == Secrecy.TOP_SECRET.value:
        faults["secrecy"].append(translate(page.lang, "compose.policy.top"))
    elif values["secrecy"] in {s.value for s in Secrecy}:
        secrecy = Secrecy(values["secrecy"])
        if secrecy not in page.services.settings.secrecy.allowed:
            faults["secrecy"].append(
                translate(
                    page.lang,
                    "compose.policy.paper",
                    secrecy=_secrecy_name(page, secrecy),
                    allowed=_allowed(page),
                )
            )
    if values["kind"] in {k.value for k in Kind} and not Kind(values["kind"]).may_leave_agency:
        faults["kind"].append(translate(page.lang, "compose.policy.internal"))
    return faults


def _letter_dict(
    values: dict[str, str], main: dict[str, str] | None, attachments: list[dict[str, str]]
) -> dict[str, Any]:
    receiver: dict[str, Any] = {"org_id": values["receiver"]}
    if values["receiver_title"]:
        receiver["job_title"] = values["receiver_title"]
    letter: dict[str, Any] = {
        "kind": values["kind"],
        "book_no": values["book_no"],
        "date": values.get("date_iso", values["date"]),
        "subject": values["subject"],
        "speed": values["speed"],
        "secrecy": values["secrecy"],
        "sender": {"org_id": values["sender"]},
        "receiver": receiver,
        "main_file": main or {"path": "", "mime": uploads.PDF_MIME},
    }
    if attachments:
        letter["attachments"] = attachments
    for key in ("enclosures", "description"):
        if values[key]:
            letter[key] = values[key]
    signer = {
        key: values[f"signer_{part}"]
        for key, part in (("given_name", "given"), ("family_name", "family"), ("job_title", "title"))
        if values[f"signer_{part}"]
    }
    if signer:
        letter["signer"] = signer
    return letter


def _field(where: str) -> str:
    """The form field a loader fault belongs to (``receiver.org_id`` -> ``receiver``)."""
    head = where.split(".", 1)[0].split("[", 1)[0]
    field = _FIELD_OF.get(head, head)
    return field if field in _SHOWN else "other"  # shown above the form, never dropped
