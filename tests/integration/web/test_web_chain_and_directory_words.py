"""Sentences the core gives as data, said in the page's language: what broke the audit chain (the check
on the audit page), where the directory came from (the dashboard), how old a queue is, and the registry
book's notes; a Thai page reads Thai and an English page English."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import httpx
from ecms_adapters.web.i18n import translate
from sqlalchemy import delete, func, select, update

from ecms_gateway.engine.values import ChainBreak
from ecms_gateway.letter.thai import THAI_TIME
from ecms_gateway.runtime.directory import read_cache, write_cache
from ecms_gateway.runtime.routing import DirectoryFrom, DirectoryOrigin, RoutingTable
from ecms_gateway.store.tables import AUDIT
from tests.integration.web.live import LiveWeb, csrf_of, sample
from tests.integration.web.test_web_routes import _receive

NODE = "http://127.0.0.1:9/ecms"


def _seen(page: str) -> str:
    """The text a person sees: tags dropped, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _verdict(client: httpx.Client) -> str:
    page = client.get("/audit")
    answer = client.post("/audit", data={"csrf": csrf_of(page.text)})
    found = re.search(r'id="verdict">(.*?)</p>', answer.text, re.DOTALL)
    assert found is not None, answer.text
    return html.unescape(found.group(1))


def _in_both(live: LiveWeb) -> tuple[httpx.Client, httpx.Client]:
    """An operator reading Thai (the default) and one reading English, both logged in before the chain
    is touched (a log-in writes to it)."""
    thai, english = live.logged_in("operator"), live.logged_in("operator")
    english.get("/lang", params={"to": "en", "next": "/audit"})
    return thai, english


def test_an_altered_entry_is_named_in_the_pages_language(live: LiveWeb) -> None:
    _receive(live)
    thai, english = _in_both(live)
    with live.store.db.write() as conn:
        conn.execute(update(AUDIT).where(AUDIT.c.seq == 2).values(actor="clerk:someone-else"))
    report = live.store.verify_audit()
    assert (report.kind, report.first_bad, dict(report.numbers)) == (ChainBreak.ALTERED, 2, {"seq": 2})
    said = _verdict(thai)
    assert said == translate("th", "audit.bad", seq=2, problem="รายการที่ 2 ถูกแก้ไข: เนื้อหาไม่ตรงกับค่าแฮชของรายการ")
    assert "altered" not in said
    assert _verdict(english) == translate("en", "audit.bad", seq=2, problem=report.problem)


def test_one_entry_cut_off_the_end_is_said_as_one(live: LiveWeb) -> None:
    _receive(live)
    thai, english = _in_both(live)
    with live.store.db.write() as conn:
        last = conn.execute(select(func.max(AUDIT.c.seq))).scalar_one()
        conn.execute(delete(AUDIT).where(AUDIT.c.seq == last))
    report = live.store.verify_audit()
    assert report.kind is ChainBreak.END_REMOVED
    assert report.problem == f"entries {last} to {last} were removed from the end of the chain"  # as the CLI
    assert _verdict(thai) == translate(
        "th", "audit.bad", seq=last, problem=f"รายการที่ {last} ถูกลบออกจากท้ายสายบันทึก"
    )
    assert _verdict(english) == translate(
        "en", "audit.bad", seq=last, problem=f"entry {last} was removed from the end of the chain"
    )


def _directory_line(client: httpx.Client) -> str:
    page = client.get("/dashboard").text
    return " ".join(_seen(page.split('id="directory">')[1].split("</p>")[0]).split())


def test_the_dashboard_says_where_the_directory_came_from_in_the_pages_language(live: LiveWeb) -> None:
    operator = live.logged_in("operator")
    assert live.table.origin is not None
    path = live.table.origin.where
    thai = _directory_line(operator)
    assert f"{translate('th', 'dash.directory_from.file')} {path}" in thai
    assert "directory file" not in thai
    operator.get("/lang", params={"to": "en", "next": "/dashboard"})
    assert f"{translate('en', 'dash.directory_from.file')} {path}" in _directory_line(operator)


def test_a_kept_copy_of_the_nodes_directory_says_which_node_and_when(live: LiveWeb) -> None:
    fetched = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
    node_table = RoutingTable(
        live.table.organizations,
        source=f"GetOrganizationList of {NODE}",
        origin=DirectoryOrigin(kind=DirectoryFrom.NODE, where=NODE),
    )
    write_cache(live.root, node_table, now=fetched)
    cached = read_cache(live.root)
    assert cached is not None
    assert cached.origin == DirectoryOrigin(kind=DirectoryFrom.CACHE, where=NODE, fetched_at=fetched)
    assert cached.source == f"GetOrganizationList of {NODE} as fetched at {fetched.isoformat()}"  # the logs'
    live.table = cached
    operator = live.logged_in("operator")
    thai = _directory_line(operator)
    assert f"{translate('th', 'dash.directory_from.cache')} {NODE}" in thai
    assert translate("th", "dash.directory_fetched", at="20 พ.ย. 2569 10:30") in thai
    assert "fetched" not in thai
    operator.get("/lang", params={"to": "en", "next": "/dashboard"})
    english = _directory_line(operator)
    assert f"{translate('en', 'dash.directory_from.cache')} {NODE}" in english
    assert translate("en", "dash.directory_fetched", at="20 Nov 2569 BE 10:30") in english


def test_the_queues_age_is_in_the_pages_language(live: LiveWeb) -> None:
    live.store.accept_outbound(sample(), actor="test", channel="ecms")
    operator = live.logged_in("operator")
    ages = re.compile(r"<td>(\d+ [^<]+)</td></tr>")
    assert re.fullmatch(r"\d+ (วินาที|นาที)", ages.findall(operator.get("/dashboard").text)[0])
    operator.get("/lang", params={"to": "en", "next": "/dashboard"})
    assert re.fullmatch(r"\d+ (s|min)", ages.findall(operator.get("/dashboard").text)[0])


def test_the_registry_books_notes_are_in_the_pages_language(live: LiveWeb) -> None:
    letter_id = _receive(live)  # most urgent
    live.services.register(letter_id, actor="user:clerk")
    today = datetime.now(THAI_TIME).date().isoformat()
    clerk = live.logged_in("clerk")
    query = {"book": "in", "from": "2026-01-01", "to": today}
    assert translate("th", "speed.most_urgent") in _seen(clerk.get("/registry", params=query).text)
    clerk.get("/lang", params={"to": "en", "next": "/registry"})
    english = _seen(clerk.get("/registry", params=query).text)
    assert translate("en", "speed.most_urgent") in english
    assert "ด่วนที่สุด" not in english
