"""The trust store: CA certificates and pinned partner certificates or keys, per organisation.

Folder layout (see docs/signing.md)::

    trust/ca/*.pem              CA certificates trusted for every organisation; a certificate they
                                issue must name the organisation in its subject (organizationIdentifier
                                or OU = the 10-digit organisation ID)
    trust/orgs/<org_id>/*.pem   certificates (or, for legacy partners, public keys) pinned for that
                                organisation: trusted for it alone, whatever their subject says

Organisation directory entries may carry a PEM certificate; ``with_pins`` adds it as a pin.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError

from ecms_gateway.errors import ConfigError, TrustError
from ecms_gateway.signing.certs import describe, expiry_warning, fingerprint, has_signing_usage, org_ids_of
from ecms_gateway.signing.certs import validity_problem as _validity_problem

log = logging.getLogger(__name__)

_PEM_BLOCK: Final = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.+?-----END \1-----", re.DOTALL)
_ORG_DIR: Final = re.compile(r"[0-9]{10}")
_SPKI: Final = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class TrustMethod(StrEnum):
    """Why a signer is trusted for an organisation."""

    PINNED = "pinned"  # its certificate is pinned for the organisation
    CA = "ca"  # it chains to a trusted CA and its subject names the organisation
    PINNED_KEY = "pinned-key"  # a bare RSA key (legacy) equal to a key pinned for the organisation


@dataclass(frozen=True, kw_only=True)
class TrustedSigner:
    """Who signed, for which organisation, and how long that judgement holds."""

    org_id: str
    method: TrustMethod
    public_key: PublicKeyTypes
    certificates: tuple[x509.Certificate, ...] = ()  # leaf first; empty for a bare pinned key
    not_before: datetime | None = None  # latest start of validity in the chain
    not_after: datetime | None = None  # earliest end of validity in the chain

    @property
    def subject(self) -> str | None:
        return self.certificates[0].subject.rfc4514_string() if self.certificates else None

    @property
    def fingerprint(self) -> str | None:
        return fingerprint(self.certificates[0]) if self.certificates else None

    def holds_at(self, now: datetime) -> bool:
        """True while every certificate in the chain is within its validity period."""
        return (self.not_before is None or self.not_before <= now) and (
            self.not_after is None or now <= self.not_after
        )


def _spki(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(*_SPKI)


def _pin_action(org_id: str) -> str:
    return (
        f"Check the certificate with organisation {org_id} by a second channel, then pin it in "
        f"trust/orgs/{org_id}/ or add its issuing CA to trust/ca/"
    )


@dataclass(frozen=True, kw_only=True)
class TrustStore:
    """CA certificates for everyone plus pinned certificates and keys per organisation ID."""

    cas: tuple[x509.Certificate, ...] = ()
    pinned: Mapping[str, tuple[x509.Certificate, ...]] = field(default_factory=dict)
    pinned_keys: Mapping[str, tuple[PublicKeyTypes, ...]] = field(default_factory=dict)

    @classmethod
    def from_folder(cls, folder: Path) -> TrustStore:
        """Load ``folder/ca/*.pem`` and ``folder/orgs/<org_id>/*.pem``; ``ConfigError`` names bad files."""
        if not folder.is_dir():
            raise ConfigError(
                f"trust store folder {folder} does not exist; create it with ca/ and orgs/<org_id>/"
            )
        cas: list[x509.Certificate] = []
        for path in sorted((folder / "ca").glob("*.pem")):
            certs, keys = _read_pem(path.read_bytes(), source=str(path))
            if keys or not certs:
                raise ConfigError(f"{path} must hold CA certificates only (BEGIN CERTIFICATE blocks)")
            cas.extend(certs)
        store = cls(cas=tuple(cas))
        orgs = folder / "orgs"
        for org_dir in sorted(orgs.iterdir()) if orgs.is_dir() else ():
            if not org_dir.is_dir() or not _ORG_DIR.fullmatch(org_dir.name):
                raise ConfigError(f"{org_dir} must be a folder named by a 10-digit organisation ID")
            for path in sorted(org_dir.glob("*.pem")):
                store = store.with_pins(org_dir.name, path.read_bytes(), source=str(path))
        return store

    @property
    def pinned_orgs(self) -> frozenset[str]:
        """The organisations with a certificate or a public key pinned."""
        return frozenset(
            org for pins in (self.pinned, self.pinned_keys) for org, pinned in pins.items() if pinned
        )

    def with_pins(self, org_id: str, pem: bytes, *, source: str = "directory entry") -> TrustStore:
        """A store that also trusts the certificates and public keys in ``pem`` for ``org_id``."""
        certs, keys = _read_pem(pem, source=source)
        if not certs and not keys:
            raise ConfigError(f"{source} for organisation {org_id} holds no PEM certificate or public key")
        pinned = dict(self.pinned)
        pinned[org_id] = (*pinned.get(org_id, ()), *certs)
        pinned_keys = dict(self.pinned_keys)
        pinned_keys[org_id] = (*pinned_keys.get(org_id, ()), *keys)
        return replace(self, pinned=pinned, pinned_keys=pinned_keys)

    def with_directory(self, entries: Iterable[tuple[str, bytes]]) -> TrustStore:
        """Add the PEM certificates that organisation directory entries carry, as pins."""
        store = self
        for org_id, pem in entries:
            store = store.with_pins(org_id, pem, source=f"directory entry {org_id}")
        return store

    def expiry_warnings(self, now: datetime) -> tuple[str, ...]:
        """Warnings for CA and pinned certificates that expire within 30 days."""
        roles = [(c, "trusted CA") for c in self.cas]
        roles += [(c, f"pinned ({org})") for org, certs in self.pinned.items() for c in certs]
        return tuple(w for c, role in roles if (w := expiry_warning(c, now, role=role)) is not None)

    def trust_certificates(
        self, certs: tuple[x509.Certificate, ...], org_id: str, now: datetime
    ) -> TrustedSigner:
        """Decide whether the signer in ``certs`` may sign for ``org_id`` at ``now``; else ``TrustError``."""
        leaf = _pick_leaf(certs)
        if leaf in self.pinned.get(org_id, ()):
            _check_usable(leaf, org_id, now)
            return _signer(org_id, TrustMethod.PINNED, (leaf,))
        for other, pins in self.pinned.items():
            if leaf in pins:
                raise TrustError(
                    "organisation",
                    f"the certificate {describe(leaf)} is pinned for organisation {other}, not {org_id}",
                    org_id=org_id,
                    action="The message claims a sender that did not sign it; reject it and tell both",
                )
        _check_usable(leaf, org_id, now)
        chain = self._verify_chain(leaf, [c for c in certs if c is not leaf], org_id, now)
        named = org_ids_of(leaf)
        if org_id not in named:
            said = ", ".join(sorted(named)) or "no organisation"
            raise TrustError(
                "organisation",
                f"the certificate {describe(leaf)} is CA-issued but names {said} "
                "(organizationIdentifier/OU), "
                f"not {org_id}",
                org_id=org_id,
                action=(
                    f"A certificate for {org_id} must carry organizationIdentifier={org_id}; if this one "
                    f"really belongs to {org_id}, pin it in trust/orgs/{org_id}/"
                ),
            )
        return _signer(org_id, TrustMethod.CA, chain)

    def trust_bare_key(self, key: PublicKeyTypes, org_id: str, now: datetime) -> TrustedSigner:
        """A bare key (legacy RSAKeyValue) is trusted only when pinned for ``org_id``."""
        spki = _spki(key)
        for cert in self.pinned.get(org_id, ()):
            if _spki(cert.public_key()) == spki:
                _check_usable(cert, org_id, now)
                return _signer(org_id, TrustMethod.PINNED_KEY, (cert,))
        if any(_spki(k) == spki for k in self.pinned_keys.get(org_id, ())):
            return TrustedSigner(org_id=org_id, method=TrustMethod.PINNED_KEY, public_key=key)
        raise TrustError(
            "pinned-key",
            "the signature carries a bare RSA key (KeyValue) that is not pinned for this organisation; "
            "a bare key proves nothing by itself",
            org_id=org_id,
            action=(
                f"Obtain the partner's public key or certificate by a second channel and pin it in "
                f"trust/orgs/{org_id}/"
            ),
        )

    def _verify_chain(
        self, leaf: x509.Certificate, others: list[x509.Certificate], org_id: str, now: datetime
    ) -> tuple[x509.Certificate, ...]:
        if not self.cas:
            raise TrustError(
                "chain",
                f"the certificate {describe(leaf)} is not pinned for this organisation and the trust store "
                "has no CA",
                org_id=org_id,
                action=_pin_action(org_id),
            )
        verifier = (
            PolicyBuilder()
            .store(Store(list(self.cas)))
            .time(now)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
            )
            .build_client_verifier()
        )
        try:
            return tuple(verifier.verify(leaf, others).chain)
        except VerificationError as exc:
            raise TrustError(
                "chain",
                f"the certificate {describe(leaf)} does not chain to a trusted CA ({exc})",
                org_id=org_id,
                action=_pin_action(org_id),
            ) from exc


def _signer(org_id: str, method: TrustMethod, chain: tuple[x509.Certificate, ...]) -> TrustedSigner:
    return TrustedSigner(
        org_id=org_id,
        method=method,
        public_key=chain[0].public_key(),
        certificates=chain,
        not_before=max(c.not_valid_before_utc for c in chain),
        not_after=min(c.not_valid_after_utc for c in chain),
    )


def _check_usable(cert: x509.Certificate, org_id: str, now: datetime) -> None:
    if (problem := _validity_problem(cert, now)) is not None:
        raise TrustError(
            "validity",
            problem,
            org_id=org_id,
            action="Ask the partner to sign with a current certificate; if in doubt, check our clock",
        )
    if not has_signing_usage(cert):
        raise TrustError(
            "key-usage",
            f"the certificate {describe(cert)} does not allow signing (keyUsage lacks digitalSignature and "
            "nonRepudiation)",
            org_id=org_id,
            action="Ask the partner to sign with a signing certificate",
        )


def _pick_leaf(certs: tuple[x509.Certificate, ...]) -> x509.Certificate:
    """The certificate that issued none of the others (the signer's); the first one when unclear."""
    leaves = [c for c in certs if not any(o is not c and o.issuer == c.subject for o in certs)]
    return leaves[0] if len(leaves) == 1 else certs[0]


def _read_pem(data: bytes, *, source: str) -> tuple[list[x509.Certificate], list[PublicKeyTypes]]:
    certs: list[x509.Certificate] = []
    keys: list[PublicKeyTypes] = []
    for match in _PEM_BLOCK.finditer(data):
        kind = match.group(1)
        try:
            if kind == b"CERTIFICATE":
                certs.append(x509.load_pem_x509_certificate(match.group(0)))
            elif kind == b"PUBLIC KEY":
                keys.append(serialization.load_pem_public_key(match.group(0)))
            else:
                raise ConfigError(
                    f"{source} holds a {kind.decode()} block; only certificates and public keys belong here"
                )
        except ValueError as exc:
            raise ConfigError(f"{source} holds an unreadable {kind.decode()} block ({exc})") from exc
    return certs, keys


RECHECK_S: Final = 2.0
"""How often a ``TrustFolder`` looks whether its files changed (a stat of each file)."""


class TrustFolder:
    """A trust store folder that a running gateway follows: a certificate pinned or removed, a CA added,
    takes effect within ``RECHECK_S`` without a restart. A folder that no longer loads (a broken file
    being copied in) keeps the last good store and says why once."""

    def __init__(self, folder: Path, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = folder
        self._clock = clock
        self._seen = self._state()
        self.store = TrustStore.from_folder(folder)
        self._checked = clock()
        self._problem: str | None = None

    def current(self) -> TrustStore:
        """The store as the folder is now (read again when a file changed)."""
        now = self._clock()
        if now - self._checked < RECHECK_S:
            return self.store
        self._checked = now
        state = self._state()
        if state == self._seen:
            return self.store
        try:
            store = TrustStore.from_folder(self.folder)
        except (ConfigError, OSError) as exc:
            if str(exc) != self._problem:
                log.warning(
                    "trust store %s changed but cannot be read, the last good one stays: %s", self.folder, exc
                )
            self._problem = str(exc)
            return self.store
        self.store, self._seen, self._problem = store, state, None
        log.info(
            "trust store %s read again: %d CA(s), %d pinned organisation(s)",
            self.folder,
            len(store.cas),
            len(store.pinned_orgs),
        )
        return store

    def _state(self) -> frozenset[tuple[str, int, int]]:
        found = set()
        for path in (*self.folder.glob("ca/*.pem"), *self.folder.glob("orgs/*/*.pem")):
            try:
                stat = path.stat()
            except OSError:
                continue
            found.add((str(path), stat.st_mtime_ns, stat.st_size))
        return frozenset(found)
