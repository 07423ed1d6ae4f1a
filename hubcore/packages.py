"""Disclosure packages, without Django: built by the hub, opened by hubctl and by a court's stock tools.

Format 2 (current, docs/formats.md): an age file (https://age-encryption.org/v1, X25519
recipient = the court's key) whose plaintext is a ZIP holding manifest.json, records.json,
the evidence under its original (sanitised) names, SHA256SUMS (coreutils format, listing
every other file) and SHA256SUMS.sig, an OpenSSH signature (PROTOCOL.sshsig) of SHA256SUMS
by the hub's Ed25519 key in the namespace "iih-disclosure". A court opens it with `age`,
`unzip`, `ssh-keygen -Y verify` and `sha256sum -c` alone.

The signature sits inside the encryption, as format 1's did: only the court learns what the
hub signed, and the court can later show the decrypted files and the signature to anyone
(the other party, an appeal court) without handing over its key.

Format 1 (legacy, still opened): a JSON envelope, X25519 + HKDF-SHA256 + AES-256-GCM to the
court's key, over the hub's Ed25519 signature ‖ a ZIP with a manifest.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass

import bech32
import pyrage
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

FORMAT = 2
FORMAT_V1 = "iih-disclosure-package/1"
KIND = "iih-disclosure-package"
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
CHECKSUMS_SIGNATURE = "SHA256SUMS.sig"
SIGNATURE_NAMESPACE = "iih-disclosure"
SIGNER_PRINCIPAL = "iih-hub"
AGE_MAGIC = b"age-encryption.org/v1\n"
SIGNATURE_BYTES = 64  # format 1: the Ed25519 signature in front of the ZIP


class PackageError(Exception):
    """The package is not for this key, was altered, or was not signed by the hub."""


def raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


# -- keys in age's and OpenSSH's encodings ------------------------------------------------------


def _bech32_encode(hrp: str, data: bytes) -> str:
    return bech32.bech32_encode(hrp, bech32.convertbits(data, 8, 5))


def _bech32_decode(text: str, hrp: str) -> bytes | None:
    found_hrp, words = bech32.bech32_decode(text)
    if found_hrp != hrp or words is None:
        return None
    data = bech32.convertbits(words, 5, 8, False)
    return bytes(data) if data is not None and len(data) == 32 else None


def age_recipient(court_public_key: bytes) -> str:
    """The court's raw X25519 public key as an age recipient, "age1…"."""
    return _bech32_encode("age", court_public_key)


def age_identity(court_private_key: X25519PrivateKey) -> str:
    """The court's X25519 private key as an age identity, "AGE-SECRET-KEY-1…" (for `age -d -i`)."""
    raw = court_private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _bech32_encode("age-secret-key-", raw).upper()


def age_recipient_parse(text: str) -> bytes | None:
    """The raw X25519 public key of an "age1…" recipient, or None when it is not one."""
    return _bech32_decode(text.strip().lower(), "age")


def age_identity_parse(text: str) -> X25519PrivateKey | None:
    """The X25519 private key of an "AGE-SECRET-KEY-1…" identity, or None when it is not one."""
    raw = _bech32_decode(text.strip().lower(), "age-secret-key-")
    return X25519PrivateKey.from_private_bytes(raw) if raw else None


def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _ssh_ed25519_blob(public_key: bytes) -> bytes:
    return _ssh_string(b"ssh-ed25519") + _ssh_string(public_key)


def ssh_public_key(hub_public_key: bytes) -> str:
    """The hub's raw Ed25519 public key as an OpenSSH public key line, "ssh-ed25519 AAAA…"."""
    return "ssh-ed25519 " + base64.b64encode(_ssh_ed25519_blob(hub_public_key)).decode()


def ssh_public_key_parse(text: str) -> bytes | None:
    """The raw Ed25519 key of an "ssh-ed25519 AAAA… [comment]" line, or None when it is not one."""
    parts = text.strip().split()
    if len(parts) < 2 or parts[0] != "ssh-ed25519":
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError:
        return None
    fields = _ssh_fields(blob, 2)
    if fields is None or fields[0] != b"ssh-ed25519" or len(fields[1]) != 32:
        return None
    return fields[1]


