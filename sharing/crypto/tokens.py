"""Identifier tokens: a keyed hash of type ‖ 0x00 ‖ canonical value, under a versioned hub key.

HMAC-SHA256 for now; members never hold the key, so they cannot compute tokens offline.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from hub.keys import KeyRing


@dataclass(frozen=True)
class Token:
    value: str  # lowercase hex
    key_version: int


def token_derive(*, identifier_type: str, canonical: str, keys: KeyRing) -> Token:
    message = identifier_type.encode() + b"\x00" + canonical.encode()
    digest = hmac.new(keys.active, message, hashlib.sha256).hexdigest()
    return Token(value=digest, key_version=keys.active_version)
