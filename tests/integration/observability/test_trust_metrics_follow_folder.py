"""The certificate-expiry gauges of a running gateway follow its trust folder as its verifier does:
a partner certificate pinned while it runs appears, one removed disappears (no restart)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography import x509
from ecms_adapters.runtime.gateway import ObservedGateway, build_gateway
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from ecms_gateway.config import load_config
from ecms_gateway.signing import trust as trust_module
from ecms_gateway.signing import write_new_key
from ecms_gateway.signing.certs import fingerprint

pytestmark = pytest.mark.anyio
OURS, PARTNER = "2099000000", "2199000000"


def _pinned(gateway: ObservedGateway) -> set[tuple[str, str]]:
    text = generate_latest(gateway.observability.registry).decode()
    return {
        (s.labels["org"], s.labels["fingerprint"])
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "ecms_gateway_certificate_days_left" and s.labels["role"] == "trust_pinned"
    }


def _short(cert_file: Path) -> str:
    return fingerprint(x509.load_pem_x509_certificate(cert_file.read_bytes())).replace(":", "").lower()[:16]


async def test_a_partner_certificate_pinned_or_removed_while_running_shows_in_the_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trust_module, "RECHECK_S", 0.0)  # look at the folder at every scrape
    monkeypatch.delenv("ECMS_GATEWAY_DATA_DIR", raising=False)
    monkeypatch.delenv("ECMS_GATEWAY_DATABASE_URL", raising=False)
    ours = write_new_key(OURS, tmp_path / "keys")
    old = write_new_key(PARTNER, tmp_path / "old", days=20)
    new = write_new_key(PARTNER, tmp_path / "new", days=400)
    pins = tmp_path / "trust" / "orgs" / PARTNER
    pins.mkdir(parents=True)
    shutil.copy(old.cert, pins / "2026.pem")
    config_file = tmp_path / "gateway.toml"
    config_file.write_text(
        f"""
[gateway]
data_dir = "data"
[signing]
trust_dir = "trust"
[signing.keys.{OURS}]
key = "{ours.key}"
cert = "{ours.cert}"
[ecms]
node_url = "http://127.0.0.1:9/ecms-ws01/service2"
[[organizations]]
id = "{OURS}"
""",
        encoding="utf-8",
    )
    async with build_gateway(load_config(config_file)) as gateway:
        assert _pinned(gateway) == {(PARTNER, _short(old.cert))}
        shutil.copy(new.cert, pins / "2027.pem")
        (pins / "2026.pem").unlink()
        assert _pinned(gateway) == {(PARTNER, _short(new.cert))}
