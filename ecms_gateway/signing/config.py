"""Signing configuration as typed objects: keys per organisation, trust store, partner policies.

The TOML configuration fills these; nothing here reads files until a key or the store is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ecms_gateway.errors import ConfigError
from ecms_gateway.signing.algorithms import Profile
from ecms_gateway.signing.keys import KeyRef
from ecms_gateway.signing.trust import TrustFolder, TrustStore


class UnsignedPolicy(StrEnum):
    """What happens to an unsigned letter or notifier from a partner."""

    REJECT = "reject"  # refuse it (SignatureMissing); the default
    ACCEPT_AND_FLAG = "accept-and-flag"  # accept it, marked unsigned, and show the mark to clerks


@dataclass(frozen=True, kw_only=True)
class PartnerPolicy:
    """How one partner organisation signs, and what we accept from it."""

    legacy: bool = False  # also accept rsa-sha1, sha1, C14N with comments and pinned bare RSA keys
    unsigned: UnsignedPolicy = UnsignedPolicy.REJECT  # an unsigned letter
    # An unsigned notifier: accepted by default. The e-CMS samples sign letters only, so a partner's
    # system (and a gateway not told to sign them) sends notifiers without a signature; refusing them
    # would leave every letter to it without its acknowledgements.
    unsigned_notifiers: UnsignedPolicy = UnsignedPolicy.ACCEPT_AND_FLAG
    sign_notifiers: bool = False  # sign the notifiers we send to this partner (enveloped, URI="")

    @property
    def profile(self) -> Profile:
        return Profile.LEGACY if self.legacy else Profile.DEFAULT


@dataclass(frozen=True, kw_only=True)
class SigningConfig:
    """Signing keys per own organisation, the trust store folder, and per-partner policies."""

    keys: Mapping[str, KeyRef] = field(default_factory=dict)
    trust_dir: Path | None = None
    partners: Mapping[str, PartnerPolicy] = field(default_factory=dict)
    default_partner: PartnerPolicy = field(default_factory=PartnerPolicy)

    def key_for(self, org_id: str) -> KeyRef:
        """The signing key configured for our organisation ``org_id``."""
        try:
            return self.keys[org_id]
        except KeyError:
            raise ConfigError(
                f"no signing key is configured for organisation {org_id}; add signing.keys.{org_id} "
                "with key, cert and passphrase_env or passphrase_file"
            ) from None

    def partner(self, org_id: str) -> PartnerPolicy:
        """The policy for partner ``org_id`` (the default policy when it has none of its own)."""
        return self.partners.get(org_id, self.default_partner)

    def trust_store(self) -> TrustStore:
        """Load the trust store folder (an empty store when none is configured)."""
        return TrustStore.from_folder(self.trust_dir) if self.trust_dir is not None else TrustStore()

    def followed_trust(self) -> TrustStore | TrustFolder:
        """For a running gateway: the trust store folder, read again when its files change."""
        return TrustFolder(self.trust_dir) if self.trust_dir is not None else TrustStore()
