"""The court's side of disclosure, offline: X25519 keys from PEM files, and checking and unpacking packages.

A package is opened with hubcore.packages.package_open: it decrypts with the
court's private key, checks the hub's Ed25519 signature and every manifest hash.
Unpacking writes only names that stay inside the chosen directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from hubctl.inputs import InputError
from hubcore.packages import MANIFEST, PackageError, package_open, raw_public

__all__ = [
    "OpenedPackage",
    "PackageError",
    "hub_key_parse",
    "package_read",
    "package_verify",
    "package_write",
    "private_key_load",
    "public_key_load",
]

KEY_PASSWORD_VARIABLE = "HUBCTL_KEY_PASSWORD"
RECORDS = "records.json"


@dataclass(frozen=True)
class OpenedPackage:
    """A package whose signature and manifest hashes verified: its files and what its manifest says."""

    request_id: str
    files: dict[str, bytes]
    manifest: dict
    records: list

    def summary(self) -> dict:
        """What a court needs to see of a verified package, JSON-ready."""
        manifest = self.manifest
        files = [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(self.files.items())
        ]
        return {
            "valid": True,
            "request": self.request_id,
            "order_reference": manifest.get("order_reference"),
            "case_number": manifest.get("case_number"),
            "issuing_court": manifest.get("issuing_court"),
            "legal_basis": manifest.get("legal_basis"),
            "scope_fields": manifest.get("scope_fields") or [],
            "built_at": manifest.get("built_at"),
            "reports": manifest.get("reports") or [],
            "records": len(self.records),
            "approvals": manifest.get("approvals") or [],
            "files": files,
            "files_verified": len(manifest.get("files") or {}),
        }


def _read(path: str | Path, what: str) -> bytes:
    """A file's bytes, or an InputError naming the file."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None


def private_key_load(path: str | Path) -> X25519PrivateKey:
    """The court's X25519 private key from a PEM (PKCS#8) file; encrypted ones use $HUBCTL_KEY_PASSWORD."""
    data = _read(path, "key file")
    password = os.environ.get(KEY_PASSWORD_VARIABLE)
    try:
        key = serialization.load_pem_private_key(data, password=password.encode() if password else None)
    except TypeError:
        raise InputError(
            f"the key file {path} is encrypted: set {KEY_PASSWORD_VARIABLE} to its password "
            "(or it is not encrypted and the variable is set)."
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise InputError(
            f"the key file {path} is not a PEM private key (or its password is wrong)."
        ) from None
    if not isinstance(key, X25519PrivateKey):
        raise InputError(f"the key file {path} does not hold an X25519 key.")
    return key


def public_key_load(path: str | Path) -> bytes:
    """The raw X25519 public key (32 bytes) of a PEM private or public key file."""
    data = _read(path, "key file")
    if b"PRIVATE KEY" in data:
        return raw_public(private_key_load(path).public_key())
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise InputError(f"the key file {path} is not a PEM private or public key.") from None
    if not isinstance(key, X25519PublicKey):
        raise InputError(f"the key file {path} does not hold an X25519 key.")
    return raw_public(key)


def hub_key_parse(text: str) -> bytes:
    """The hub's Ed25519 public key given as 64 hexadecimal digits."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise InputError("--hub-key takes the hub's Ed25519 public key as 64 hexadecimal digits.")
    return key


def package_read(path: str | Path) -> bytes:
    """A downloaded package file's bytes."""
    if not Path(path).is_file():
        raise InputError(f"package file not found or not a file: {path}")
    return _read(path, "package file")


def package_verify(envelope: bytes, *, court_key: X25519PrivateKey, hub_key: bytes) -> OpenedPackage:
    """Decrypt, verify the hub's signature and the manifest; raise PackageError when anything fails."""
    # Past the signature the content is the hub's; still, a malformed signed package is refused, not crashed on.
    try:
        files = package_open(envelope, court_private_key=court_key, hub_public_key=hub_key)
        request_id = json.loads(envelope)["request_id"]
        manifest = json.loads(files[MANIFEST])
        records = json.loads(files[RECORDS]) if RECORDS in files else []
    except (KeyError, TypeError, ValueError, zipfile.BadZipFile):
        raise PackageError("The package's manifest or records are malformed.") from None
    if not isinstance(manifest, dict) or not isinstance(records, list):
        raise PackageError("The package's manifest or records are malformed.")
    if manifest.get("request") != request_id:
        raise PackageError("The manifest names another disclosure request than the package's envelope.")
    return OpenedPackage(request_id, files, manifest, records)


def safe_target(root: Path, name: str) -> Path | None:
    """Where a package file goes under root, or None when its name would leave root."""
    path = PurePosixPath(name)
    if (
        not name
        or name.endswith("/")
        or "\\" in name
        or "\x00" in name
        or ":" in name
        or path.is_absolute()
        or ".." in path.parts
    ):
        return None
    target = root.joinpath(*path.parts)
    resolved_root = root.resolve()
    resolved = target.resolve()  # follows symlinks already in root, so they cannot lead out either
    if resolved == resolved_root or not resolved.is_relative_to(resolved_root):
        return None
    return target


def package_write(files: dict[str, bytes], root: str | Path) -> tuple[list[str], list[str]]:
    """Write the files under root (owner-only permissions); returns the names written and those refused."""
    root = Path(root)
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        written, refused = [], []
        for name, data in sorted(files.items()):
            target = safe_target(root, name)
            if target is None:
                refused.append(name)
                continue
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_private(target, data)
            written.append(name)
    except OSError as exc:
        raise InputError(f"cannot write the package's files into {root}: {exc.strerror or exc}") from None
    return written, refused


def _write_private(target: Path, data: bytes) -> None:
    """Write a file readable by its owner only, never through a symlink."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(target, flags, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
