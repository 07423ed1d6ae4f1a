"""Load the hub's versioned keys from settings ("version:hex" pairs, comma separated)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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


@lru_cache(maxsize=None)
def _ring(name: str, raw: str) -> KeyRing:
    return parse_key_ring(name, raw)


def token_keys() -> KeyRing:
    return _ring("HUB_TOKEN_KEYS", settings.HUB_TOKEN_KEYS)


def key_encryption_keys() -> KeyRing:
    return _ring("HUB_KEKS", settings.HUB_KEKS)
