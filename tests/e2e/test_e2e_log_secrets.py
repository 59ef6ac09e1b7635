"""Secrets and letter contents never reach the logs: two gateways (JSON logs at debug, the most they
ever write) exchange a letter through a real node with a passphrase-protected signing key, and neither
the passphrase, the private key, the subject nor the file's bytes (raw or Base64) appear in any log,
while the lines about the letter do carry its id."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives import serialization
from e2e_cluster import Cluster, letter
from ecms_adapters.runtime.processes import cli_command

from ecms_gateway.engine import LetterState
from ecms_gateway.letter.model import FileData
from ecms_gateway.services import clerk

pytestmark = pytest.mark.e2e

PASSPHRASE = "pass-LEAK-CHECK-3b9e1c"
SUBJECT = "เรื่องลับ LEAK-SUBJECT-41d2"
CONTENT = b"%PDF-1.4\n% LEAK-CONTENT-8a7f " + bytes(range(256)) * 4 + b"\n%%EOF\n"
PASSPHRASE_ENV = "LEAK_TEST_KEY_PASSPHRASE"


def _protect_key(cluster: Cluster, name: str) -> str:
    """Encrypt the agency's signing key with ``PASSPHRASE``; its configuration names the variable.
    Returns a line from the middle of the key's PEM (what a leaked key would show)."""
    agency = cluster.layout[name]
    path = agency.folder / "keys" / f"{agency.org_id}.key.pem"
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    )
    path.write_bytes(pem)
    config = agency.config.read_text(encoding="utf-8")
    cert_line = f'cert = "keys/{agency.org_id}.cert.pem"\n'
    agency.config.write_text(
        config.replace(cert_line, f'{cert_line}passphrase_env = "{PASSPHRASE_ENV}"\n'), encoding="utf-8"
    )
    plain = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return plain.decode().splitlines()[3]


def test_no_secret_or_letter_content_is_logged_and_letter_lines_carry_the_letter_id(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster(extra_toml='\n[logging]\nformat = "json"\nlevel = "debug"\n')
    key_line = _protect_key(cluster, "A")
    cluster.start_node()
    env = {PASSPHRASE_ENV: PASSPHRASE}
    for name in ("A", "B"):
        command = cli_command("run", "--config", str(cluster.layout[name].config))
        cluster.start_gateway(name, command=command, env=env)
    package = letter(1, subject=SUBJECT)
    package = replace(package, main=FileData(name="secret.pdf", mime="application/pdf", content=CONTENT))
    letter_id = cluster.submit("A", package)
    inbound = cluster.wait_received("B", package.letter)
    clerk.register(cluster.stores["B"], inbound.id, actor="clerk:test")
    cluster.wake("B")
    cluster.wait_state("A", package.letter, LetterState.ACCEPTED)
    cluster.close()  # every process has written and closed its log

    logs = {
        path.name: path.read_text(encoding="utf-8", errors="replace")
        for path in (cluster.layout["A"].log, cluster.layout["B"].log, cluster.layout.node_log)
    }
    encoded = base64.b64encode(CONTENT).decode()
    secrets = {
        "passphrase": PASSPHRASE,
        "private key": key_line,
        "subject": SUBJECT,
        "subject as XML escapes": "LEAK-SUBJECT-41d2",
        "file content": "LEAK-CONTENT-8a7f",
        "file content in Base64": encoded[40:100],
    }
    for log_name, text in logs.items():
        for what, secret in secrets.items():
            assert secret not in text, f"the {what} is in {log_name}"

    a_log = logs[cluster.layout["A"].log.name]
    lines = [json.loads(line) for line in a_log.splitlines() if line.startswith("{")]
    assert lines, "gateway A wrote JSON lines"
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    about_letter = [line for line in lines if line.get("letter_id") == letter_id]
    assert about_letter, "lines logged while A's letter was in hand name it"
