"""Transparency reports, without Django: the signature the hub makes and anyone checks.

A quarter's report is a JSON document (docs/formats.md) with a detached signature in the signed-note
format of the audit checkpoints (hubcore/checkpoints.py, C2SP signed-note): the note's text is

    iih-transparency-report/1
    <origin>                      the hub's audit origin, also the key's name
    <period>                      e.g. 2026-Q3
    <base64 SHA-256 of the document's bytes>

then a blank line and the hub's signature line "— <origin> <base64(key id ‖ Ed25519 signature)>".
The first line keeps a report's note and a checkpoint's note apart: neither parses as the other.
The same key signs both, so the published key (GET /api/v1/keys, signing_public_key) checks both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hubcore.checkpoints import SIGNATURE_DASH, key_id, note_sign_check

NOTE_FORMAT = "iih-transparency-report/1"
DOCUMENT_FORMAT = "iih-transparency-report/1"
PERIOD = re.compile(r"(?P<year>[0-9]{4})-Q(?P<quarter>[1-4])")


class TransparencyError(ValueError):
    """A document or signature that is malformed, altered or not signed by the hub's key."""


@dataclass(frozen=True)
class SignedReport:
    """What a verified signature commits to."""

    origin: str
    period: str
    sha256: bytes


def document_bytes(document: dict) -> bytes:
    """The document as stored, served and signed: sorted keys, no spaces, UTF-8, a final newline."""
    return (json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def _note_text(origin: str, period: str, digest: bytes) -> str:
    return f"{NOTE_FORMAT}\n{origin}\n{period}\n{base64.b64encode(digest).decode()}\n"


def signature_make(document: bytes, *, period: str, origin: str, key: Ed25519PrivateKey) -> str:
    """The detached signed note over the document's SHA-256, signed by the key named `origin`."""
    if not PERIOD.fullmatch(period) or not origin or "\n" in origin:
        raise TransparencyError("a period reads YYYY-Qn and the origin is one line")
    text = _note_text(origin, period, hashlib.sha256(document).digest())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signature = base64.b64encode(key_id(origin, public) + key.sign(text.encode())).decode()
    return f"{text}\n{SIGNATURE_DASH} {origin} {signature}\n"


def _note_parse(note: str) -> tuple[SignedReport, bytes, list[str]]:
    text, blank, signatures = note.partition("\n\n")
    lines = text.split("\n")
    if not blank or not note.endswith("\n") or len(lines) != 4 or lines[0] != NOTE_FORMAT:
        raise TransparencyError(
            "not a transparency report signature: expected the iih-transparency-report/1 note"
        )
    _, origin, period, digest = lines
    if not origin or not PERIOD.fullmatch(period):
        raise TransparencyError("the signature's origin or period line is malformed")
    try:
        raw = base64.b64decode(digest, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != hashlib.sha256().digest_size:
        raise TransparencyError("the signature's hash line is not a base64 SHA-256 hash")
    return SignedReport(origin, period, raw), (text + "\n").encode(), signatures.splitlines()


def signature_verify(document: bytes, note: str, public_key: bytes) -> SignedReport:
    """Check the note is the hub key's signature over exactly this document; its period when it is.

    The document's own "period" and "origin" must agree with the signed ones, so a valid signature
    of one quarter cannot be shown beside another quarter's document."""
    signed, text, signatures = _note_parse(note)
    if not any(note_sign_check(line, signed.origin, public_key, text) for line in signatures):
        raise TransparencyError("the signature does not verify with the hub's published key")
    if hashlib.sha256(document).digest() != signed.sha256:
        raise TransparencyError("the document is not the one signed: its SHA-256 differs")
    try:
        claims = json.loads(document)
    except (UnicodeDecodeError, ValueError):
        raise TransparencyError("the document is not JSON") from None
    if not isinstance(claims, dict) or (claims.get("period"), claims.get("origin")) != (
        signed.period,
        signed.origin,
    ):
        raise TransparencyError("the document's period or origin differs from the signed one")
    return signed
