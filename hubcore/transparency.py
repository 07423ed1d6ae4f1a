"""Transparency reports, without Django: the signature the hub makes and anyone checks.

A quarter's report is a JSON document (docs/formats.md) with a detached signature in the signed-note
format of the audit checkpoints (hubcore/checkpoints.py, C2SP signed-note): the note's text is

    iih-transparency-report/1
    <origin>                      the hub's audit origin, also the key's name
    <period>                      e.g. 2026-Q3
    <base64 SHA-256 of the document's bytes>

then a blank line and the hub's signature line "— <origin> <base64(key id ‖ Ed25519 signature)>".
The first line keeps a report's note and a checkpoint's note apart: neither parses as the other. An
operator's draft of a running quarter is signed under its own first line,
iih-transparency-report-draft/1, and verifies only when a draft is asked for: a leaked draft is never
taken for the quarter's published report.
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

from hubcore.canonical import canonical_json
from hubcore.checkpoints import SIGNATURE_DASH, key_id, note_sign_check

NOTE_FORMAT = "iih-transparency-report/1"
DRAFT_NOTE_FORMAT = "iih-transparency-report-draft/1"
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
    draft: bool = False


def document_bytes(document: dict) -> bytes:
    """The document as stored, served and signed: sorted keys, no spaces, UTF-8, a final newline."""
    return canonical_json(document) + b"\n"


def _note_text(origin: str, period: str, digest: bytes, *, draft: bool) -> str:
    header = DRAFT_NOTE_FORMAT if draft else NOTE_FORMAT
    return f"{header}\n{origin}\n{period}\n{base64.b64encode(digest).decode()}\n"


def signature_make(
    document: bytes, *, period: str, origin: str, key: Ed25519PrivateKey, draft: bool = False
) -> str:
    """The detached signed note over the document's SHA-256, signed by the key named `origin`."""
    if not PERIOD.fullmatch(period) or not origin or "\n" in origin:
        raise TransparencyError("a period reads YYYY-Qn and the origin is one line")
    text = _note_text(origin, period, hashlib.sha256(document).digest(), draft=draft)
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signature = base64.b64encode(key_id(origin, public) + key.sign(text.encode())).decode()
    return f"{text}\n{SIGNATURE_DASH} {origin} {signature}\n"


def _note_parse(note: str) -> tuple[SignedReport, bytes, list[str]]:
    text, blank, signatures = note.partition("\n\n")
    lines = text.split("\n")
    if (
        not blank
        or not note.endswith("\n")
        or len(lines) != 4
        or lines[0] not in (NOTE_FORMAT, DRAFT_NOTE_FORMAT)
    ):
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
    signed = SignedReport(origin, period, raw, draft=lines[0] == DRAFT_NOTE_FORMAT)
    return signed, (text + "\n").encode(), signatures.splitlines()


def signature_verify(
    document: bytes, note: str, public_key: bytes, *, draft_allowed: bool = False
) -> SignedReport:
    """Check the note is the hub key's signature over exactly this document; its period when it is.

    The document's own "period", "origin" and "status" must agree with the signed ones, so a valid
    signature of one quarter cannot be shown beside another quarter's document, nor a draft's as the
    published report's. A draft verifies only with `draft_allowed`."""
    signed, text, signatures = _note_parse(note)
    if signed.draft and not draft_allowed:
        raise TransparencyError("this is an operator's draft, not a published report")
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
    if claims.get("status") != ("draft" if signed.draft else "final"):
        raise TransparencyError("the document's status differs from the signed one")
    return signed
