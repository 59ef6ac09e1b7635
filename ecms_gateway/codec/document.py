"""Letter <-> ``rsm:GovernmentDocument``: build the unsigned e-CMS letter payload and read one back.

Lossless for our own letters: file names travel in the CCTS ``filename`` attribute, and the letter's
kind (no e-CMS field) in ``<?ecms-gateway kind="..."?>``, the first node inside
``ram:CorrespondenceLetter`` so that the signature over the letter covers it. No PI means external.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Final

import pybase64
from lxml import etree
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ecms_gateway.codec._xml import child, invalid, sub, text, text_opt, xs_date
from ecms_gateway.errors import Fault, InputError, SchemaInvalid
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.model import (
    DEPARTMENT_SUFFIX,
    FileData,
    FileRef,
    Letter,
    LetterPackage,
    Party,
    Reference,
    Signer,
)
from ecms_gateway.xml.namespaces import DS, RAM, RSM, qname

DOCUMENT: Final = qname(RSM, "GovernmentDocument")
LETTER: Final = qname(RAM, "CorrespondenceLetter")
SIGNATURE_BLOCK: Final = qname(RAM, "GovernmentSignature")
LETTER_XML_ID: Final = "Letter"
"""The ``ID`` of ``ram:CorrespondenceLetter``; the signature's ``Reference URI="#Letter"`` points at it."""
KIND_PI_TARGET: Final = "ecms-gateway"
SIGNATURE_TYPE_CODE: Final = "DSIG"

_TYPE: Final = "GovernmentDocument"
_PI_KIND: Final = re.compile(r"""\bkind\s*=\s*(["'])(.*?)\1""")
_EXTENSIONS: Final[dict[str, str]] = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/plain": "txt",
    "application/rtf": "rtf",
    "image/tiff": "tif",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/bmp": "bmp",
    "application/zip": "zip",
    "application/xml": "xml",
    "text/xml": "xml",
}


def _ram(local: str) -> str:
    return qname(RAM, local)


@dataclass(frozen=True, kw_only=True)
class SignerInfo:
    """``ram:SignerParty`` as written on the wire (the signer's name and organisation codes)."""

    given_name: str | None = None
    family_name: str | None = None
    title: str | None = None
    ministry_id: str | None = None
    department_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class DecodedDocument:
    """A letter read from ``rsm:GovernmentDocument``, with what the letter model does not hold."""

    package: LetterPackage
    letter_xml_id: str
    send_time: str | None  # ram:SendDate as written: xs:date or xs:dateTime
    type_code: str | None  # ram:GovernmentSignature/ram:TypeCode, normally DSIG
    signer: SignerInfo | None
    # The ds:Signature element inside ram:GovernmentSignature, in its tree, or None when unsigned.
    signature: etree._Element | None = field(default=None, compare=False, repr=False)

    @property
    def is_signed(self) -> bool:
        return self.signature is not None


# ---------------------------------------------------------------- build


