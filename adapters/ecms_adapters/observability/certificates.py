"""Days left before each certificate the gateway depends on expires: our signing keys (per served
organisation, the earliest end in the key's chain), the S/MIME key, and the trust store's CA and pinned
partner certificates. Computed at scrape time: our keys as loaded at start, the trust store as its
folder is now (a running gateway follows it, ``TrustFolder``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ecms_adapters.observability.recorder import PREFIX
from ecms_gateway.engine.context import utc_now
from ecms_gateway.signing import OutboundSigner
from ecms_gateway.signing.certs import fingerprint
from ecms_gateway.signing.trust import TrustFolder, TrustStore

SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True, kw_only=True)
class WatchedCertificate:
    role: str  # signing | smime | trust_ca | trust_pinned
    org: str  # the organisation it is for ("" for a CA)
    fingerprint: str  # SHA-256 of the certificate (the leaf for a key), to find it among several
    not_after: datetime


def _watched(role: str, org: str, chain: Sequence[x509.Certificate]) -> WatchedCertificate:
    return WatchedCertificate(
        role=role,
        org=org,
        fingerprint=fingerprint(chain[0]).replace(":", "").lower()[:16],
        not_after=min(cert.not_valid_after_utc for cert in chain),
    )


def signing_certificates(signer: OutboundSigner, org_ids: Iterable[str]) -> list[WatchedCertificate]:
    """Our signing keys (already loaded at start, so this reads no file)."""
    watched = []
    for org in org_ids:
        key = signer.key(org)
        watched.append(_watched("signing", org, (key.certificate, *key.chain)))
    return watched


def trust_certificates(trust: TrustStore) -> list[WatchedCertificate]:
    watched = [_watched("trust_ca", "", (cert,)) for cert in trust.cas]
    watched += [_watched("trust_pinned", org, (c,)) for org, certs in trust.pinned.items() for c in certs]
    return watched


def smime_certificate(org: str, certificate: x509.Certificate) -> WatchedCertificate:
    return _watched("smime", org, (certificate,))


class CertificateCollector(Collector):
    """``ecms_gateway_certificate_days_left{role, org, fingerprint}``; negative once expired.

    ``certificates`` are fixed (our keys); ``trust`` is the trust store, a ``TrustFolder`` read as it
    is at each scrape, so a partner certificate pinned, replaced or removed while the gateway runs
    shows (or stops showing) as the verifier sees it."""

    def __init__(
        self,
        certificates: Sequence[WatchedCertificate],
        *,
        trust: TrustStore | TrustFolder | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.certificates = tuple(certificates)
        self._trust = trust
        self._clock = clock
        self._trusted: tuple[TrustStore | None, tuple[WatchedCertificate, ...]] = (None, ())

    def _trust_certificates(self) -> tuple[WatchedCertificate, ...]:
        trust = self._trust
        store = trust.current() if isinstance(trust, TrustFolder) else trust
        if store is None:
            return ()
        seen, watched = self._trusted
        if seen is not store:  # the same store object: its certificates were described already
            watched = tuple(trust_certificates(store))
            self._trusted = (store, watched)
        return watched

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            f"{PREFIX}_certificate_days_left",
            "Days until the certificate expires (for a signing key: the earliest end in its chain)",
            labels=("role", "org", "fingerprint"),
        )
        now = self._clock()
        for cert in (*self.certificates, *self._trust_certificates()):
            days = (cert.not_after - now).total_seconds() / SECONDS_PER_DAY
            family.add_metric((cert.role, cert.org, cert.fingerprint), round(days, 3))
        yield family
