"""Long text a letter may carry (a book number or a code with no place to break) stays inside its
column: the sent and received lists neither push the other columns off the page at desk width nor
cut the cards off at phone width."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Watch, login
from tests.integration.web.live import PASSWORD, LiveWeb, sample

pytestmark = pytest.mark.browser

BOOK_NO = "ศธ 0990/" + "1234567890" * 19  # 198 characters, none a place to break
SUBJECT = "ขอเชิญประชุม " + "REF-" + "ABCDEFGHIJ" * 30


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveWeb]:
    web = LiveWeb(tmp_path).start()
    package = sample()
    letter = package.letter.model_copy(update={"book_no": BOOK_NO, "subject": SUBJECT})
    web.store.accept_outbound(replace(package, letter=letter), actor="test", channel="ecms")
    yield web
    web.stop()


def _overflow(page: Page) -> list[str]:
    """What sticks out: the page wider than the window, or a table cell's text wider than the cell."""
    return list(
        page.evaluate(
            """() => {
              const found = [];
              const page = document.documentElement;
              const wide = (box) => box.scrollWidth > box.clientWidth + 1;
              const size = (box) => `${box.scrollWidth} > ${box.clientWidth}`;
              if (wide(page)) found.push(`page ${size(page)}`);
              document.querySelectorAll("table td").forEach((cell) => {
                if (wide(cell)) found.push(`${cell.dataset.label}: ${size(cell)}`);
              });
              return found;
            }"""
        )
    )


@pytest.mark.parametrize(("width", "name"), [(1280, "desk"), (390, "phone")])
def test_a_long_book_number_and_subject_stay_inside_their_columns(
    live: LiveWeb, watch: Watch, width: int, name: str
) -> None:
    page = watch.page(width=width, height=844)
    login(page, live.url, "clerk", PASSWORD)
    page.goto(f"{live.url}/sent")
    watch.shot(page, f"sent-{name}")
    assert _overflow(page) == []
    state = page.locator("table.letters td").nth(5).bounding_box()  # the state column is still on screen
    assert state is not None
    assert state["x"] + state["width"] <= width
