"""A refusal by the letter's state names the refused action in the page's language: registering a
letter already rejected says ลงทะเบียนรับ on a Thai page (and register on an English one), never the engine's
English word for the event in a Thai sentence."""

from __future__ import annotations

from ecms_adapters.web.context import LANG_COOKIE

from ecms_gateway.engine import LetterState
from tests.integration.web.live import LiveWeb, csrf_of, message_after
from tests.integration.web.test_web_routes import _receive


def test_registering_a_rejected_letter_names_the_action_in_thai(live: LiveWeb) -> None:
    letter_id = _receive(live)
    clerk = live.logged_in("clerk")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    # Rejected in another tab meanwhile, then registered from this one.
    clerk.post(f"/letters/{letter_id}/reject", data={"csrf": csrf, "reason": "ผิดเรื่อง"})
    said = message_after(clerk, clerk.post(f"/letters/{letter_id}/register", data={"csrf": csrf}))
    assert said is not None
    assert "“ลงทะเบียนรับ”" in said
    assert "ปฏิเสธ" in said  # the state the letter is in, in Thai too
    assert "register" not in said
    assert live.store.show(letter_id).letter.state is LetterState.REJECTED


def test_rejecting_a_registered_letter_names_the_action_in_english_on_an_english_page(live: LiveWeb) -> None:
    letter_id = _receive(live)
    clerk = live.logged_in("clerk")
    clerk.cookies.set(LANG_COOKIE, "en")
    csrf = csrf_of(clerk.get(f"/letters/{letter_id}").text)
    clerk.post(f"/letters/{letter_id}/register", data={"csrf": csrf})
    answer = clerk.post(f"/letters/{letter_id}/reject", data={"csrf": csrf, "reason": "ผิดเรื่อง"})
    said = message_after(clerk, answer)
    assert said is not None
    assert "so reject does not apply" in said