def allowed_signers_line(hub_public_key: bytes) -> str:
    """The line of an OpenSSH allowed_signers file that trusts the hub's key for packages only."""
    return f'{SIGNER_PRINCIPAL} namespaces="{SIGNATURE_NAMESPACE}" {ssh_public_key(hub_public_key)}'


# -- OpenSSH signatures (PROTOCOL.sshsig): only the wire encoding; Ed25519 is cryptography's -----

_SSHSIG_MAGIC = b"SSHSIG"
_SSHSIG_HASH = b"sha512"
_ARMOR_BEGIN, _ARMOR_END = "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----"


def _sshsig_signed_data(message: bytes, namespace: str) -> bytes:
    return (
        _SSHSIG_MAGIC
        + _ssh_string(namespace.encode())
        + _ssh_string(b"")
        + _ssh_string(_SSHSIG_HASH)
        + _ssh_string(hashlib.sha512(message).digest())
    )


def sshsig_sign(
    message: bytes, signing_key: Ed25519PrivateKey, namespace: str = SIGNATURE_NAMESPACE
) -> bytes:
    """An armored OpenSSH signature of message, as `ssh-keygen -Y sign -n namespace` writes it."""
    signature = signing_key.sign(_sshsig_signed_data(message, namespace))
    blob = (
        _SSHSIG_MAGIC
        + struct.pack(">I", 1)
        + _ssh_string(_ssh_ed25519_blob(raw_public(signing_key.public_key())))
        + _ssh_string(namespace.encode())
        + _ssh_string(b"")
        + _ssh_string(_SSHSIG_HASH)
        + _ssh_string(_ssh_string(b"ssh-ed25519") + _ssh_string(signature))
    )
    encoded = base64.b64encode(blob).decode()
    lines = [encoded[i : i + 70] for i in range(0, len(encoded), 70)]
    return "\n".join([_ARMOR_BEGIN, *lines, _ARMOR_END, ""]).encode()


def _ssh_fields(blob: bytes, count: int) -> list[bytes] | None:
    """count SSH strings making up the whole of blob, or None."""
    fields, at = [], 0
    for _ in range(count):
        if at + 4 > len(blob):
            return None
        (length,) = struct.unpack(">I", blob[at : at + 4])
        if at + 4 + length > len(blob):
            return None
        fields.append(blob[at + 4 : at + 4 + length])
        at += 4 + length
    return fields if at == len(blob) else None


def sshsig_verify(
    message: bytes, armored: bytes, hub_public_key: bytes, namespace: str = SIGNATURE_NAMESPACE
) -> None:
    """Check an armored OpenSSH signature by exactly hub_public_key in namespace; PackageError if not."""
    text = armored.decode("ascii", "replace").strip()
    try:
        if not (text.startswith(_ARMOR_BEGIN) and text.endswith(_ARMOR_END)):
            raise ValueError
        blob = base64.b64decode("".join(text[len(_ARMOR_BEGIN) : -len(_ARMOR_END)].split()), validate=True)
    except ValueError:
        raise PackageError("The hub's signature is not an OpenSSH signature.") from None
    fields = None
    if blob[:6] == _SSHSIG_MAGIC and blob[6:10] == struct.pack(">I", 1):
        fields = _ssh_fields(blob[10:], 5)
    if fields is None:
        raise PackageError("The hub's signature is not an OpenSSH signature.")
    public_blob, signed_namespace, _reserved, hash_algorithm, signature_blob = fields
    if public_blob != _ssh_ed25519_blob(hub_public_key):
        raise PackageError("The hub's signature does not verify: it was made by another key.")
    if signed_namespace != namespace.encode() or hash_algorithm != _SSHSIG_HASH:
        raise PackageError("The hub's signature is for another purpose (namespace) or hash.")
    signature = _ssh_fields(signature_blob, 2)
    if signature is None or signature[0] != b"ssh-ed25519":
        raise PackageError("The hub's signature is not an Ed25519 signature.")
    try:
        Ed25519PublicKey.from_public_bytes(hub_public_key).verify(
            signature[1], _sshsig_signed_data(message, namespace)
        )
    except InvalidSignature:
        raise PackageError("The hub's signature does not verify.") from None


