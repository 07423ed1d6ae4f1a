"""Load the hub's versioned keys from settings ("version:hex" pairs, comma separated)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from django.conf import settings

from hub.env import ConfigurationError


@dataclass(frozen=True)
class KeyRing:
    """Versioned secret keys; the highest version is the one new data uses."""

    keys: dict[int, bytes]

    @property
    def active_version(self) -> int:
        return max(self.keys)

    @property
    def active(self) -> bytes:
        return self.keys[self.active_version]

    def get(self, version: int) -> bytes:
        try:
            return self.keys[version]
        except KeyError:
            raise KeyError(f"key version {version} is not loaded") from None


def parse_key_ring(name: str, raw: str, *, length: int = 32) -> KeyRing:
    keys: dict[int, bytes] = {}
    for item in raw.split(","):
        version_text, _, hex_text = item.strip().partition(":")
        try:
            version, key = int(version_text), bytes.fromhex(hex_text)
        except ValueError:
            raise ConfigurationError(f"{name} must be 'version:hex' pairs separated by commas") from None
        if len(key) != length or version < 1:
            raise ConfigurationError(f"{name}: each key must be {length} bytes and each version ≥ 1")
        keys[version] = key
    if not keys:
        raise ConfigurationError(f"{name} holds no key")
    return KeyRing(keys=keys)


@cache
def _ring(name: str, raw: str, length: int) -> KeyRing:
    return parse_key_ring(name, raw, length=length)


def token_storage_keys() -> KeyRing:
    return _ring("HUB_TOKEN_STORAGE_KEYS", settings.HUB_TOKEN_STORAGE_KEYS, 64)


def key_encryption_keys() -> KeyRing:
    return _ring("HUB_KEKS", settings.HUB_KEKS, 32)


@dataclass(frozen=True)
class OprfSeed:
    """What RFC 9497 DeriveKeyPair needs to reproduce the hub's token key."""

    seed: bytes
    info: bytes
    version: int


def oprf_seed() -> OprfSeed:
    return _oprf_seed(settings.HUB_OPRF_SEED, settings.HUB_OPRF_KEY_INFO, settings.HUB_OPRF_KEY_VERSION)


@lru_cache(maxsize=4)
def _oprf_seed(seed_hex: str, info: str, version: int) -> OprfSeed:
    try:
        seed = bytes.fromhex(seed_hex)
    except ValueError:
        raise ConfigurationError("HUB_OPRF_SEED must be hex") from None
    if len(seed) != 32 or version < 1:
        raise ConfigurationError(
            "HUB_OPRF_SEED must be 32 bytes (64 hex digits) and HUB_OPRF_KEY_VERSION ≥ 1"
        )
    return OprfSeed(seed=seed, info=info.encode("utf-8"), version=version)


def signing_key():
    """The hub's Ed25519 signing key (disclosure packages, audit checkpoints)."""
    return _signing_key(settings.HUB_SIGNING_KEY)


@lru_cache(maxsize=4)
def _signing_key(seed_hex: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))
    except ValueError:
        raise ConfigurationError("HUB_SIGNING_KEY must be a 32-byte Ed25519 seed as hex") from None
