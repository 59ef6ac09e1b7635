"""Operator tables line up with Thai text; ages read at a glance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecms_gateway.cli.store_cmds import display_width, format_table
from ecms_gateway.durations import age


def test_thai_marks_take_no_column() -> None:
    assert display_width("ที่") == 1  # ท, then two marks above it
    assert display_width("ศธ ๐๒๐๖/๑๒๓๔") == len("ศธ 0206/1234")


def test_columns_align_by_display_width() -> None:
    table = format_table(["BOOK NO", "STATE"], [["ศธ ๐๙๙๐/๑๒๓๔", "sent"], ["ที่ 1", "queued"]])
    lines = table.splitlines()
    starts = {
        display_width(line[: line.index(word)])
        for line, word in zip(lines, ["STATE", "sent", "queued"], strict=True)
    }
    assert len(starts) == 1


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=5), "5s"),
        (timedelta(minutes=3, seconds=7), "3m 7s"),
        (timedelta(hours=2, minutes=1, seconds=9), "2h 1m"),
        (timedelta(days=3, hours=4, minutes=5), "3d 4h"),
        (timedelta(seconds=-3), "0s"),
    ],
)
def test_age(delta: timedelta, text: str) -> None:
    assert age(delta) == text
