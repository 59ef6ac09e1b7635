"""The signing certificates the dashboard lists: the one each organisation's key signs with now (the
gateway loads its keys at start), and, read from the configured PEM file when the page is asked for,
whether that file now holds another certificate or cannot be read: a renewed certificate is used only
after a restart, and the page says so instead of showing the new one as if it were in use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from cryptography import x509

from ecms_adapters.web.context import CertStatus
from ecms_gateway.signing import OutboundSigner
from ecms_gateway.signing.config import SigningConfig


def certificate_statuses(
    signing: SigningConfig, signer: OutboundSigner | None = None
) -> Callable[[], list[CertStatus]]:
    """``signer`` is the running gateway's; without one (or for a key it has not loaded) the file's
    certificate is the one listed."""

    def read() -> list[CertStatus]:
        now = datetime.now(UTC)
        out = []
        for org_id, ref in sorted(signing.keys.items()):
            loaded = None if signer is None else signer.loaded(org_id)
            try:
                on_file: x509.Certificate | None = x509.load_pem_x509_certificate(ref.cert.read_bytes())
                problem = None
            except (OSError, ValueError) as exc:
                on_file, problem = None, f"{ref.cert}: {exc}"
            in_use = loaded.certificate if loaded is not None else on_file
            if in_use is None:
                out.append(
                    CertStatus(
                        org_id=org_id,
                        subject="",
                        not_after=now.date(),
                        days_left=0,
                        file_problem=problem,
                        none_in_use=True,
                    )
                )
                continue
            ends = in_use.not_valid_after_utc
            out.append(
                CertStatus(
                    org_id=org_id,
                    subject=in_use.subject.rfc4514_string(),
                    not_after=ends.date(),
                    days_left=(ends - now).days,
                    file_not_after=_other_end(in_use, on_file),
                    file_problem=problem,
                )
            )
        return out

    return read


def _other_end(in_use: x509.Certificate, on_file: x509.Certificate | None) -> date | None:
    if on_file is None or on_file == in_use:
        return None
    return on_file.not_valid_after_utc.date()
