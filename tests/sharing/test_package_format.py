"""hubcore.packages: the format-2 pieces (names, age keys, OpenSSH signatures) and format 1 still opening."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from hubcore.packages import (
    PackageError,
    age_identity,
    age_identity_parse,
    age_recipient,
    age_recipient_parse,
    allowed_signers_line,
    name_sanitised,
    name_unique,
    package_build,
    package_open,
    raw_public,
    ssh_public_key,
    ssh_public_key_parse,
    sshsig_sign,
    sshsig_verify,
)
from hubctl.cli import main
from hubctl.package import hub_key_parse, private_key_load, public_key_load

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
SSH_KEYGEN, AGE, AGE_KEYGEN = "/usr/bin/ssh-keygen", "/usr/bin/age", "/usr/bin/age-keygen"


def needs(*tools: str) -> None:
    missing = [tool for tool in tools if not Path(tool).is_file()]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing (Debian packages age, openssh-client)")


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "original, expected",
    [
        ("合同 扫描件.pdf", "合同 扫描件.pdf"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("..", "file"),
        ("", "file"),
        ("C:\\fakepath\\photo.jpg", "C__fakepath_photo.jpg"),
        ("line\nbreak\x00.txt", "line_break_.txt"),
        ("e\u0301.txt", "\u00e9.txt"),  # NFC: one name whichever way the reporter's system composed it
    ],
)
def test_names_keep_what_they_can_and_lose_separators_and_controls(original, expected):
    assert name_sanitised(original) == expected


def test_a_long_name_is_shortened_within_its_utf8_bytes_keeping_its_extension():
    name = name_sanitised("照" * 150 + ".jpeg")

    assert name.endswith("照.jpeg") and len(name.encode()) <= 200


def test_duplicates_are_suffixed_case_insensitively():
    taken: set[str] = set()

    names = [name_unique(n, taken) for n in ["a.pdf", "A.pdf", "a.pdf", "README"]]

    assert names == ["a.pdf", "A (2).pdf", "a (3).pdf", "README"]


# -- keys in age's and OpenSSH's encodings -------------------------------------------------------


def test_age_keys_round_trip_and_refuse_other_strings():
    court = X25519PrivateKey.generate()
    public = raw_public(court.public_key())

    assert age_recipient_parse(age_recipient(public)) == public
    assert raw_public(age_identity_parse(age_identity(court)).public_key()) == public
    assert (
        age_recipient_parse(age_identity(court)) is None and age_identity_parse(age_recipient(public)) is None
    )
    recipient = age_recipient(public)
    changed = recipient[:-1] + ("q" if recipient[-1] != "q" else "p")
    assert age_recipient_parse(changed) is None  # the Bech32 checksum


def test_age_keygen_keys_are_the_keys_hubctl_reads(tmp_path):
    needs(AGE_KEYGEN)
    subprocess.run([AGE_KEYGEN, "-o", str(tmp_path / "court.key")], check=True, capture_output=True)
    recipient = subprocess.run(
        [AGE_KEYGEN, "-y", str(tmp_path / "court.key")], check=True, capture_output=True, text=True
    ).stdout.strip()
    (tmp_path / "court.pub").write_text(recipient + "\n")

    assert age_recipient(public_key_load(tmp_path / "court.key")) == recipient
    assert age_recipient(public_key_load(tmp_path / "court.pub")) == recipient
    assert age_recipient(raw_public(private_key_load(tmp_path / "court.key").public_key())) == recipient


def test_the_hub_key_is_taken_as_hex_or_as_an_openssh_line():
    public = raw_public(Ed25519PrivateKey.generate().public_key())

    assert hub_key_parse(public.hex()) == public == hub_key_parse(ssh_public_key(public) + " hub")
    assert ssh_public_key_parse("ssh-rsa AAAAB3NzaC1yc2E") is None


def test_the_openssh_line_is_the_one_ssh_keygen_derives_from_the_key(tmp_path):
    needs(SSH_KEYGEN)
    hub = Ed25519PrivateKey.generate()
    key = tmp_path / "hub"
    key.write_bytes(hub.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))
    key.chmod(0o600)

    derived = subprocess.run([SSH_KEYGEN, "-y", "-f", str(key)], check=True, capture_output=True, text=True)

    assert derived.stdout.split()[:2] == ssh_public_key(raw_public(hub.public_key())).split()


# -- OpenSSH signatures --------------------------------------------------------------------------


def test_a_signature_verifies_only_for_its_message_key_and_namespace():
    hub = Ed25519PrivateKey.generate()
    public = raw_public(hub.public_key())
    signature = sshsig_sign(b"digest  file\n", hub)

    sshsig_verify(b"digest  file\n", signature, public)
    for message, key, namespace in [
        (b"digest  file!\n", public, "iih-disclosure"),
        (b"digest  file\n", raw_public(Ed25519PrivateKey.generate().public_key()), "iih-disclosure"),
        (b"digest  file\n", public, "file"),
    ]:
        with pytest.raises(PackageError):
            sshsig_verify(message, signature, key, namespace)
    with pytest.raises(PackageError, match="not an OpenSSH signature"):
        sshsig_verify(b"x", b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n", public)


def test_a_signature_made_by_ssh_keygen_verifies_here(tmp_path):
    """The other direction of the stock-tool test: our reading of PROTOCOL.sshsig is OpenSSH's."""
    needs(SSH_KEYGEN)
    hub = Ed25519PrivateKey.generate()
    key = tmp_path / "hub"
    key.write_bytes(hub.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))
    key.chmod(0o600)
    (tmp_path / "SHA256SUMS").write_bytes(b"0123  records.json\n")

    subprocess.run(
        [SSH_KEYGEN, "-Y", "sign", "-f", str(key), "-n", "iih-disclosure", str(tmp_path / "SHA256SUMS")],
        check=True,
        capture_output=True,
    )

    signature = (tmp_path / "SHA256SUMS.sig").read_bytes()
    sshsig_verify(b"0123  records.json\n", signature, raw_public(hub.public_key()))
    with pytest.raises(PackageError):
        sshsig_verify(b"0124  records.json\n", signature, raw_public(hub.public_key()))


