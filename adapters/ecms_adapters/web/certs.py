"""The signing certificates the dashboard lists, read from the configured PEM files when the page is
asked for (a renewed certificate shows without a restart)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from cryptography import x509

from ecms_adapters.web.context import CertStatus
from ecms_gateway.signing.config import SigningConfig


def certificate_statuses(signing: SigningConfig) -> Callable[[], list[CertStatus]]:
    def read() -> list[CertStatus]:
        now = datetime.now(UTC)
        out = []
        for org_id, ref in sorted(signing.keys.items()):
            try:
                cert = x509.load_pem_x509_certificate(ref.cert.read_bytes())
            except (OSError, ValueError) as exc:
                out.append(
                    CertStatus(org_id=org_id, subject=f"{ref.cert}: {exc}", not_after=now.date(), days_left=0)
                )
                continue
            ends = cert.not_valid_after_utc
            out.append(
                CertStatus(
                    org_id=org_id,
                    subject=cert.subject.rfc4514_string(),
                    not_after=ends.date(),
                    days_left=(ends - now).days,
                )
            )
        return out

    return read
