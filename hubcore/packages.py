"""Disclosure packages: a ZIP with a manifest, signed by the hub (Ed25519) and encrypted to
the court (X25519 + HKDF-SHA256 + AES-256-GCM), all from `cryptography`.

Sign-then-encrypt: the signature travels inside the ciphertext, so only the court
learns what the hub signed. Pure functions: hubctl uses open_package offline.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import zipfile

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT = "iih-disclosure-package/1"
MANIFEST = "manifest.json"
SIGNATURE_BYTES = 64


class PackageError(Exception):
    """The package is not for this key, was altered, or was not signed by the hub."""


def raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def package_zip(files: dict[str, bytes], manifest_extra: dict) -> tuple[bytes, dict]:
    """Zip the files with a manifest naming each file's SHA-256; returns (zip bytes, manifest)."""
    manifest = {
        **manifest_extra,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
    return buffer.getvalue(), manifest


def _content_key(shared: bytes, ephemeral: bytes, recipient: bytes, request_id: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + recipient,
        info=b"iih disclosure package v1|" + request_id.encode(),
    ).derive(shared)


def package_seal(
    zip_bytes: bytes, *, request_id: str, signing_key: Ed25519PrivateKey, court_public_key: bytes
) -> bytes:
    """Sign the ZIP, then encrypt signature ‖ ZIP to the court's X25519 key; returns the envelope (JSON)."""
    ephemeral = X25519PrivateKey.generate()
    recipient = X25519PublicKey.from_public_bytes(court_public_key)
    key = _content_key(
        ephemeral.exchange(recipient), raw_public(ephemeral.public_key()), court_public_key, request_id
    )
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, signing_key.sign(zip_bytes) + zip_bytes, request_id.encode())
    return json.dumps(
        {
            "format": FORMAT,
            "request_id": request_id,
            "ephemeral_public_key": raw_public(ephemeral.public_key()).hex(),
            "nonce": nonce.hex(),
            "ciphertext": base64.b64encode(ciphertext).decode(),
        }
    ).encode()


def package_open(
    envelope: bytes, *, court_private_key: X25519PrivateKey, hub_public_key: bytes
) -> dict[str, bytes]:
    """Decrypt, check the hub's signature and every manifest hash; returns the files."""
    try:
        outer = json.loads(envelope)
        ephemeral = bytes.fromhex(outer["ephemeral_public_key"])
        shared = court_private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        key = _content_key(shared, ephemeral, raw_public(court_private_key.public_key()), outer["request_id"])
        plain = AESGCM(key).decrypt(
            bytes.fromhex(outer["nonce"]), base64.b64decode(outer["ciphertext"]), outer["request_id"].encode()
        )
    except (ValueError, KeyError, TypeError, InvalidTag):
        raise PackageError("The package cannot be decrypted with this key, or it was altered.") from None
    signature, zip_bytes = plain[:SIGNATURE_BYTES], plain[SIGNATURE_BYTES:]
    try:
        Ed25519PublicKey.from_public_bytes(hub_public_key).verify(signature, zip_bytes)
    except InvalidSignature:
        raise PackageError("The hub's signature does not verify.") from None
    return _files_checked(zip_bytes)


def _files_checked(zip_bytes: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        listed = json.loads(files[MANIFEST])["files"]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError):
        raise PackageError("The package is not a ZIP with a manifest.") from None
    if set(listed) != set(files) - {MANIFEST}:
        raise PackageError("The package's files differ from its manifest.")
    for name, digest in listed.items():
        if hashlib.sha256(files[name]).hexdigest() != digest:
            raise PackageError(f"{name} does not match its manifest hash.")
    return files
