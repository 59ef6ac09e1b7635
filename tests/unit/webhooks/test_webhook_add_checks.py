"""Adding a webhook (the service the CLI and the API share): every fault of the URL, event types and
secret is reported at once, and a second webhook for a URL that has one is refused naming it (it would
have delivered every event twice)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ecms_gateway.engine import Store
from ecms_gateway.errors import DuplicateWebhook, NotFound, RequestInvalid
from ecms_gateway.webhooks import Webhooks
from ecms_gateway.webhooks.subscriptions import same_url


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path) as opened:
        yield opened


def test_every_fault_of_a_new_webhook_is_said_at_once(store: Store) -> None:
    hooks = Webhooks(store)
    with pytest.raises(RequestInvalid) as caught:
        hooks.add("ftp://saraban.example.go.th/x", actor="test", events=["letter.sent"], secret="short")
    faults = {f.where: f.problem for f in caught.value.faults}
    assert set(faults) == {"url", "events", "secret"}
    assert "not a web address" in faults["url"]
    assert "unknown event type letter.sent" in faults["events"]
    assert "at least 16 characters" in faults["secret"]
    assert hooks.all() == []


def test_a_second_webhook_for_the_same_url_is_refused_naming_the_first(store: Store) -> None:
    hooks = Webhooks(store)
    first = hooks.add("https://saraban.example.go.th/hook", actor="test").subscription
    for again in ("https://saraban.example.go.th/hook", "HTTPS://SARABAN.example.go.th:443/hook "):
        with pytest.raises(DuplicateWebhook) as caught:
            hooks.add(again, actor="test", events=["letter.received"])
        assert caught.value.existing_id == first.id
        assert f"webhook {first.id} already delivers to https://saraban.example.go.th/hook" in str(
            caught.value
        )
        # The CLI's advice: change it in place (removing and adding it again would lose events).
        assert f"`ecms-gateway webhooks change {first.id} --events TYPES`" in str(caught.value)
        assert "remove" not in str(caught.value)
        assert "ecms-gateway" not in caught.value.fact  # what other faces say before their own advice
    assert [s.id for s in hooks.all()] == [first.id]
    assert store.verify_audit().ok  # the refused adds left nothing in the chain


def test_urls_that_differ_are_different_webhooks(store: Store) -> None:
    hooks = Webhooks(store)
    for url in (
        "https://saraban.example.go.th/hook",
        "https://saraban.example.go.th/hook/other",
        "https://saraban.example.go.th:8443/hook",
        "http://saraban.example.go.th/hook",
        "https://saraban.example.go.th/hook?office=2",
    ):
        hooks.add(url, actor="test")
    assert len(hooks.all()) == 5


def test_same_url_ignores_case_of_scheme_and_host_and_the_default_port_only() -> None:
    assert same_url("HTTP://Example.GO.th:80") == same_url("http://example.go.th/")
    assert same_url("https://example.go.th/Path") != same_url("https://example.go.th/path")
    assert same_url("http://[::1]:8080/h") == same_url("http://[::1]:8080/h")


def test_an_unknown_webhook_keeps_the_command_line_advice_apart(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        Webhooks(store).get(9)
    assert str(caught.value) == "there is no webhook 9; `ecms-gateway webhooks list` shows them"
    assert caught.value.fact == "there is no webhook 9"