def test_the_allowed_signers_line_limits_the_key_to_packages():
    public = raw_public(Ed25519PrivateKey.generate().public_key())

    assert allowed_signers_line(public) == f'iih-hub namespaces="iih-disclosure" {ssh_public_key(public)}'


# -- opening ----------------------------------------------------------------------------------


def _built(files: dict[str, bytes]):
    hub, court = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    data, manifest = package_build(
        files, {"request": "r-1"}, signing_key=hub, court_public_key=raw_public(court.public_key())
    )
    return data, manifest, hub, court


def test_a_format_2_package_opens_to_its_files_and_manifest():
    data, manifest, hub, court = _built({"records.json": b"[]", "evidence/r/照片.jpg": b"jpeg"})

    opened = package_open(data, court_private_key=court, hub_public_key=raw_public(hub.public_key()))

    assert data.startswith(b"age-encryption.org/v1\n")
    assert opened.format == 2 and opened.request_id == "r-1" and opened.manifest == manifest
    assert opened.files["evidence/r/照片.jpg"] == b"jpeg"
    assert [(f["name"], f["size"]) for f in manifest["files"]] == [
        ("evidence/r/照片.jpg", 4),
        ("records.json", 2),
    ]


def test_the_package_s_own_file_names_cannot_be_taken_by_content():
    with pytest.raises(ValueError):
        _built({"SHA256SUMS": b"forged"})


def test_a_package_built_by_the_format_1_hub_keeps_opening():
    """A stored package built with the format-1 code (tests/vectors), keys fixed for the test only."""
    envelope = (VECTORS / "disclosure-package-format1.json").read_bytes()
    court = X25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
    hub = raw_public(Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key())

    opened = package_open(envelope, court_private_key=court, hub_public_key=hub)

    assert opened.format == 1 and opened.request_id == "5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c"
    assert opened.files["evidence/0b9c6a1e-4f7e-4a51-9d5e-0d3c2b1a9f88/0"] == b"receipt 42"
    assert json.loads(opened.files["records.json"])[0]["statement"] == "Bought fake bags, order 42."
    with pytest.raises(PackageError):
        package_open(envelope, court_private_key=X25519PrivateKey.generate(), hub_public_key=hub)


def test_hubctl_verifies_the_stored_format_1_package(tmp_path, capsys):
    court = tmp_path / "court.pem"
    court.write_bytes(
        X25519PrivateKey.from_private_bytes(bytes(range(32, 64))).private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    hub = raw_public(Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()).hex()
    package = str(VECTORS / "disclosure-package-format1.json")

    status = main(["verify-package", package, "--key", str(court), "--hub-key", hub, "--json"])

    summary = json.loads(capsys.readouterr().out)
    assert status == 0 and summary["format"] == 1 and summary["files_verified"] == 2


def test_hubctl_writes_a_pem_key_as_an_age_identity_the_age_tool_opens_packages_with(tmp_path, capsys):
    needs(AGE)
    court = X25519PrivateKey.generate()
    (tmp_path / "court.pem").write_bytes(
        court.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    hub = Ed25519PrivateKey.generate()
    data, _ = package_build(
        {"records.json": b"[]"},
        {"request": "r-1"},
        signing_key=hub,
        court_public_key=raw_public(court.public_key()),
    )
    (tmp_path / "p.zip.age").write_bytes(data)

    status = main(
        ["age-identity", "--key", str(tmp_path / "court.pem"), "--out", str(tmp_path / "court.key")]
    )
    decrypted = subprocess.run(
        [AGE, "-d", "-i", str(tmp_path / "court.key"), str(tmp_path / "p.zip.age")], capture_output=True
    )

    assert status == 0 and decrypted.returncode == 0, decrypted.stderr
    assert decrypted.stdout.startswith(b"PK") and (tmp_path / "court.key").stat().st_mode & 0o077 == 0
    verified = main(
        [
            "verify-package",
            str(tmp_path / "p.zip.age"),
            "--key",
            str(tmp_path / "court.key"),
            "--hub-key",
            raw_public(hub.public_key()).hex(),
        ]
    )
    assert verified == 0 and "signature OK" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_hub_publishes_its_package_key_in_openssh_and_allowed_signers_form(client):
    from hub.keys import signing_key

    public = raw_public(signing_key().public_key())

    keys = client.get("/api/v1/keys").json()

    assert keys["signing_public_key"] == public.hex()
    assert ssh_public_key_parse(keys["signing_ssh_public_key"]) == public
    assert keys["package_allowed_signers"] == allowed_signers_line(public)


@pytest.mark.django_db
def test_a_format_1_package_stored_before_the_upgrade_downloads_as_it_was(api):
    from accounts.roles import OrganisationKind, Role
    from sharing.models import DisclosurePackage
    from tests.factories import disclosure_make, persona

    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    request = disclosure_make(clerk, approvals=2, built=True)
    stored = (VECTORS / "disclosure-package-format1.json").read_bytes()
    DisclosurePackage.objects.filter(request=request).update(envelope=stored)

    download = api(clerk).get(f"/api/v1/disclosure-requests/{request.public_id}/package")

    assert download.status_code == 200 and download.content == stored
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"] == f'attachment; filename="disclosure-{request.public_id}.json"'
