"""CPU per row of the registry book's PDF (ทะเบียนหนังสือรับ/ส่ง), as the web pages draw it.

Run: .venv/bin/python bench/bench_registry_pdf.py [--rows 1000] [--rounds 3]
Draws a book of ROWS rows of varied Thai subjects (the sample subjects of the Thai word tests) with the
book's own PDF class and with fpdf2's plain FPDF (which runs the Unicode bidirectional algorithm over
every cell), alternately, ROUNDS times each in this process; prints each draw's CPU time, the median per
row and the ratio. Figures, not a test (the machine's other load moves them; compare within one run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecms_adapters.web import registry_pdf
from fpdf import FPDF

from tests.unit.web.test_thai_words import BOOK_SUBJECTS

HEADINGS = ["เลขทะเบียน", "วันที่ลงทะเบียน", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ"]
SENDERS = ["สำนักงานเลขาธิการคุรุสภา", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษากรุงเทพมหานคร", "กรมส่งเสริมการเรียนรู้"]


def rows(count: int) -> list[list[str]]:
    return [
        [
            str(i + 1),
            f"{1 + i % 28} พ.ย. 2569 {8 + i % 9:02d}:{i % 60:02d}",
            f"ศธ 0{990 + i % 7}/{1000 + i}",
            f"{1 + i % 28} พ.ย. 2569",
            SENDERS[i % len(SENDERS)],
            SENDERS[(i + 1) % len(SENDERS)],
            BOOK_SUBJECTS[i % len(BOOK_SUBJECTS)],
            "ลงทะเบียนรับแล้ว" if i % 3 else "",
        ]
        for i in range(count)
    ]


def draw(book: list[list[str]]) -> float:
    started = time.process_time()
    registry_pdf.book_pdf(title="ทะเบียนหนังสือรับ", period="พ.ศ. 2569", headings=HEADINGS, rows=book)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    book = rows(args.rows)
    ours = registry_pdf._BookPdf
    draw(book[:20])  # fonts, shaping and the word list loaded before anything is timed
    times: dict[str, list[float]] = {"plain FPDF": [], "book PDF": []}
    for _ in range(args.rounds):
        for name, cls in (("plain FPDF", FPDF), ("book PDF", ours)):
            registry_pdf._BookPdf = cls  # type: ignore[misc]
            times[name].append(draw(book))
    registry_pdf._BookPdf = ours  # type: ignore[misc]
    print(f"{args.rows} rows, {args.rounds} rounds each, alternating; CPU seconds per draw")
    for name, spent in times.items():
        per_row = statistics.median(spent) / args.rows * 1000
        print(f"  {name:11} {', '.join(f'{s:.2f}' for s in spent)}  median {per_row:.2f} ms a row")
    ratio = statistics.median(times["book PDF"]) / statistics.median(times["plain FPDF"])
    print(f"book PDF / plain FPDF: {ratio:.2f}x")


if __name__ == "__main__":
    main()