# -- file names ------------------------------------------------------------------------------

# Characters no common file system (Linux, macOS, Windows) takes in a name, and controls.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_MAX_NAME_BYTES = 200


def name_sanitised(name: str) -> str:
    """A file name a court can unpack anywhere: no separators, controls or "..", at most 200 bytes."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip(" .")
    if not name:
        name = "file"
    if len(name.encode()) <= _MAX_NAME_BYTES:
        return name
    # Too long: shorten the stem, keeping a short extension ("pdf", "jpeg") so the file still opens.
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not extension.isalnum() or len(extension) > 16:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    while len((stem + suffix).encode()) > _MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem.rstrip(" .") or "file") + suffix


def name_unique(name: str, taken: set[str]) -> str:
    """name, or "stem (2).ext", "stem (3).ext"… : the first not in taken (compared case-insensitively,
    as Windows and macOS would), which it joins."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number})" + (f".{extension}" if extension else "")
    taken.add(candidate.casefold())
    return candidate


# -- format 2 --------------------------------------------------------------------------------


def _checksums(files: dict[str, bytes]) -> bytes:
    """coreutils `sha256sum` output for the files ("digest  name"; names carry no newline or backslash)."""
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    ).encode()


def package_build(
    files: dict[str, bytes],
    manifest_header: dict,
    *,
    signing_key: Ed25519PrivateKey,
    court_public_key: bytes,
) -> tuple[bytes, dict]:
    """A format-2 package of the files (names as they will appear in the ZIP); returns (age bytes, manifest)."""
    reserved = {MANIFEST, CHECKSUMS, CHECKSUMS_SIGNATURE} & set(files)
    if reserved:
        raise ValueError(f"{sorted(reserved)} are the package's own files")
    manifest = {
        **manifest_header,
        "format": FORMAT,
        "kind": KIND,
        "signature": {
            "file": CHECKSUMS_SIGNATURE,
            "over": CHECKSUMS,
            "namespace": SIGNATURE_NAMESPACE,
            "principal": SIGNER_PRINCIPAL,
            "public_key": ssh_public_key(raw_public(signing_key.public_key())),
        },
        "files": [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        ],
    }
    listed = {**files, MANIFEST: json.dumps(manifest, indent=2, ensure_ascii=False).encode()}
    checksums = _checksums(listed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            (MANIFEST, listed[MANIFEST]),
            (CHECKSUMS, checksums),
            (CHECKSUMS_SIGNATURE, sshsig_sign(checksums, signing_key)),
            *sorted(files.items()),
        ]:
            archive.writestr(name, data)
    try:
        recipient = pyrage.x25519.Recipient.from_str(age_recipient(court_public_key))
        return pyrage.encrypt(buffer.getvalue(), [recipient]), manifest
    except (pyrage.RecipientError, pyrage.EncryptError, ValueError):
        raise PackageError("The court's key is not a usable X25519 public key.") from None


def package_download_form(data: bytes) -> tuple[str, str]:
    """(media type, file name suffix) to hand a package out under: ".zip.age" for format 2."""
    if data.startswith(AGE_MAGIC):
        return "application/octet-stream", ".zip.age"
    return "application/json", ".json"


@dataclass(frozen=True)
class OpenedPackage:
    """A package that decrypted and verified: its format, request id, manifest and files (name → bytes)."""

    format: int
    request_id: str
    manifest: dict
    files: dict[str, bytes]


def package_open(data: bytes, *, court_private_key: X25519PrivateKey, hub_public_key: bytes) -> OpenedPackage:
    """Decrypt a package of either format, check the hub's signature and every listed hash."""
    if data.startswith(AGE_MAGIC):
        return _open_v2(data, court_private_key, hub_public_key)
    files = package_open_v1(data, court_private_key=court_private_key, hub_public_key=hub_public_key)
    try:
        request_id = json.loads(data)["request_id"]
        manifest = json.loads(files[MANIFEST])
    except (KeyError, TypeError, ValueError):
        raise PackageError("The package's manifest is malformed.") from None
    return OpenedPackage(1, request_id, manifest, files)


