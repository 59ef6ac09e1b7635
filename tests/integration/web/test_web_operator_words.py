"""The operators' pages in the operator's language: the audit log names each action from the catalogue
(not ``letter.give_up``) and says a give-up in its own words with the system's quoted, a person's
reason as written; the dashboard says how polling the node went (not "poll OK") and what the
directory line's figures are."""

from __future__ import annotations

import html
import re

from ecms_adapters.web.i18n import translate

from ecms_gateway.engine.states import Event
from ecms_gateway.errors import PermanentFailure
from tests.integration.web.live import ORG_A, LiveWeb, sample
from tests.integration.web.test_web_routes import _receive

FACT = "cannot sign: the private key keys/a.key.pem cannot be read"
DOWN = "cannot connect: connection refused"


def _seen(page: str) -> str:
    """The text a person sees: tags dropped, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _audit_table(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>", maxsplit=1)[0]


def _given_up(live: LiveWeb) -> None:
    live.store.accept_outbound(sample(), actor="test", channel="ecms")
    claim = live.store.claim("ecms", "w1")
    assert claim is not None
    live.store.fail(claim.work_id, worker="w1", error=PermanentFailure(FACT))


def test_the_audit_log_names_actions_and_says_a_give_up_in_the_pages_language(live: LiveWeb) -> None:
    _given_up(live)
    operator = live.logged_in("operator")
    thai = _audit_table(operator.get("/audit").text)
    seen = _seen(thai)
    for code in ("letter.accepted", "letter.claim", "letter.give_up", "access.user_added"):
        assert f'data-action="{code}">{translate("th", "act." + code)}<' in thai
        assert code not in seen
    said = f'<q class="system-words" lang="en">{FACT}</q>'
    assert f"{translate('th', 'tl.why.permanent')} {said}" in html.unescape(thai)
    assert "gave up" not in seen  # the stored English frame is not shown on a Thai page
    operator.get("/lang", params={"to": "en", "next": "/audit"})
    english = _audit_table(operator.get("/audit").text)
    assert f'data-action="letter.give_up">{translate("en", "act.letter.give_up")}<' in english
    assert f"{translate('en', 'tl.why.permanent')} {said}" in html.unescape(english)


def test_a_clerks_reason_shows_as_written_not_quoted_as_the_systems(live: LiveWeb) -> None:
    letter_id = _receive(live)
    live.store.apply_event(letter_id, Event.REJECT, actor="clerk:clerk", reason="ข้อมูลไม่ครบถ้วน")
    thai = html.unescape(_audit_table(live.logged_in("operator").get("/audit").text))
    row = next(r for r in thai.split("<tr>") if 'data-action="letter.reject"' in r)
    assert '<td class="long">ข้อมูลไม่ครบถ้วน</td>' in row
    assert "<q" not in row


def test_the_dashboard_says_how_polling_went_in_the_pages_language(live: LiveWeb) -> None:
    live.services.status.polled(ORG_A, None)
    operator = live.logged_in("operator")
    thai = _seen(operator.get("/dashboard").text)
    assert "poll OK" not in thai
    assert translate("th", "dash.poll_ok", at="").strip() in thai
    assert translate("th", "dash.directory_count", n=3) in thai
    live.services.status.polled(ORG_A, DOWN)
    page = html.unescape(operator.get("/dashboard").text)
    poll = page.split(f'id="poll-{ORG_A}"')[1].split("</p>")[0]
    assert translate("th", "dash.poll_failed") in poll
    assert f'{translate("th", "tl.why")} <q class="system-words" lang="en">{DOWN}</q>' in poll
    operator.get("/lang", params={"to": "en", "next": "/dashboard"})
    english = html.unescape(operator.get("/dashboard").text)
    assert translate("en", "dash.poll_failed") in english.split(f'id="poll-{ORG_A}"')[1]
