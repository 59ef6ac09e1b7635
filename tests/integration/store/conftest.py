"""Fixtures for the store suite: every test runs on SQLite and on a real PostgreSQL.

Each xdist worker starts its own throwaway PostgreSQL cluster (session scope) and gives every test a
fresh database copied from a migrated template.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_support import TEMPLATE, Backend, CutProxy, FakeClock, new_pg_database

from ecms_gateway.engine import Store
from ecms_gateway.store import Database, resolve_url, throwaway_pg, upgrade


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[throwaway_pg.Cluster]:
    if throwaway_pg.find_bindir() is None:
        message = "PostgreSQL server binaries not found (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must run the PostgreSQL suite")
        pytest.skip(message)
    cluster = throwaway_pg.start()
    try:
        db = Database(cluster.create_database(TEMPLATE))
        upgrade(db)
        db.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        return Backend("sqlite", resolve_url(data_dir=data_dir), data_dir)
    cluster: throwaway_pg.Cluster = request.getfixturevalue("pg_cluster")
    return Backend("postgres", new_pg_database(cluster), data_dir)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(backend: Backend, clock: FakeClock) -> Iterator[Store]:
    with backend.open(clock=clock) as opened:
        yield opened


@pytest.fixture
def proxied(pg_cluster: throwaway_pg.Cluster, tmp_path: Path) -> Iterator[tuple[Store, CutProxy]]:
    """A store on a fresh PostgreSQL database reached through a proxy the test can cut (the server out of
    reach: stopped, restarting, the network) and mend."""
    url = new_pg_database(pg_cluster)
    proxy = CutProxy(pg_cluster.port)
    store = Store(database_url=url.replace(f":{pg_cluster.port}/", f":{proxy.port}/"), data_dir=tmp_path)
    try:
        yield store, proxy
    finally:
        proxy.close()
        store.close()