def build_document(package: LetterPackage, *, send_time: datetime | None = None) -> etree._Element:
    """The unsigned ``rsm:GovernmentDocument`` of ``package``.

    ``send_time`` becomes ``ram:SendDate`` to the second: a naive time is written as it is (clients
    send Thai local time without offset, ``yyyy-MM-ddTHH:mm:ss``), an aware one with its offset.

    Raises ``InputError`` when the letter cannot be expressed on the wire (an organisation ID that is
    not a department code followed by 00000, text with characters XML cannot carry, files that do not
    match the letter's file list).
    """
    letter = package.letter
    _check_files(package)
    root = etree.Element(DOCUMENT, nsmap={"rsm": RSM, "ram": RAM})
    body = etree.SubElement(root, LETTER, {"ID": LETTER_XML_ID})
    if letter.kind is not Kind.EXTERNAL:
        body.append(etree.ProcessingInstruction(KIND_PI_TARGET, f'kind="{letter.kind.value}"'))
    _put(body, "ID", letter.book_no, "book_no")
    _put(body, "CorrespondenceDate", letter.date.isoformat(), "date")
    _put(body, "Subject", letter.subject, "subject")
    _put(body, "SecretCode", letter.secrecy.code, "secrecy")
    _put(body, "SpeedCode", letter.speed.code, "speed")
    _build_party(body, "SenderParty", letter.sender, "sender")
    _build_party(body, "ReceiverParty", letter.receiver, "receiver")
    for index, ref in enumerate(letter.references):
        element = sub(body, _ram("ReferenceCorrespondence"))
        _put(element, "ID", ref.book_no, f"references[{index}].book_no")
        _put(element, "CorrespondenceDate", ref.date.isoformat(), f"references[{index}].date")
        _put(element, "Subject", ref.subject, f"references[{index}].subject")
    _put(body, "Attachment", letter.enclosures, "enclosures")
    if send_time is not None:
        _put(body, "SendDate", send_time.isoformat(timespec="seconds"), "send_time")
    _put(body, "Description", letter.description, "description")
    _build_file(body, "MainLetterBinaryObject", package.main, "main_file")
    for index, attachment in enumerate(package.attachments):
        _build_file(body, "AttachmentBinaryObject", attachment, f"attachments[{index}]")
    if letter.signer is not None:
        _build_signature_block(root, letter.signer, letter.sender)
    return root


def _put(parent: etree._Element, local: str, value: str | None, field_name: str) -> None:
    if value is None:
        return
    try:
        sub(parent, _ram(local), value)
    except ValueError as exc:  # control characters or lone surrogates
        raise InputError(
            f"letter field {field_name} contains characters that XML cannot carry ({exc}); "
            "remove control characters from the text"
        ) from exc


def _check_files(package: LetterPackage) -> None:
    refs = (package.letter.main_file, *package.letter.attachments)
    if len(refs) != len(package.files):
        raise InputError(
            f"the letter lists {len(refs)} files (main_file and attachments) but the package holds "
            f"{len(package.files)}; every listed file must come with its bytes"
        )
    for index, (ref, data) in enumerate(zip(refs, package.files, strict=True)):
        if ref.mime != data.mime:
            where = "main_file" if index == 0 else f"attachments[{index - 1}]"
            raise InputError(f"{where}.mime says {ref.mime} but the file's data is labelled {data.mime}")


def _build_party(parent: etree._Element, local: str, party: Party, field_name: str) -> None:
    if not party.org_id.endswith(DEPARTMENT_SUFFIX):
        raise InputError(
            f"{field_name}.org_id {party.org_id} cannot be sent over e-CMS: the wire carries only the "
            f"5-digit department code, so an organisation ID must be that code followed by 00000 "
            f"(e.g. {party.department_id}00000)"
        )
    element = sub(parent, _ram(local))
    _put(element, "GivenName", party.given_name, f"{field_name}.given_name")
    _put(element, "FamilyName", party.family_name, f"{field_name}.family_name")
    _put(element, "JobTitle", party.job_title, f"{field_name}.job_title")
    sub(sub(element, _ram("MinistryOrganization")), _ram("ID"), party.ministry_id)
    sub(sub(element, _ram("DepartmentOrganization")), _ram("ID"), party.department_id)


def _build_file(parent: etree._Element, local: str, data: FileData, field_name: str) -> None:
    # One unbroken Base64 line: line breaks are legal in xs:base64Binary but only cost bytes. lxml
    # takes the ASCII bytes as they are (a str would be one more copy of the whole file).
    element = sub(parent, _ram(local))
    element.text = pybase64.b64encode(data.content)  # type: ignore[assignment]  # lxml-stubs: str only
    element.set("mimeCode", data.mime)
    try:
        element.set("filename", data.name)
    except ValueError as exc:
        raise InputError(
            f"{field_name}: the file name {data.name!r} has characters XML cannot carry"
        ) from exc


