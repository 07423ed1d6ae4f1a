"""Identifier tokens: the RFC 9497 OPRF output of type ‖ 0x00 ‖ canonical value.

Only the hub holds the OPRF key, so members cannot compute tokens offline; a member
can still derive a token without showing the value (blind, hub evaluates, finalise)
and gets exactly the token the hub computes directly from a raw value.

In the database a token is kept under a storage layer: deterministic AES-SIV of the
token under a versioned storage key. Equality lookups still work, and rotating the
storage key re-encrypts rows in place from the stored values alone: no raw value and
no downtime (lookups try every loaded storage key while a rotation runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from hub.keys import KeyRing, OprfSeed, oprf_seed
from hubcore import oprf
from hubcore.tokens import token_input

TOKEN_HEX_LENGTH = 128  # 64-byte SHA-512 OPRF output
_STORAGE_CONTEXT = [b"iih identifier token storage v1"]


@dataclass(frozen=True)
class Token:
    value: str  # lowercase hex of the OPRF output
    key_version: int


@dataclass(frozen=True)
class HubOprfKey:
    secret: bytes
    version: int


def hub_oprf_key() -> HubOprfKey:
    return _derive(oprf_seed())


@lru_cache(maxsize=4)
def _derive(seed: OprfSeed) -> HubOprfKey:
    return HubOprfKey(secret=oprf.derive_key_pair(seed.seed, seed.info).secret, version=seed.version)


def token_evaluate(*, identifier_type: str, canonical: str) -> Token:
    """Evaluate the OPRF directly on the server (for raw identifiers sent to the hub)."""
    return tokens_evaluate([(identifier_type, canonical)])[0]


def tokens_evaluate(identifiers: list[tuple[str, str]]) -> list[Token]:
    """token_evaluate for each (type, canonical value), in order, with the key loaded and checked once."""
    key = hub_oprf_key()
    inputs = [token_input(identifier_type=kind, canonical=canonical) for kind, canonical in identifiers]
    return [
        Token(value=output.hex(), key_version=key.version)
        for output in oprf.evaluate_batch(key.secret, inputs)
    ]


def token_seal(token: str, *, keys: KeyRing, version: int | None = None) -> str:
    """The storage form of a token under one storage key (the active one by default)."""
    version = version or keys.active_version
    return f"{version}:" + _siv(keys.get(version)).encrypt(bytes.fromhex(token), _STORAGE_CONTEXT).hex()


def token_lookup_forms(token: str, *, keys: KeyRing) -> list[str]:
    """Every storage form the token may have while a rotation is under way."""
    return [token_seal(token, keys=keys, version=v) for v in sorted(keys.keys)]


def token_unseal(stored: str, *, keys: KeyRing) -> str:
    version_text, _, sealed = stored.partition(":")
    return _siv(keys.get(int(version_text))).decrypt(bytes.fromhex(sealed), _STORAGE_CONTEXT).hex()


@lru_cache(maxsize=8)
def _siv(key: bytes) -> AESSIV:
    # Building the cipher (key schedule) costs three times the encryption of one token; bulk
    # seals millions. Keyed by the key bytes, so a rotated key gets its own entry.
    return AESSIV(key)
