"""The internal letter, format v1: how an office hands a letter to the gateway and gets one back.

``Letter`` is exactly the JSON object of the format (file references by path); ``LetterPackage`` is
a letter together with the bytes of its files, which is what the codec and the store work with.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo
from pydantic_core import PydanticCustomError

from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.thai import BE_OFFSET, book_no_key

_ORG_ID = re.compile(r"[0-9]{10}")
_MIME = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*")
# What XML 1.0 cannot carry: C0 controls but tab and line ends, lone surrogates, U+FFFE and U+FFFF.
NOT_IN_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DEPARTMENT_SUFFIX: Final = "00000"
"""e-CMS carries an organisation as its department: an ID it can carry is the 5-digit code + this."""
STORED: Final = "stored"
"""Validation context key: the letter is read back from the store (checked when it came in)."""


def _xml_text(value: str, info: ValidationInfo) -> str:
    """Text an e-CMS message can carry. Checked when a letter comes in, so that it is refused with the
    reason then, not accepted and failing when it is sent; a letter read back from the store is not
    checked again (one stored before this check would otherwise no longer open)."""
    if isinstance(info.context, dict) and info.context.get(STORED):
        return value
    found = NOT_IN_XML.search(value)
    if found is not None:
        raise PydanticCustomError(
            "xml_char",
            "has an invisible control character ({char}) at position {position} that a letter cannot "
            "carry (text pasted from a word processor often brings one); delete it",
            {"char": f"U+{ord(found.group()):04X}", "position": found.start() + 1},
        )
    return value


def _non_empty(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty", "is empty; write the text")
    return value


def _org_id(value: str) -> str:
    if not _ORG_ID.fullmatch(value):
        raise PydanticCustomError(
            "org_id",
            "'{value}' is not an organisation ID: it must be 10 Arabic digits, the 5-digit "
            "department code followed by 00000 (e.g. 2099000000); look it up in the directory",
            {"value": value},
        )
    return value


def _gregorian(value: date) -> date:
    if value.year > 2400:
        raise PydanticCustomError(
            "buddhist_year",
            "{value} has a Buddhist Era year (พ.ศ.); this field is Gregorian (ค.ศ.): write {fixed}",
            {"value": value.isoformat(), "fixed": value.replace(year=value.year - BE_OFFSET).isoformat()},
        )
    return value


def _mime(value: str) -> str:
    if not _MIME.fullmatch(value):
        raise PydanticCustomError(
            "mime", "'{value}' is not a MIME type such as application/pdf", {"value": value}
        )
    return value


def _at_most(limit: int) -> Callable[[str], str]:
    """A length check: the store keeps this field in a column of ``limit`` characters."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise PydanticCustomError(
                "too_long",
                "is {length} characters long; at most {limit} fit: shorten it",
                {"length": len(value), "limit": limit},
            )
        return value

    return check


BOOK_NO_MAX: Final = 200
"""Characters of a book number (ที่): the store's column; real ones are some twenty."""
FILE_NAME_MAX: Final = 255
"""Characters of a file's name or path in the letter, as file systems allow."""

Words = Annotated[str, AfterValidator(_xml_text)]
Text = Annotated[str, AfterValidator(_xml_text), AfterValidator(_non_empty)]
OrgId = Annotated[str, AfterValidator(_org_id)]
LetterDate = Annotated[date, AfterValidator(_gregorian)]
Mime = Annotated[str, AfterValidator(_mime)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Party(_Frozen):
    """A sender or receiver: the organisation (required) and optionally the person in it."""

    org_id: OrgId
    given_name: Words | None = None
    family_name: Words | None = None
    job_title: Words | None = None

    @property
    def ministry_id(self) -> str:
        """The 2-digit e-CMS ministry code."""
        return self.org_id[:2]

    @property
    def department_id(self) -> str:
        """The 5-digit e-CMS department code."""
        return self.org_id[:5]


class Reference(_Frozen):
    """อ้างถึง: an earlier letter this one refers to."""

    book_no: Text
    date: LetterDate
    subject: Text


class FileRef(_Frozen):
    """A file of the letter, by path relative to the letter's JSON file."""

    path: Annotated[Text, AfterValidator(_at_most(FILE_NAME_MAX))]
    mime: Annotated[Mime, AfterValidator(_at_most(127))]


class Signer(_Frozen):
    """ผู้ลงนาม: who signs the letter."""

    given_name: Words | None = None
    family_name: Words | None = None
    job_title: Words | None = None


class Letter(_Frozen):
    """One official letter in format v1 (see shared/samples/letters/README.md)."""

    kind: Kind
    book_no: Annotated[Text, AfterValidator(_at_most(BOOK_NO_MAX))]
    date: LetterDate
    subject: Text
    speed: Speed
    secrecy: Secrecy
    sender: Party
    receiver: Party
    references: tuple[Reference, ...] = ()
    enclosures: Words | None = None
    description: Words | None = None
    main_file: FileRef
    attachments: tuple[FileRef, ...] = ()
    signer: Signer | None = None

    @property
    def book_key(self) -> str:
        """The book number in comparison form (Thai and Arabic digits compare equal)."""
        return book_no_key(self.book_no)

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON object of format v1: absent optional fields and empty lists are left out."""
        data = self.model_dump(mode="json", exclude_none=True)
        for key in ("references", "attachments"):
            if not data.get(key):
                data.pop(key, None)
        return data


@dataclass(frozen=True, kw_only=True)
class FileData:
    """A file's name, MIME type and exact bytes."""

    name: str
    mime: str
    content: bytes = field(repr=False)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True, kw_only=True)
class LetterPackage:
    """A letter with the bytes of its main file and attachments, in the letter's order."""

    letter: Letter
    main: FileData
    attachments: tuple[FileData, ...] = ()

    @property
    def files(self) -> tuple[FileData, ...]:
        return (self.main, *self.attachments)