def _build_signature_block(root: etree._Element, signer: Signer, sender: Party) -> None:
    block = sub(root, SIGNATURE_BLOCK)
    sub(block, _ram("TypeCode"), SIGNATURE_TYPE_CODE)
    party = sub(block, _ram("SignerParty"))
    _put(party, "GivenName", signer.given_name, "signer.given_name")
    _put(party, "FamilyName", signer.family_name, "signer.family_name")
    _put(party, "Title", signer.job_title, "signer.job_title")
    sub(sub(party, _ram("MinistryOrganization")), _ram("ID"), sender.ministry_id)
    sub(sub(party, _ram("DepartmentOrganization")), _ram("ID"), sender.department_id)


# ---------------------------------------------------------------- parse


def parse_document(root: etree._Element) -> DecodedDocument:
    """Read a (validated) ``rsm:GovernmentDocument``: the letter package, send time and signature block.

    File names come from the ``filename`` attribute (reduced to a bare name); without one they are
    ``main.<ext>`` and ``attachment-N.<ext>`` after the MIME type.
    """
    body = _letter_body(root)
    main = _read_file(child(body, _ram("MainLetterBinaryObject"), _TYPE), "main")
    attachments = tuple(
        _read_file(element, f"attachment-{index}")
        for index, element in enumerate(body.iterfind(_ram("AttachmentBinaryObject")), start=1)
    )
    block = root.find(SIGNATURE_BLOCK)
    signer = _read_signer(block)
    letter = _read_letter(
        body,
        signer,
        main=FileRef(path=main.name, mime=main.mime),
        attachments=tuple(FileRef(path=f.name, mime=f.mime) for f in attachments),
    )
    return DecodedDocument(
        package=LetterPackage(letter=letter, main=main, attachments=attachments),
        letter_xml_id=body.get("ID") or "",
        send_time=text_opt(body, _ram("SendDate")),
        type_code=None if block is None else text_opt(block, _ram("TypeCode")),
        signer=signer,
        signature=None if block is None else block.find(qname(DS, "Signature")),
    )


def read_letter(root: etree._Element) -> Letter:
    """The letter of a (validated) ``rsm:GovernmentDocument``, its files named but not decoded: what a
    node needs to route it, without another copy of every file in memory."""
    body = _letter_body(root)
    return _read_letter(
        body,
        _read_signer(root.find(SIGNATURE_BLOCK)),
        main=_file_ref(child(body, _ram("MainLetterBinaryObject"), _TYPE), "main"),
        attachments=tuple(
            _file_ref(element, f"attachment-{index}")
            for index, element in enumerate(body.iterfind(_ram("AttachmentBinaryObject")), start=1)
        ),
    )


def _letter_body(root: etree._Element) -> etree._Element:
    if root.tag != DOCUMENT:
        raise invalid(_TYPE, root, f"<{root.tag}> is not rsm:GovernmentDocument")
    return child(root, LETTER, _TYPE)


def _read_letter(
    body: etree._Element, signer: SignerInfo | None, *, main: FileRef, attachments: tuple[FileRef, ...]
) -> Letter:
    try:
        return Letter(
            kind=_read_kind(body),
            book_no=text(body, _ram("ID"), _TYPE),
            date=xs_date(body, _ram("CorrespondenceDate"), _TYPE),
            subject=text(body, _ram("Subject"), _TYPE),
            speed=Speed.from_code(text(body, _ram("SpeedCode"), _TYPE)),
            secrecy=Secrecy.from_code(text(body, _ram("SecretCode"), _TYPE)),
            sender=_read_party(child(body, _ram("SenderParty"), _TYPE)),
            receiver=_read_party(child(body, _ram("ReceiverParty"), _TYPE)),
            references=tuple(_read_reference(ref) for ref in body.iterfind(_ram("ReferenceCorrespondence"))),
            enclosures=text_opt(body, _ram("Attachment")),
            description=text_opt(body, _ram("Description")),
            main_file=main,
            attachments=attachments,
            signer=None
            if signer is None
            else Signer(given_name=signer.given_name, family_name=signer.family_name, job_title=signer.title),
        )
    except ValidationError as exc:
        raise SchemaInvalid(
            _TYPE, [_model_fault(body, err) for err in exc.errors(include_url=False)]
        ) from exc


