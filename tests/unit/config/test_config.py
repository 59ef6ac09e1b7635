"""The TOML configuration: the example loads, mistakes name their key, values reach the commands."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ecms_gateway.cli.main import main
from ecms_gateway.config import GatewayConfig, load_config
from ecms_gateway.errors import ConfigError
from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.signing.config import UnsignedPolicy

EXAMPLE = Path(__file__).resolve().parents[3] / "config" / "gateway.example.toml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_configuration_loads_and_matches_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ECMS_GATEWAY_DATA_DIR", raising=False)
    config = load_config(EXAMPLE)
    defaults = GatewayConfig()
    assert config.xml == defaults.xml
    assert config.policy == defaults.policy
    assert config.signing.default_partner == defaults.signing.default_partner
    assert config.retry_policies().default == defaults.retry_policies().default
    assert config.follow_up == defaults.follow_up
    assert config.gateway.data_dir == EXAMPLE.parent / "var"


def test_every_mistake_is_reported_with_its_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[xml]
max_bytes = -1
[policy]
electronic_secrecy = ["normal", "top_secret"]
[signing.partners.123]
unsigned = "maybe"
[gatway]
data_dir = "x"
[retry.ecmz]
base_seconds = 5
""",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "xml.max_bytes: " in message
    assert "policy.electronic_secrecy: top_secret can never be allowed" in message
    assert "signing.partners.123" in message
    assert "signing.partners.123.unsigned" in message
    assert "gatway: is not a configuration key" in message
    assert "retry: [retry.ecmz] is not read by the gateway: a retry section is one of [retry." in message


def test_key_files_and_trust_folder_must_exist(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[signing]
trust_dir = "trust"
[signing.keys.2099000000]
key = "keys/a.key.pem"
cert = "keys/a.cert.pem"
""",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert f"signing.keys.2099000000.key: file {tmp_path / 'keys/a.key.pem'} does not exist" in message
    assert "signing.keys.2099000000.cert" in message
    assert "signing.trust_dir: folder" in message


def test_a_wrong_key_and_a_missing_file_are_reported_together(tmp_path: Path) -> None:
    """One run names every problem: a mistyped key did not hide that the key file is not there (the
    operator fixed the key, ran again, and only then learnt of the file)."""
    path = _write(
        tmp_path,
        """
[ecms]
node_ur = "http://127.0.0.1:9/ecms-ws01/service2"
[signing]
trust_dir = "trust"
[signing.keys.2099000000]
key = "keys/a.key.pem"
cert = "keys/a.cert.pem"
""",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "ecms.node_ur: is not a configuration key" in message
    assert f"signing.keys.2099000000.key: file {tmp_path / 'keys/a.key.pem'} does not exist" in message
    assert "signing.trust_dir: folder" in message


def test_syntax_errors_name_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line 2"):
        load_config(_write(tmp_path, "[xml]\nmax_bytes = = 3\n"))


def test_values_become_the_engine_and_signing_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ECMS_GATEWAY_DATABASE_URL", raising=False)
    monkeypatch.delenv("ECMS_GATEWAY_DATA_DIR", raising=False)
    (tmp_path / "keys").mkdir()
    for name in ("k.pem", "c.pem"):
        (tmp_path / "keys" / name).write_text("x", encoding="utf-8")
    path = _write(
        tmp_path,
        """
[gateway]
data_dir = "data"
database_url = "postgresql+psycopg://gw@127.0.0.1/gw"
[policy]
electronic_secrecy = ["normal", "confidential"]
[signing.keys.2099000000]
key = "keys/k.pem"
cert = "keys/c.pem"
passphrase_env = "MY_PASS"
[signing.partners.2199000000]
legacy = true
unsigned = "accept-and-flag"
[retry.ecms]
max_attempts = 3
""",
    )
    config = load_config(path)
    assert config.gateway.data_dir == tmp_path / "data"
    assert config.database_url == "postgresql+psycopg://gw@127.0.0.1/gw"
    assert config.secrecy_policy().allowed == {Secrecy.NORMAL, Secrecy.CONFIDENTIAL}
    signing = config.signing_config()
    key = signing.key_for("2099000000")
    assert key.key == tmp_path / "keys" / "k.pem"
    assert key.passphrase_env == "MY_PASS"
    assert signing.partner("2199000000").legacy
    assert signing.partner("2199000000").unsigned is UnsignedPolicy.ACCEPT_AND_FLAG
    assert not signing.partner("2099100000").legacy
    policies = config.retry_policies()
    assert policies.per_channel["ecms"].max_attempts == 3
    assert policies.default.cap == timedelta(hours=1)
    monkeypatch.setenv("ECMS_GATEWAY_DATABASE_URL", "postgresql+psycopg://other@127.0.0.1/x")
    assert config.database_url == "postgresql+psycopg://other@127.0.0.1/x"


def test_commands_take_their_limits_from_the_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], samples: Path
) -> None:
    config = _write(tmp_path, "[xml]\nmax_bytes = 1000\n")
    xml = tmp_path / "letter.xml"
    assert main(["convert", str(samples / "letter-002.json"), "-o", str(xml)]) == 0
    capsys.readouterr()
    assert main(["validate", str(xml), "--config", str(config)]) == 1
    assert "raise xml.max_bytes" in capsys.readouterr().out
    assert main(["validate", str(xml), "--config", str(config), "--max-bytes", "100000"]) == 0


def test_store_commands_use_the_configured_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ECMS_GATEWAY_DATABASE_URL", raising=False)
    monkeypatch.delenv("ECMS_GATEWAY_DATA_DIR", raising=False)
    config = _write(tmp_path, '[gateway]\ndata_dir = "state"\n')
    monkeypatch.setenv("ECMS_GATEWAY_CONFIG", str(config))
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert (tmp_path / "state" / "gateway.sqlite3").is_file()


def test_a_broken_configuration_stops_a_command_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], samples: Path
) -> None:
    config = _write(tmp_path, "[xml]\nmax_size = 3\n")
    assert main(["validate", str(samples / "letter-001.json"), "--config", str(config)]) == 1
    assert "xml.max_size: is not a configuration key" in capsys.readouterr().err


def test_follow_up_hours_reach_the_policy_and_must_be_positive(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "[follow_up]\nmost_urgent_hours = 2.5\nnormal_hours = 72\n"))
    policy = config.follow_up_policy()
    assert policy.hours[Speed.MOST_URGENT] == 2.5
    assert policy.hours[Speed.NORMAL] == 72
    assert policy.hours[Speed.URGENT] == 48  # the default
    with pytest.raises(ConfigError, match=r"follow_up\.urgent_hours"):
        load_config(_write(tmp_path, "[follow_up]\nurgent_hours = 0\n"))
