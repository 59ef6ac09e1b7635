"""Kinds, speed and secrecy marks of official letters, with their Thai names and e-CMS codes."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from ecms_gateway.errors import InputError


class Kind(StrEnum):
    """The six kinds of official letter (ระเบียบงานสารบรรณ); the first four may leave the agency."""

    EXTERNAL = "external"  # หนังสือภายนอก: between agencies, what e-CMS carries
    STAMPED = "stamped"  # หนังสือประทับตรา: routine matters, stamped instead of signed
    DIRECTIVE = "directive"  # หนังสือสั่งการ: orders, regulations, by-laws
    ANNOUNCEMENT = "announcement"  # หนังสือประชาสัมพันธ์: announcements, statements, news
    INTERNAL = "internal"  # หนังสือภายใน: internal memo, never leaves the agency
    RECORD = "record"  # หนังสือที่เจ้าหน้าที่ทำขึ้น: certificates, minutes, records; stays inside

    @property
    def thai(self) -> str:
        return _KIND_THAI[self]

    @property
    def may_leave_agency(self) -> bool:
        return self not in (Kind.INTERNAL, Kind.RECORD)


_KIND_THAI = {
    Kind.EXTERNAL: "หนังสือภายนอก",
    Kind.STAMPED: "หนังสือประทับตรา",
    Kind.DIRECTIVE: "หนังสือสั่งการ",
    Kind.ANNOUNCEMENT: "หนังสือประชาสัมพันธ์",
    Kind.INTERNAL: "หนังสือภายใน",
    Kind.RECORD: "หนังสือที่เจ้าหน้าที่ทำขึ้นหรือรับไว้เป็นหลักฐาน",
}


class Speed(StrEnum):
    """ชั้นความเร็ว; the e-CMS SpeedCode is 001 (normal) to 004 (most urgent)."""

    NORMAL = "normal"  # ปกติ
    URGENT = "urgent"  # ด่วน
    VERY_URGENT = "very_urgent"  # ด่วนมาก
    MOST_URGENT = "most_urgent"  # ด่วนที่สุด

    @property
    def code(self) -> str:
        return f"{list(Speed).index(self) + 1:03d}"

    @property
    def thai(self) -> str:
        return ("ปกติ", "ด่วน", "ด่วนมาก", "ด่วนที่สุด")[list(Speed).index(self)]

    @classmethod
    def from_code(cls, code: str) -> Speed:
        return _from_code(cls, code, "SpeedCode")


class Secrecy(StrEnum):
    """ชั้นความลับ; the e-CMS SecretCode is 001 (normal) to 004 (top secret)."""

    NORMAL = "normal"  # ปกติ
    CONFIDENTIAL = "confidential"  # ลับ
    SECRET = "secret"  # ลับมาก
    TOP_SECRET = "top_secret"  # ลับที่สุด: never travels electronically

    @property
    def code(self) -> str:
        return f"{list(Secrecy).index(self) + 1:03d}"

    @property
    def thai(self) -> str:
        return ("ปกติ", "ลับ", "ลับมาก", "ลับที่สุด")[list(Secrecy).index(self)]

    @classmethod
    def from_code(cls, code: str) -> Secrecy:
        return _from_code(cls, code, "SecretCode")


_E = TypeVar("_E", "Speed", "Secrecy")


def _from_code(cls: type[_E], code: str, field: str) -> _E:
    members = list(cls)
    text = code.strip()
    if len(text) == 3 and text.isdigit() and 1 <= int(text) <= len(members):
        return members[int(text) - 1]
    raise InputError(f"{field} {code!r} is not one of 001, 002, 003, 004")