def _read_kind(body: etree._Element) -> Kind:
    for node in body:
        if isinstance(node, etree._ProcessingInstruction):
            if node.target != KIND_PI_TARGET:
                continue
            match = _PI_KIND.search(node.text or "")
            value = match[2] if match else ""
            try:
                return Kind(value)
            except ValueError:
                choices = ", ".join(k.value for k in Kind)
                raise invalid(
                    _TYPE, node, f"<?{KIND_PI_TARGET}?> gives kind {value!r}; expected one of {choices}"
                ) from None
        if isinstance(node, etree._Comment):
            continue
        break  # the kind is only looked for before the letter's first element
    return Kind.EXTERNAL


def _read_party(element: etree._Element) -> Party:
    department = child(child(element, _ram("DepartmentOrganization"), _TYPE), _ram("ID"), _TYPE).text or ""
    return Party(
        org_id=department + DEPARTMENT_SUFFIX,
        given_name=text_opt(element, _ram("GivenName")),
        family_name=text_opt(element, _ram("FamilyName")),
        job_title=text_opt(element, _ram("JobTitle")),
    )


def _read_reference(element: etree._Element) -> Reference:
    return Reference(
        book_no=text(element, _ram("ID"), _TYPE),
        date=xs_date(element, _ram("CorrespondenceDate"), _TYPE),
        subject=text(element, _ram("Subject"), _TYPE),
    )


def _read_signer(block: etree._Element | None) -> SignerInfo | None:
    party = None if block is None else block.find(_ram("SignerParty"))
    if party is None:
        return None
    return SignerInfo(
        given_name=text_opt(party, _ram("GivenName")),
        family_name=text_opt(party, _ram("FamilyName")),
        title=text_opt(party, _ram("Title")),
        ministry_id=_org_code(party, "MinistryOrganization"),
        department_id=_org_code(party, "DepartmentOrganization"),
    )


def _org_code(party: etree._Element, local: str) -> str | None:
    organisation = party.find(_ram(local))
    return None if organisation is None else text_opt(organisation, _ram("ID"))


def _read_file(element: etree._Element, stem: str) -> FileData:
    ref = _file_ref(element, stem)
    try:
        content = _decode(element.text or "")
    except ValueError as exc:
        raise invalid(_TYPE, element, f"the file content is not valid Base64 ({exc})") from exc
    return FileData(name=ref.path, mime=ref.mime, content=content)


def _file_ref(element: etree._Element, stem: str) -> FileRef:
    mime = element.get("mimeCode")
    if not mime:
        raise invalid(_TYPE, element, f"<{etree.QName(element).localname}> has no mimeCode attribute")
    return FileRef(path=_file_name(element.get("filename"), stem, mime), mime=mime)


def _decode(encoded: str) -> bytes:
    # One unbroken line (as we write it) first: pybase64 decodes 100 KB in microseconds, the standard
    # library in a sixth of a millisecond. With line breaks it refuses, and the second try drops them.
    try:
        return pybase64.b64decode(encoded, validate=True)
    except ValueError:
        return pybase64.b64decode("".join(encoded.split()), validate=True)


def _file_name(given: str | None, stem: str, mime: str) -> str:
    # Only a bare name is kept: a name from the wire must never steer where a file is written.
    name = PurePosixPath((given or "").replace("\\", "/")).name
    if not name.strip() or name in (".", ".."):
        return f"{stem}.{_EXTENSIONS.get(mime.lower(), 'bin')}"
    return name


def _model_fault(body: etree._Element, err: ErrorDetails) -> Fault:
    loc = ".".join(str(part) for part in err["loc"]) or "letter"
    line = f"line {body.sourceline}, " if body.sourceline else ""
    return Fault(where=f"{line}letter field {loc}", problem=err["msg"])
