"""The observability of a running gateway, wired from its parts: readiness checks (database, file
store, each served organisation's node, the mail servers), the scrape-time collectors (queue and
letters, poll lag, certificates) and who may read ``/metrics`` (operators and admins, as the API's
operator routes decide)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ecms_adapters.observability.auth import operator_only
from ecms_adapters.observability.certificates import (
    CertificateCollector,
    WatchedCertificate,
    signing_certificates,
    smime_certificate,
)
from ecms_adapters.observability.collectors import PollStatus, RuntimeCollector, StoreCollector, StoreReadings
from ecms_adapters.observability.endpoints import Observability
from ecms_adapters.observability.probes import mail_checks
from ecms_gateway.engine import Store
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime.health import HealthChecks, database_check, folder_check, node_check
from ecms_gateway.runtime.mail import MailParts
from ecms_gateway.runtime.outage import StoreOutage
from ecms_gateway.signing import OutboundSigner
from ecms_gateway.signing.trust import TrustFolder, TrustStore


def gateway_observability(
    *,
    store: Store,
    readings: StoreReadings,
    nodes: Mapping[str, EcmsNode],
    signer: OutboundSigner,
    trust: TrustStore | TrustFolder,
    files: Path,
    mail: MailParts | None = None,
    status: PollStatus | None = None,
    outage: StoreOutage | None = None,
) -> Observability:
    """``files`` is the file store's folder (``<data_dir>/files``); ``readings`` is normally ``store``;
    ``trust`` is the verifier's, a ``TrustFolder`` when the gateway follows its trust folder; ``outage``
    the process's, so that readiness knows the database out of reach without a query of its own."""
    checks = [database_check(store, outage=outage), folder_check("file_store", files)]
    checks += [node_check(org, node) for org, node in nodes.items()]
    certificates: list[WatchedCertificate] = signing_certificates(signer, nodes)
    if mail is not None:
        checks += mail_checks(mail.settings.smtp, mail.settings.imap)
        if mail.smime is not None:
            certificates.append(smime_certificate(mail.settings.org_id, mail.smime.certificate))
    collectors = [StoreCollector(readings), CertificateCollector(certificates, trust=trust)]
    if status is not None:
        collectors.append(RuntimeCollector(status, tuple(nodes)))
    return Observability(
        health=HealthChecks(checks),
        collectors=collectors,
        guard=operator_only(),
    )
