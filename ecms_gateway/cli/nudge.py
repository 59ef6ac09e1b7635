"""What a command that leaves work for the running gateway says after it: the gateway on this data folder
is woken (SIGUSR1); when none runs here but gateway processes elsewhere share the PostgreSQL database,
they are named, since they pick the work up at their next poll.
"""

from __future__ import annotations

from pathlib import Path


def wake_or_say(*, data_dir: Path, database_url: str | None, role: str, then: str) -> None:
    """Wake the gateway running on ``data_dir``; when none runs here, print (in brackets) who does the
    work: the gateway processes elsewhere on the database, or, when there are none, that `ecms-gateway
    run` ``then`` (``will deliver it``). ``role`` is the command, as for ``open_store``."""
    from ecms_gateway.runtime.control import wake_gateway  # noqa: PLC0415 - the parser imports this module

    if wake_gateway(data_dir) is not None:
        return
    others = running_elsewhere(data_dir=data_dir, database_url=database_url, role=role)
    if others is None:
        print(f"(no gateway runs on this data folder now: `ecms-gateway run` {then})")
    else:
        print(
            f"(no gateway runs on this data folder on this machine; {others} pick it up at their next poll)"
        )


def running_elsewhere(*, data_dir: Path, database_url: str | None, role: str) -> str | None:
    """``the gateway(s) running elsewhere on its database (host-b:4242, host-c:977)``, named by their
    PostgreSQL sessions; None on SQLite and when no ``ecms-gateway run`` is connected."""
    from ecms_gateway.store.database import resolve_url  # noqa: PLC0415 - as above
    from ecms_gateway.store.sessions import gateways_running  # noqa: PLC0415 - as above

    running = gateways_running(resolve_url(data_dir=data_dir, database_url=database_url), role=role)
    if not running:
        return None
    return f"the gateway(s) running elsewhere on its database ({', '.join(g.where for g in running)})"
