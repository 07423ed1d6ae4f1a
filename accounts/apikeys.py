"""API key format: iih_<8-char prefix>_<secret>. Only the SHA-256 of the whole key is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

KEY_PATTERN = re.compile(r"^iih_(?P<prefix>[a-z0-9]{8})_(?P<secret>[A-Za-z0-9_-]{32,64})$")


@dataclass(frozen=True)
class NewKey:
    plaintext: str
    prefix: str
    key_hash: str


def key_hash(plaintext: str) -> str:
    # Keys carry 256 bits of randomness, so a fast hash is enough (no brute-force risk).
    return hashlib.sha256(plaintext.encode()).hexdigest()


def key_generate(*, secret: str | None = None, prefix: str | None = None) -> NewKey:
    prefix = prefix or "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
    secret = secret or secrets.token_urlsafe(32)
    plaintext = f"iih_{prefix}_{secret}"
    return NewKey(plaintext=plaintext, prefix=prefix, key_hash=key_hash(plaintext))


def key_parse_prefix(plaintext: str) -> str | None:
    match = KEY_PATTERN.match(plaintext)
    return match.group("prefix") if match else None
