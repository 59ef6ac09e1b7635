"""Property-based fuzzing with schemathesis against our own /openapi.json, served by the real
server: no generated request, valid or not, makes a 5xx. Each operation gets a few dozen examples
so that the whole run stays well under a minute (``API_FUZZ_EXAMPLES=500`` for a deeper run)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode

from ecms_gateway.access import Role
from tests.integration.api.letters import base64_body, files_of, letter_json, received
from tests.integration.api.server import ApiServer, make_server

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "30"))  # more for a deeper run by hand


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    server = make_server(Path(tmp_path_factory.mktemp("fuzz"))).start()
    letter = letter_json(1)
    with server.client() as client:  # something to find: ids 1 and 2 exist
        client.post("/api/v1/letters", json=base64_body(letter, files_of(letter)))
    received(server.store, 2)
    try:
        yield server
    finally:
        server.stop()
        server.store.close()


def _operations(server: ApiServer) -> list[schemathesis.APIOperation]:
    document = httpx.get(f"{server.url}/openapi.json", headers=server.headers(Role.ADMIN)).json()
    schema = schemathesis.openapi.from_dict(document)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_generated_request_is_answered_with_a_server_error(
    fuzzed: ApiServer, mode: GenerationMode
) -> None:
    headers = fuzzed.headers(Role.ADMIN)
    operations = _operations(fuzzed)
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: Case) -> None:
            response = case.call(base_url=fuzzed.url, headers={**(case.headers or {}), **headers})
            assert response.status_code < 500, case.as_curl_command()

        try:
            check()
        except Unsatisfiable:
            # Nothing in this operation can be made invalid (no parameters, no body): no negative case.
            assert mode is GenerationMode.NEGATIVE, operation.label
