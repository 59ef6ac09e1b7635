"""A registry book as a PDF: A4 landscape, the bundled Sarabun font, Thai shaped by HarfBuzz (vowels and
tone marks stacked and placed as Thai readers expect, which fpdf2 alone does not do) and broken into
lines between words (``thai_words``), not inside them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from fpdf import FPDF
from fpdf.fonts import FontFace

from ecms_adapters.web.render import be_datetime
from ecms_adapters.web.thai_words import ZWSP, word_breaks

FONTS: Final = Path(__file__).parent / "static" / "vendor" / "sarabun"
COLUMN_WIDTHS: Final = (14, 22, 30, 22, 44, 44, 72, 29)  # millimetres, 277 in all (A4 landscape less margins)
LINE_HEIGHT: Final = 5.5
_BREAKS: Final = re.compile(f"({ZWSP}| )")  # where a line may break: kept apart as pieces


def book_pdf(*, title: str, period: str, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("Sarabun", style="", fname=str(FONTS / "sarabun-400.ttf"))
    pdf.add_font("Sarabun", style="B", fname=str(FONTS / "sarabun-700.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, script="thai", language="tha")
    pdf.set_title(title)
    pdf.set_creator("ecms-gateway")
    printed = be_datetime(datetime.now(UTC))
    pdf.add_page()
    pdf.set_font("Sarabun", style="B", size=16)
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("Sarabun", size=12)
    pdf.cell(0, 7, period, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(2)
    pdf.set_font("Sarabun", size=10)
    heading = FontFace(family="Sarabun", emphasis="BOLD", fill_color=(230, 230, 230))
    with pdf.table(
        col_widths=COLUMN_WIDTHS,
        width=sum(COLUMN_WIDTHS),
        headings_style=heading,
        line_height=LINE_HEIGHT,
        text_align="LEFT",
        repeat_headings=1,
    ) as table:
        pdf.set_font("Sarabun", style="B", size=10)
        table.row([_in_lines(pdf, str(v), w, {}) for v, w in zip(headings, COLUMN_WIDTHS, strict=True)])
        pdf.set_font("Sarabun", size=10)
        widths: dict[str, float] = {}  # of the pieces of text, in the rows' font
        for values in rows:
            table.row([_in_lines(pdf, str(v), w, widths) for v, w in zip(values, COLUMN_WIDTHS, strict=True)])
    pdf.ln(3)
    pdf.set_font("Sarabun", size=9)
    pdf.cell(0, 5, f"{len(rows)} รายการ · พิมพ์เมื่อ {printed} (เวลาประเทศไทย)", align="R")
    return bytes(pdf.output())


def _in_lines(pdf: FPDF, text: str, width: float, widths: dict[str, float]) -> str:
    """``text`` with a newline wherever its cell (``width`` mm, the current font) must break it: at a
    space, between Thai words, and inside a word wider than the cell between its character clusters;
    each line as long as fits. The table then finds every line fits (a tenth of a millimetre is kept
    to spare) and breaks none again; the PDF's text is the text as it was (copied, searched), with no
    marks in it.

    fpdf2 measures text by shaping it (slow: its own line breaking measures character by character),
    so a line is filled with the widths of its pieces, each measured once a book (``widths``), and
    measured whole only when it is done; a line wider than its pieces added up (kerning across them)
    hands its last pieces on to the next line."""
    room = width - 0.1 - 2 * pdf.c_margin

    def measure(piece: str) -> float:
        known = widths.get(piece)
        if known is None:
            known = widths[piece] = pdf.get_string_width(piece)
        return known

    if "\n" not in text and measure(text) <= room:
        return text
    lines: list[str] = []
    for paragraph in text.split("\n"):
        pieces = [p for p in _BREAKS.split(word_breaks(paragraph, fits=lambda w: measure(w) <= room)) if p]
        line: list[str] = []
        for piece in pieces:
            if piece == ZWSP or (piece == " " and not line):
                continue  # a mark is not text; a line does not start with a space
            if piece != " " and "".join(line).strip() and sum(map(measure, line)) + measure(piece) > room:
                done, line = _fitted(pdf, line, room)
                lines.append(done)
            line.append(piece)
        while line:
            done, line = _fitted(pdf, line, room)
            lines.append(done)
    return "\n".join(lines)


def _fitted(pdf: FPDF, line: list[str], room: float) -> tuple[str, list[str]]:
    """The line's text (trailing spaces dropped), and the pieces that go on to the next line: none,
    unless the line measured whole is wider than its pieces added up (kerning across them)."""
    rest: list[str] = []
    while True:
        while line and line[-1] == " ":
            line = line[:-1]
        text = "".join(line)
        if len(line) <= 1 or pdf.get_string_width(text) <= room:
            return text, rest
        rest.insert(0, line[-1])
        line = line[:-1]
