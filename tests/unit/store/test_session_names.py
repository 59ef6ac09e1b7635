"""What the gateway calls its PostgreSQL sessions (``application_name``) and how it reads them back:
``ecms-gateway <role> <host>:<pid>`` within PostgreSQL's 63 bytes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ecms_gateway.store.sessions import GatewayName, Session, describe_all, parse_session_name, session_name


def test_a_session_says_program_role_host_and_process() -> None:
    assert session_name("run", host="gw-1", pid=4242) == "ecms-gateway run gw-1:4242"
    assert session_name("db upgrade", host="gw-1", pid=7) == "ecms-gateway db upgrade gw-1:7"


def test_a_long_host_is_cut_so_that_the_process_still_shows_within_63_bytes() -> None:
    name = session_name("webhooks deliveries", host="h" * 80 + ".ministry.go.th", pid=4194304)
    assert len(name.encode()) == 63
    assert name.startswith("ecms-gateway webhooks deliveries hhh")
    assert name.endswith(":4194304")
    assert parse_session_name(name) == GatewayName(role="webhooks deliveries", host="h" * 22, pid=4194304)


def test_a_host_name_outside_printable_ascii_is_written_as_postgresql_keeps_it() -> None:
    assert session_name("run", host="เครื่อง-1", pid=1) == "ecms-gateway run ???????-1:1"


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("ecms-gateway run gw-1:4242", GatewayName(role="run", host="gw-1", pid=4242)),
        ("ecms-gateway mail confirm gw-2:9", GatewayName(role="mail confirm", host="gw-2", pid=9)),
        ("psql", None),
        ("", None),
        ("ecms-gateway run", None),
        ("ecms-gateway run gw-1", None),
        ("ecms-gateway run gw-1:pid", None),
        ("ecms-gatewayx run gw-1:1", None),
    ],
)
def test_only_a_gateway_session_name_is_read_as_one(name: str, read: GatewayName | None) -> None:
    assert parse_session_name(name) == read


def test_a_process_with_several_sessions_is_named_once() -> None:
    start = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    run = Session(application_name="ecms-gateway run gw-1:42", client="10.0.0.7", started=start)
    console = Session(application_name="", client=None, started=None)
    assert run.serving
    assert not console.serving
    assert describe_all([run, run, console]) == (
        "'ecms-gateway run gw-1:42' from 10.0.0.7, connected since 2026-11-20 01:00:00Z (2 sessions); "
        "a session without application_name over a local socket"
    )
