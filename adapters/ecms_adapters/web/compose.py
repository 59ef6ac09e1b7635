"""Compose and send a letter: the form, every fault shown next to its field at once, the secrecy and
kind policy explained before sending, and the letter handed to ``services.submit`` (the one path)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from ecms_adapters.web.context import Page
from ecms_adapters.web.directory import choices
from ecms_adapters.web.fault_text import error_text, fault_text
from ecms_adapters.web.i18n import translate
from ecms_gateway.errors import GatewayError, LetterInvalid
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.loader import load_letter_dict
from ecms_gateway.letter.model import LetterPackage

Faults = dict[str, list[str]]

_REQUIRED = ("kind", "book_no", "date", "subject", "speed", "secrecy", "receiver")
_FIELD_OF = {"main_file": "main_file", "attachments": "attachments", "signer": "signer_title"}
_SHOWN = frozenset({*_REQUIRED, "sender", "main_file", "attachments", "signer_title"})
"""Fields the form shows faults next to; any other fault (``references``, the whole letter) is
listed above the form."""
_THAI_REQUIRED = "จำเป็นต้องกรอก (required)"


async def compose(page: Page) -> Response:
    if page.request.method == "POST":
        return await _send(page)
    return _form(
        page,
        values={"speed": Speed.NORMAL.value, "secrecy": Secrecy.NORMAL.value, "kind": Kind.EXTERNAL.value},
        faults={},
    )


def _form(page: Page, *, values: dict[str, str], faults: Faults, problem: str | None = None) -> Response:
    settings = page.services.settings
    table = page.services.routing()
    allowed = ", ".join(
        (s.thai if page.lang == "th" else s.value) for s in Secrecy if s in settings.secrecy.allowed
    )
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
        allowed_classes=allowed,
    )


async def _send(page: Page) -> Response:
    names = (
        "kind",
        "book_no",
        "date",
        "subject",
        "speed",
        "secrecy",
        "sender",
        "receiver",
        "receiver_title",
        "enclosures",
        "description",
        "signer_given",
        "signer_family",
        "signer_title",
    )
    values = {name: page.field(name) for name in names}
    if not values["sender"]:
        values["sender"] = page.services.settings.orgs[0].org_id
    files = await _uploads(page)
    faults = _policy_faults(values, page)
    for name in _REQUIRED:
        if not values[name]:
            faults[name].append(_THAI_REQUIRED)
    if "main" not in files:
        faults["main_file"].append("แนบไฟล์หนังสือ (PDF) — attach the letter as a PDF")
    package: LetterPackage | None = None
    try:
        package = load_letter_dict(_letter_dict(values, files), files["by_name"].get)
    except LetterInvalid as exc:
        for fault in exc.faults:
            field = _field(fault.where)
            if field == "main_file" and "main" not in files:
                continue  # already said: attach the letter
            if not faults.get(field) or _THAI_REQUIRED not in faults[field]:
                faults[field].append(fault_text(page.lang, fault))
    if faults or package is None:
        return _form(page, values=values, faults=dict(faults))
    try:
        submitted = await page.run(page.services.submit, package, actor=page.principal.actor)
    except GatewayError as exc:  # policy, unknown receiver, the same letter already queued, ...
        return _form(page, values=values, faults={}, problem=error_text(page.lang, exc))
    note = translate(page.lang, "compose.queued", why=submitted.route.why)
    return page.redirect(f"/letters/{submitted.letter_id}", note=note)


def _policy_faults(values: dict[str, str], page: Page) -> defaultdict[str, list[str]]:
    """The regulation's and the agency's rules, said next to the field before anything is sent."""
    faults: defaultdict[str, list[str]] = defaultdict(list)
    if values["secrecy"] == Secrecy.TOP_SECRET.value:
        faults["secrecy"].append(translate(page.lang, "compose.policy.top"))
    elif values["secrecy"] in {s.value for s in Secrecy}:
        secrecy = Secrecy(values["secrecy"])
        if secrecy not in page.services.settings.secrecy.allowed:
            allowed = ", ".join(s.thai for s in page.services.settings.secrecy.allowed)
            faults["secrecy"].append(
                f"หน่วยงานกำหนดให้หนังสือชั้น{secrecy.thai}ส่งเป็นเอกสาร (ส่งทางอิเล็กทรอนิกส์ได้เฉพาะ: {allowed}) "
                f"— this agency sends {secrecy.value} letters on paper"
            )
    if values["kind"] in {k.value for k in Kind} and not Kind(values["kind"]).may_leave_agency:
        faults["kind"].append(translate(page.lang, "compose.policy.internal"))
    return faults


async def _uploads(page: Page) -> dict[str, Any]:
    """The uploaded files by the names the letter will carry (unique, no folders)."""
    by_name: dict[str, bytes] = {}
    refs: dict[str, Any] = {"by_name": by_name, "attachments": []}

    async def keep(upload: UploadFile, prefix: str) -> dict[str, str] | None:
        data = await upload.read()
        if not upload.filename or not data:
            return None
        name = PurePosixPath(upload.filename.replace("\\", "/")).name or "file"
        while name in by_name:
            name = f"{prefix}-{name}"
        by_name[name] = data
        mime = upload.content_type or "application/octet-stream"
        if name.lower().endswith(".pdf"):
            mime = "application/pdf"
        return {"path": name, "mime": mime}

    main = page.posted.get("main_file")
    if isinstance(main, UploadFile):
        ref = await keep(main, "main")
        if ref is not None:
            refs["main"] = ref
    for index, item in enumerate(page.posted.getlist("attachments")):
        if isinstance(item, UploadFile):
            ref = await keep(item, f"{index + 1}")
            if ref is not None:
                refs["attachments"].append(ref)
    return refs


def _letter_dict(values: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
    receiver: dict[str, Any] = {"org_id": values["receiver"]}
    if values["receiver_title"]:
        receiver["job_title"] = values["receiver_title"]
    letter: dict[str, Any] = {
        "kind": values["kind"],
        "book_no": values["book_no"],
        "date": values["date"],
        "subject": values["subject"],
        "speed": values["speed"],
        "secrecy": values["secrecy"],
        "sender": {"org_id": values["sender"]},
        "receiver": receiver,
        "main_file": files.get("main", {"path": "", "mime": "application/pdf"}),
    }
    if files["attachments"]:
        letter["attachments"] = files["attachments"]
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
