"""The court's side of disclosure, offline: X25519 keys (PEM or age files), checking and unpacking packages.

A package of either format (docs/formats.md) is opened with hubcore.packages.package_open: it
decrypts with the court's private key, checks the hub's signature and every listed hash.
Unpacking writes only names that stay inside the chosen directory.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from hubcore.packages import (
    PackageError,
    age_identity,
    age_identity_parse,
    age_recipient,
    age_recipient_parse,
    package_open,
    raw_public,
    ssh_public_key_parse,
)
from hubctl.inputs import InputError

__all__ = [
    "OpenedPackage",
    "PackageError",
    "age_identity_text",
    "identity_write",
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
    format: int = 2

    def summary(self) -> dict:
        """What a court needs to see of a verified package, JSON-ready."""
        manifest = self.manifest
        files = [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(self.files.items())
        ]
        return {
            "valid": True,
            "format": self.format,
            "request": self.request_id,
            "order_reference": manifest.get("order_reference"),
            "case_number": manifest.get("case_number"),
            "issuing_court": manifest.get("issuing_court"),
            "legal_basis": manifest.get("legal_basis"),
            "scope_fields": manifest.get("scope_fields") or [],
            "built_at": manifest.get("created_at") or manifest.get("built_at"),
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


def _age_lines(data: bytes) -> list[str]:
    """The lines of an age key file that are not comments (age-keygen writes "# created: …" lines)."""
    text = data.decode("utf-8", "replace")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def private_key_load(path: str | Path) -> X25519PrivateKey:
    """The court's X25519 private key from an age identity file (age-keygen) or a PEM (PKCS#8) file.

    An encrypted PEM key is opened with the password in $HUBCTL_KEY_PASSWORD.
    """
    data = _read(path, "key file")
    if b"AGE-SECRET-KEY-" in data:
        identities = [key for key in map(age_identity_parse, _age_lines(data)) if key is not None]
        if len(identities) != 1:
            raise InputError(f"the key file {path} must hold exactly one valid age X25519 identity.")
        return identities[0]
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
    """The raw X25519 public key (32 bytes) of a PEM private or public key file, an age identity file
    (age-keygen's output) or a file holding an age recipient ("age1…")."""
    data = _read(path, "key file")
    if b"PRIVATE KEY" in data or b"AGE-SECRET-KEY-" in data:
        return raw_public(private_key_load(path).public_key())
    lines = _age_lines(data)
    if lines and lines[0].startswith("age1"):
        recipient = age_recipient_parse(lines[0]) if len(lines) == 1 else None
        if recipient is None:
            raise InputError(f"the key file {path} must hold exactly one valid age recipient (age1…).")
        return recipient
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise InputError(f"the key file {path} is not a PEM private or public key.") from None
    if not isinstance(key, X25519PublicKey):
        raise InputError(f"the key file {path} does not hold an X25519 key.")
    return raw_public(key)


def age_identity_text(key: X25519PrivateKey) -> str:
    """The court's key as an age identity file, for `age -d -i FILE` (the format age-keygen writes)."""
    return f"# public key: {age_recipient(raw_public(key.public_key()))}\n{age_identity(key)}\n"


def identity_write(target: Path, key: X25519PrivateKey) -> None:
    """Write the court's key as an age identity file, readable by its owner only."""
    try:
        _write_private(target, age_identity_text(key).encode())
    except OSError as exc:
        raise InputError(f"cannot write the age identity to {target}: {exc.strerror or exc}") from None


def hub_key_parse(text: str) -> bytes:
    """The hub's Ed25519 public key as 64 hexadecimal digits or an OpenSSH line "ssh-ed25519 AAAA…"."""
    key = ssh_public_key_parse(text)
    if key is None:
        try:
            key = bytes.fromhex(text.strip())
        except ValueError:
            key = b""
    if len(key) != 32:
        raise InputError(
            "--hub-key takes the hub's Ed25519 public key as 64 hexadecimal digits or as 'ssh-ed25519 AAAA…'."
        )
    return key


def package_read(path: str | Path) -> bytes:
    """A downloaded package file's bytes."""
    if not Path(path).is_file():
        raise InputError(f"package file not found or not a file: {path}")
    return _read(path, "package file")


def package_verify(envelope: bytes, *, court_key: X25519PrivateKey, hub_key: bytes) -> OpenedPackage:
    """Decrypt, verify the hub's signature and the manifest; raise PackageError when anything fails."""
    # Past the signature the content is the hub's; still, a malformed signed package is refused, not crashed on.
    opened = package_open(envelope, court_private_key=court_key, hub_public_key=hub_key)
    try:
        records = json.loads(opened.files[RECORDS]) if RECORDS in opened.files else []
    except (TypeError, ValueError):
        raise PackageError("The package's manifest or records are malformed.") from None
    if not isinstance(opened.manifest, dict) or not isinstance(records, list):
        raise PackageError("The package's manifest or records are malformed.")
    if opened.manifest.get("request") != opened.request_id:
        raise PackageError("The manifest names another disclosure request than the package's envelope.")
    return OpenedPackage(opened.request_id, opened.files, opened.manifest, records, opened.format)


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
