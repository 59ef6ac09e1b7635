"""The directory file: read into the lists the node serves; every fault reported with its place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecms_gateway.errors import ConfigError
from ecms_gateway.node import load_directory, node_key
from ecms_gateway.node.directory import department_of, org_of
from tests.conftest import SAMPLES


def test_the_sample_directory_loads_with_its_nodes_and_code_tables() -> None:
    directory = load_directory(SAMPLES / "directory.json")
    served = directory.served_by("HTTP://127.0.0.1:8800/ecms-ws01/service2/")
    assert [o.organization_id for o in served] == ["2099000000", "2099100000"]
    assert directory.organization("21990") is not None
    assert directory.organization("2199000000").ecms_url is None  # type: ignore[union-attr]
    assert [c.value for c in directory.speed_codes] == ["001", "002", "003", "004"]
    assert directory.node_for("http://127.0.0.1:8800/ecms-ws01/service2?org=2099000000") is not None
    assert directory.node_for("http://127.0.0.1:8801/ecms-ws01/service2") is None


def test_every_fault_of_a_directory_file_is_named_with_its_place(tmp_path: Path) -> None:
    data = json.loads((SAMPLES / "directory.json").read_text(encoding="utf-8"))
    data["organizations"][0]["id"] = "209900000"
    data["organizations"][1]["ecms_url"] = "ftp://node/x"
    del data["mime_codes"]
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_directory(path)
    message = str(raised.value)
    assert "organizations.0.id" in message
    assert "organizations.1.ecms_url" in message
    assert "mime_codes" in message


def test_an_organisation_listed_twice_is_a_config_error(tmp_path: Path) -> None:
    """Routing took the first entry and GetOrganizationList showed both, perhaps with two nodes."""
    data = json.loads((SAMPLES / "directory.json").read_text(encoding="utf-8"))
    data["organizations"].append(
        {**data["organizations"][0], "ecms_url": "http://other.test/ecms-ws01/service2"}
    )
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_directory(path)
    last = len(data["organizations"]) - 1
    assert f"organizations.{last}.id: 2099000000 is listed already (organizations.0)" in str(raised.value)


def test_a_missing_or_non_json_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_directory(tmp_path / "absent.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="faults"):
        load_directory(tmp_path / "bad.json")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTP://Node.Example:80/ecms-ws01/service2/", "http://node.example/ecms-ws01/service2"),
        ("https://node.example:443/ecms-ws01/service2?org=1", "https://node.example/ecms-ws01/service2"),
        ("http://127.0.0.1:8800/ecms-ws01/service2", "http://127.0.0.1:8800/ecms-ws01/service2"),
    ],
)
def test_node_urls_compare_without_case_default_port_slash_or_query(url: str, key: str) -> None:
    assert node_key(url) == key


def test_department_and_organisation_codes_convert() -> None:
    assert department_of("2099100000") == department_of("20991") == "20991"
    assert org_of("20991") == org_of("2099100000") == "2099100000"
