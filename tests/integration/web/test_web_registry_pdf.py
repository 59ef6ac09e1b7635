"""The registry book as PDF over HTTP is drawn on a thread of its own, one book at a time: a year's book
takes tens of seconds, and drawn on the gateway's small pool two of them would leave the letters' store
calls a single thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from ecms_adapters.web import registry

from ecms_gateway.letter.thai import THAI_TIME
from tests.integration.web.live import LiveWeb
from tests.integration.web.test_web_routes import _registered


def test_books_are_drawn_one_at_a_time_on_their_own_thread(
    live: LiveWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    _registered(live)
    draw = registry.book_pdf
    drawing = threading.Lock()
    busy: list[int] = [0]
    seen: list[tuple[str, int]] = []

    def watched(
        *, title: str, period: str, headings: Sequence[str], rows: Sequence[Sequence[str]], lang: str
    ) -> bytes:
        with drawing:
            busy[0] += 1
            seen.append((threading.current_thread().name, busy[0]))
        try:
            time.sleep(0.3)  # long enough for the other request to arrive while this book is drawn
            return draw(title=title, period=period, headings=headings, rows=rows, lang=lang)
        finally:
            with drawing:
                busy[0] -= 1

    monkeypatch.setattr(registry, "book_pdf", watched)
    today = datetime.now(THAI_TIME).date().isoformat()
    clients = [live.logged_in("clerk"), live.logged_in("clerk")]

    def fetch(index: int) -> bytes:
        answer = clients[index].get("/registry.pdf", params={"book": "in", "from": "2026-01-01", "to": today})
        assert answer.status_code == 200
        return answer.content

    with ThreadPoolExecutor(max_workers=2) as both:
        books = list(both.map(fetch, range(2)))
    assert all(book.startswith(b"%PDF-") for book in books)
    assert [busy_then for _, busy_then in seen] == [1, 1]  # the second waited for the first
    assert all(name.startswith(registry.PDF_THREAD) for name, _ in seen), seen
