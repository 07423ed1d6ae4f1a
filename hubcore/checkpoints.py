"""Audit log checkpoints in the C2SP tlog-checkpoint signed-note format, signed by the hub, checked by anyone.

A checkpoint note is "<origin>\\n<size>\\n<base64 root hash>\\n", a blank line, then signature
lines "— <key name> <base64(key id ‖ Ed25519 signature)>" (the dash is U+2014). The hub's key
name is the origin, the signature covers the text before the blank line plus its newline, and
key id = SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. The hub signs with note_sign and
hubctl's auditor verifies with note_verify: one definition, so they cannot drift apart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hubcore import merkle

ED25519_ALGORITHM = b"\x01"
SIGNATURE_DASH = "\u2014"
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")  # ASCII decimal without sign or leading zeros


class CheckpointError(ValueError):
    """A note that is malformed or whose signature does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint note commits to: the log's origin, its size and its Merkle root."""

    origin: str
    size: int
    root_hash: bytes

    def summary(self) -> dict:
        """The checkpoint, JSON-ready (the root hash in lower-case hex, as the hub's API gives it)."""
        return {"origin": self.origin, "size": self.size, "root_hash": self.root_hash.hex()}


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte id of an Ed25519 note key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALGORITHM + public_key).digest()[:4]


def note_sign(checkpoint: Checkpoint, key: Ed25519PrivateKey, *, key_name: str) -> str:
    """The signed note of a checkpoint, with one signature line by the named key."""
    body = f"{checkpoint.origin}\n{checkpoint.size}\n{base64.b64encode(checkpoint.root_hash).decode()}\n"
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signature = base64.b64encode(key_id(key_name, public) + key.sign(body.encode())).decode()
    return f"{body}\n{SIGNATURE_DASH} {key_name} {signature}\n"


def note_parse(note: str) -> tuple[Checkpoint, bytes, list[str]]:
    """The checkpoint a note claims, the signed text and the signature lines; nothing is verified yet."""
    body, blank, signatures = note.partition("\n\n")
    lines = body.split("\n")
    if not blank or not note.endswith("\n") or len(lines) < 3 or not all(lines):
        raise CheckpointError(
            "not a signed checkpoint note: expected origin, size and root hash lines, "
            "a blank line, then signature lines"
        )
    origin, size, root = lines[:3]
    if not _SIZE.fullmatch(size):
        raise CheckpointError("the note's size line is not a decimal number")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except (binascii.Error, ValueError):
        root_hash = b""
    if len(root_hash) != merkle.HASH_SIZE:
        raise CheckpointError("the note's root hash line is not a base64 SHA-256 hash")
    return Checkpoint(origin, int(size), root_hash), (body + "\n").encode(), signatures.splitlines()


def note_sign_check(line: str, name: str, public_key: bytes, signed: bytes) -> bool:
    """Whether one signature line is a valid signature of the signed text by the named Ed25519 key."""
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != SIGNATURE_DASH or parts[1] != name:
        return False
    try:
        raw = base64.b64decode(parts[2], validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(raw[4:], signed)
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return raw[:4] == key_id(name, public_key)


def note_verify(note: str, public_key: bytes, *, key_name: str | None = None) -> Checkpoint:
    """The checkpoint of a note signed by the key (named key_name, by default the note's origin)."""
    checkpoint, signed, signatures = note_parse(note)
    name = checkpoint.origin if key_name is None else key_name
    if not any(note_sign_check(line, name, public_key, signed) for line in signatures):
        raise CheckpointError(f"the note has no valid signature by the hub's key (key name {name!r})")
    return checkpoint
