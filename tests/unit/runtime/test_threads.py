"""How many threads run a gateway's blocking calls: few on SQLite, a thread per worker on PostgreSQL,
or what ``runtime.threads`` says."""

from __future__ import annotations

from pathlib import Path

import pytest
from ecms_adapters.runtime.gateway import API_THREADS, SQLITE_THREADS, thread_count

from ecms_gateway.config import GatewayConfig, load_config
from ecms_gateway.errors import ConfigError
from ecms_gateway.store.database import DATABASE_URL_ENV

PG = "postgresql://gateway@127.0.0.1:5432/gateway"


def config(tmp_path: Path, **sections: dict[str, object]) -> GatewayConfig:
    return GatewayConfig.model_validate({"gateway": {"data_dir": str(tmp_path)}, **sections})


def test_on_sqlite_a_few_threads_whatever_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    busy = config(tmp_path, runtime={"outbound_workers": 12, "inbound_workers": 6}, http={"port": 0})
    assert thread_count(busy) == SQLITE_THREADS == 3
    assert thread_count(config(tmp_path)) == SQLITE_THREADS


def test_on_postgresql_a_thread_per_worker_and_more_for_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    workers = {"outbound_workers": 5, "inbound_workers": 3}
    plain = config(tmp_path, gateway={"data_dir": str(tmp_path), "database_url": PG}, runtime=workers)
    assert thread_count(plain) == 5 + 3 + 4
    served = config(
        tmp_path, gateway={"data_dir": str(tmp_path), "database_url": PG}, runtime=workers, http={"port": 0}
    )
    assert thread_count(served) == 5 + 3 + 4 + API_THREADS
    monkeypatch.setenv(DATABASE_URL_ENV, PG)  # the environment's URL counts as the file's does
    assert thread_count(config(tmp_path, runtime=workers)) == 5 + 3 + 4


def test_runtime_threads_is_taken_as_given_and_checked(tmp_path: Path) -> None:
    assert thread_count(config(tmp_path, runtime={"threads": 7})) == 7
    path = tmp_path / "gateway.toml"
    path.write_text("[runtime]\nthreads = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"runtime\.threads"):
        load_config(path)