def _open_v2(data: bytes, court_private_key: X25519PrivateKey, hub_public_key: bytes) -> OpenedPackage:
    try:
        identity = pyrage.x25519.Identity.from_str(age_identity(court_private_key))
        plain = pyrage.decrypt(data, [identity])
    except (pyrage.DecryptError, pyrage.IdentityError, ValueError):
        raise PackageError("The package cannot be decrypted with this key, or it was altered.") from None
    # Anyone can encrypt to the court's key: the signed checksums are checked before anything
    # else is decompressed, so a forged package cannot make the reader inflate a ZIP bomb.
    try:
        with zipfile.ZipFile(io.BytesIO(plain)) as archive:
            names = archive.namelist()
            if len(set(names)) != len(names) or not {CHECKSUMS, CHECKSUMS_SIGNATURE} <= set(names):
                raise PackageError(f"The package lacks {CHECKSUMS} or its signature, or repeats a name.")
            checksums = archive.read(CHECKSUMS)
            sshsig_verify(checksums, archive.read(CHECKSUMS_SIGNATURE), hub_public_key)
            signed = _checksums_parse(checksums)
            if set(signed) != set(names) - {CHECKSUMS, CHECKSUMS_SIGNATURE}:
                raise PackageError(f"The package's files differ from its signed {CHECKSUMS}.")
            files = {name: archive.read(name) for name in names}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise PackageError("The package is not a ZIP.") from None
    for name, digest in signed.items():
        if hashlib.sha256(files[name]).hexdigest() != digest:
            raise PackageError(f"{name} does not match its signed hash.")
    try:
        manifest = json.loads(files[MANIFEST])
        listed = {entry["name"]: entry for entry in manifest["files"]}
        request_id = manifest["request"]
    except (KeyError, TypeError, ValueError):
        raise PackageError("The package's manifest is malformed.") from None
    if manifest.get("format") != FORMAT or set(listed) != set(signed) - {MANIFEST}:
        raise PackageError("The package's manifest does not list its files.")
    return OpenedPackage(FORMAT, request_id, manifest, files)


def _checksums_parse(text: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    try:
        for line in text.decode().splitlines():
            digest, separator, name = line.partition("  ")
            if not separator or len(digest) != 64 or name in found:
                raise ValueError
            found[name] = digest
    except ValueError:
        raise PackageError(f"The package's {CHECKSUMS} is malformed.") from None
    return found


# -- format 1 (legacy): packages built before format 2 keep opening ----------------------------


def package_zip(files: dict[str, bytes], manifest_extra: dict) -> tuple[bytes, dict]:
    """Format 1: zip the files with a manifest naming each file's SHA-256; returns (zip bytes, manifest)."""
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
    """Format 1: sign the ZIP, then encrypt signature ‖ ZIP to the court's X25519 key (a JSON envelope).

    Kept so tests can build the packages that older hubs delivered; the hub builds format 2.
    """
    ephemeral = X25519PrivateKey.generate()
    recipient = X25519PublicKey.from_public_bytes(court_public_key)
    key = _content_key(
        ephemeral.exchange(recipient), raw_public(ephemeral.public_key()), court_public_key, request_id
    )
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, signing_key.sign(zip_bytes) + zip_bytes, request_id.encode())
    return json.dumps(
        {
            "format": FORMAT_V1,
            "request_id": request_id,
            "ephemeral_public_key": raw_public(ephemeral.public_key()).hex(),
            "nonce": nonce.hex(),
            "ciphertext": base64.b64encode(ciphertext).decode(),
        }
    ).encode()


def package_open_v1(
    envelope: bytes, *, court_private_key: X25519PrivateKey, hub_public_key: bytes
) -> dict[str, bytes]:
    """Format 1: decrypt, check the hub's signature and every manifest hash; returns the files."""
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
