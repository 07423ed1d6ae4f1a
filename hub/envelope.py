"""Envelope encryption for the restricted tier (AES-256-GCM from `cryptography`).

Each record gets a fresh data key. The data key encrypts the payload and is itself
wrapped by a versioned key-encryption key (KEK). Both layers bind the record id,
field and data class as associated data, so a ciphertext moved to another record,
field or class fails to decrypt. The KEK version is kept outside that binding: a
rotation re-wraps the small data key and never touches the payload ciphertext.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.keys import KeyRing

NONCE_BYTES = 12


class EnvelopeError(Exception):
    """A sealed payload could not be opened: wrong key, wrong binding, or tampered bytes."""


@dataclass(frozen=True)
class Sealed:
    kek_version: int
    wrapped_key: bytes  # nonce ‖ AES-GCM(KEK, data key)
    ciphertext: bytes  # nonce ‖ AES-GCM(data key, payload)


def associated_data(*, record_id: str, field: str, data_class: str) -> bytes:
    # Length-prefixed parts, so no two different bindings serialise to the same bytes.
    parts = [record_id.encode(), field.encode(), data_class.encode()]
    return b"".join(len(p).to_bytes(2, "big") + p for p in parts)


def seal(plaintext: bytes, *, aad: bytes, keys: KeyRing) -> Sealed:
    data_key = AESGCM.generate_key(bit_length=256)
    ciphertext = _encrypt(data_key, plaintext, aad)
    return Sealed(
        kek_version=keys.active_version,
        wrapped_key=_encrypt(keys.active, data_key, aad),
        ciphertext=ciphertext,
    )


def open_sealed(sealed: Sealed, *, aad: bytes, keys: KeyRing) -> bytes:
    data_key = _unwrap(sealed, aad=aad, keys=keys)
    return _decrypt(data_key, sealed.ciphertext, aad)


def rewrap(sealed: Sealed, *, aad: bytes, keys: KeyRing) -> Sealed:
    """Wrap the record's data key under the active KEK; the payload ciphertext is unchanged."""
    if sealed.kek_version == keys.active_version:
        return sealed
    data_key = _unwrap(sealed, aad=aad, keys=keys)
    return Sealed(
        kek_version=keys.active_version,
        wrapped_key=_encrypt(keys.active, data_key, aad),
        ciphertext=sealed.ciphertext,
    )


def _unwrap(sealed: Sealed, *, aad: bytes, keys: KeyRing) -> bytes:
    try:
        kek = keys.get(sealed.kek_version)
    except KeyError as exc:
        raise EnvelopeError(str(exc)) from None
    return _decrypt(kek, sealed.wrapped_key, aad)


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        raise EnvelopeError("restricted payload failed authentication") from None
