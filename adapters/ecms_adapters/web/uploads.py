"""The compose form's files: those uploaded now and those kept from a refused submit, checked against
what a letter may carry (the letter file is a PDF by its content; sizes within the channel's limits).

Limits: a file may be ``MAX_UPLOAD_BYTES``; all files of a letter together must fit the channel. On
e-CMS they travel Base64-encoded inside the letter's XML, which a gateway refuses above
``xml.max_bytes`` (64 MB by default); by saraban mail they go twice (as files and inside the letter's
XML, each Base64-encoded once more by MIME), which a gateway refuses above ``mail.max_message_bytes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Final

from starlette.datastructures import UploadFile

from ecms_adapters.web.context import MAX_UPLOAD_BYTES, Page
from ecms_adapters.web.i18n import translate
from ecms_adapters.web.kept_files import KeptFile, KeptFiles
from ecms_gateway.runtime.settings import ECMS, MAIL, MB, RuntimeSettings


def letter_bytes(settings: RuntimeSettings) -> dict[str, int]:
    """All files of one letter together, by the channel that carries it (``MessageLimits.files_room``:
    within the gateway's configured ``xml.max_bytes`` and ``mail.max_message_bytes``)."""
    return {channel: settings.limits.files_room(channel) for channel in (ECMS, MAIL)}


PDF_MIME: Final = "application/pdf"


def is_pdf(content: bytes) -> bool:
    """The letter loader's own test (``%PDF-`` first, after blanks, within the first kilobyte)."""
    return content[:1024].lstrip().startswith(b"%PDF-")


def size_text(size: int) -> str:
    """``12 KB``, ``1.4 MB``: sizes as a clerk's file manager shows them."""
    if size < MB:
        return f"{max(1, -(-size // 1024))} KB"
    return f"{size / MB:.1f}".removesuffix(".0") + " MB"


@dataclass(frozen=True, kw_only=True)
class FormFile:
    """A file on the form: uploaded now (``kept`` None) or kept from an earlier submit."""

    role: str  # "main" or "attachment"
    name: str
    mime: str
    content: bytes
    kept: KeptFile | None = None


@dataclass(kw_only=True)
class Attached:
    """The form's files and what is wrong with them, by form field."""

    main: FormFile | None = None
    attachments: list[FormFile] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)

    @property
    def files(self) -> list[FormFile]:
        return ([self.main] if self.main is not None else []) + self.attachments

    def fault(self, name: str, text: str) -> None:
        self.faults.setdefault(name, []).append(text)


async def attached(page: Page, kept: KeptFiles, session: str) -> Attached:
    """The files the form carries: kept ones it still names (``kept``, less ``drop``), then new ones
    (a new letter file replaces the kept one)."""
    found = Attached()
    dropped = {v for v in page.posted.getlist("drop") if isinstance(v, str)}
    for token in page.posted.getlist("kept"):
        if not isinstance(token, str) or token in dropped:
            continue
        item = await page.run(_kept_file, kept, session, token)
        if item is None:
            found.fault("attachments", translate(page.lang, "compose.kept_gone"))
        elif item.role == "main":
            found.main = item
        else:
            found.attachments.append(item)
    main = page.posted.get("main_file")
    if isinstance(main, UploadFile):
        new = await _upload(page, found, main, "main_file")
        if new is not None and not is_pdf(new.content):
            found.fault("main_file", translate(page.lang, "compose.main_not_pdf", name=new.name))
        elif new is not None:
            found.main = FormFile(role="main", name=_pdf_name(new.name), mime=PDF_MIME, content=new.content)
    for item in page.posted.getlist("attachments"):
        if isinstance(item, UploadFile):
            new = await _upload(page, found, item, "attachments")
            if new is not None:
                found.attachments.append(new)
    return found


def check_total(page: Page, found: Attached, channel: str) -> None:
    """All files together must fit the channel that will carry the letter."""
    limits = letter_bytes(page.services.settings)
    limit = limits.get(channel, limits[ECMS])
    total = sum(len(item.content) for item in found.files)
    if total > limit:
        key = "compose.total_too_big_mail" if channel == MAIL else "compose.total_too_big"
        found.fault("attachments", translate(page.lang, key, size=size_text(total), limit=size_text(limit)))


async def keep_new(page: Page, kept: KeptFiles, session: str, found: Attached) -> list[KeptFile]:
    """Keep the files uploaded now (the form was refused): the kept files the form shows next."""
    besides = [item.kept.token for item in found.files if item.kept is not None]
    shown: list[KeptFile] = []
    for item in found.files:
        if item.kept is not None:
            shown.append(item.kept)
            continue
        stored = await page.run(
            kept.keep,
            session,
            role=item.role,
            name=item.name,
            mime=item.mime,
            content=item.content,
            besides=besides,
        )
        if stored is None:
            name = "main_file" if item.role == "main" else "attachments"
            found.fault(name, translate(page.lang, "compose.kept_full", name=item.name))
        else:
            besides.append(stored.token)
            shown.append(stored)
    return shown


def letter_refs(found: Attached) -> tuple[dict[str, bytes], dict[str, str] | None, list[dict[str, str]]]:
    """The files by the names the letter carries (unique, no folders), the main file's reference and
    the attachments' references, for the letter loader."""
    by_name: dict[str, bytes] = {}

    def ref(item: FormFile, prefix: str) -> dict[str, str]:
        name = item.name
        while name in by_name:
            name = f"{prefix}-{name}"
        by_name[name] = item.content
        return {"path": name, "mime": item.mime}

    main = ref(found.main, "main") if found.main is not None else None
    attachments = [ref(item, str(index + 1)) for index, item in enumerate(found.attachments)]
    return by_name, main, attachments


def _kept_file(kept: KeptFiles, session: str, token: str) -> FormFile | None:
    item = kept.get(session, token)
    content = None if item is None else kept.content(session, item)
    if item is None or content is None:
        return None
    return FormFile(role=item.role, name=item.name, mime=item.mime, content=content, kept=item)


async def _upload(page: Page, found: Attached, upload: UploadFile, field_name: str) -> FormFile | None:
    """One uploaded file, unless it is empty (no file chosen) or larger than a file may be (said)."""
    if not upload.filename:
        return None
    name = PurePosixPath(upload.filename.replace("\\", "/")).name or "file"
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:  # never read into memory
        _too_big(page, found, field_name, name, upload.size)
        return None
    content = await upload.read()
    if not content:
        return None
    if len(content) > MAX_UPLOAD_BYTES:
        _too_big(page, found, field_name, name, len(content))
        return None
    mime = PDF_MIME if name.lower().endswith(".pdf") else upload.content_type or "application/octet-stream"
    return FormFile(
        role="main" if field_name == "main_file" else "attachment", name=name, mime=mime, content=content
    )


def _too_big(page: Page, found: Attached, field_name: str, name: str, size: int) -> None:
    limit = size_text(MAX_UPLOAD_BYTES)
    found.fault(
        field_name, translate(page.lang, "compose.file_too_big", name=name, size=size_text(size), limit=limit)
    )


def _pdf_name(name: str) -> str:
    """A PDF's name ends in ``.pdf``, so the receiver's computer opens it as one."""
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"
