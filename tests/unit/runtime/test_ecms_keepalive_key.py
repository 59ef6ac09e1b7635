"""``ecms.keepalive_expiry_seconds`` is a configuration key: it reaches the node's SOAP client, has the
client's default, and a wrong value is refused with its key."""

from __future__ import annotations

from pathlib import Path

import pytest
from ecms_adapters.runtime.gateway import soap_config
from ecms_adapters.soap import SoapClientConfig

from ecms_gateway.config import load_config
from ecms_gateway.errors import ConfigError

URL = "http://127.0.0.1:9/ecms-ws01/service2"


def _config(tmp_path: Path, ecms: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(f'[ecms]\nnode_url = "{URL}"\n{ecms}\n', encoding="utf-8")
    return path


def test_the_keepalive_expiry_in_the_file_reaches_the_soap_client(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "keepalive_expiry_seconds = 4.5"))
    assert soap_config(config, URL).keepalive_expiry_s == 4.5
    assert soap_config(config, URL).timeouts().keepalive_expiry == 4.5


def test_without_the_key_the_client_keeps_its_default_of_two_seconds(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, ""))
    assert config.ecms.keepalive_expiry_seconds == 2
    assert soap_config(config, URL).keepalive_expiry_s == SoapClientConfig(url=URL).keepalive_expiry_s


@pytest.mark.parametrize("value", ["0", "-1", '"long"'])
def test_a_keepalive_expiry_that_is_not_a_positive_number_names_the_key(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"ecms\.keepalive_expiry_seconds: "):
        load_config(_config(tmp_path, f"keepalive_expiry_seconds = {value}"))
