"""A registry book as a PDF: A4 landscape, the bundled Sarabun font, Thai shaped by HarfBuzz (vowels and
tone marks stacked and placed as Thai readers expect, which fpdf2 alone does not do) and broken into
lines between words (``thai_words``), not inside them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, cast

from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from fpdf.fonts import FontFace

from ecms_adapters.web.render import be_datetime
from ecms_adapters.web.thai_words import ZWSP, word_breaks

FONTS: Final = Path(__file__).parent / "static" / "vendor" / "sarabun"
COLUMN_WIDTHS: Final = (14, 22, 30, 22, 44, 44, 72, 29)  # millimetres, 277 in all (A4 landscape less margins)
LINE_HEIGHT: Final = 5.5


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
        table.row([_in_lines(pdf, str(v), w) for v, w in zip(headings, COLUMN_WIDTHS, strict=True)])
        pdf.set_font("Sarabun", size=10)
        for values in rows:
            table.row([_in_lines(pdf, str(v), w) for v, w in zip(values, COLUMN_WIDTHS, strict=True)])
    pdf.ln(3)
    pdf.set_font("Sarabun", size=9)
    pdf.cell(0, 5, f"{len(rows)} รายการ · พิมพ์เมื่อ {printed} (เวลาประเทศไทย)", align="R")
    return bytes(pdf.output())


def _in_lines(pdf: FPDF, text: str, width: float) -> str:
    """``text`` with a newline wherever its cell (``width`` mm, the current font) must break it: Thai
    between words, a word wider than the cell between its character clusters. The lines are found with
    those boundaries marked (fpdf2 breaks at a zero-width space), then the marks are taken out, so that
    the PDF's text (copied, searched) is the text as it was. A tenth of a millimetre to spare keeps the
    table from breaking a line again."""
    room = width - 0.1

    def fits(part: str) -> bool:
        return pdf.get_string_width(part) <= room - 2 * pdf.c_margin

    if "\n" not in text and fits(text):
        return text
    marked = word_breaks(text, fits=fits)
    if ZWSP not in marked:
        return text
    lines = pdf.multi_cell(room, LINE_HEIGHT, marked, dry_run=True, output=MethodReturnValue.LINES)
    return "\n".join(line.replace(ZWSP, "") for line in cast(list[str], lines))  # what output=LINES gives
