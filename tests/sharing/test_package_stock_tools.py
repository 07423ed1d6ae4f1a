"""A court opens a disclosure package with Debian's stock tools alone, exactly as README.md tells it:
age-keygen and age (package age), ssh-keygen (openssh-client), unzip and sha256sum.

Skipped when the binaries are missing, except under CI=true, where a missing tool fails the run
(scripts/test installs age when it runs as root).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from accounts.actors import Actor
from accounts.roles import OrganisationKind, Role
from accounts.services import organisation_set_encryption_key
from hubctl.package import public_key_load
from tests.factories import disclosure_make, persona

pytestmark = pytest.mark.django_db

AGE, AGE_KEYGEN, SSH_KEYGEN = "/usr/bin/age", "/usr/bin/age-keygen", "/usr/bin/ssh-keygen"
# Original names as reporters upload them: non-ASCII, spaces, a duplicate and one that tries to climb out.
EVIDENCE = [
    ("合同 扫描件.pdf", b"%PDF-1.4 contract scan"),
    ("照片.jpg", b"\xff\xd8 first photo"),
    ("照片.jpg", b"\xff\xd8 second photo"),
    ("../../etc/passwd", b"not a password file"),
]
EXPECTED_NAMES = ["合同 扫描件.pdf", "照片.jpg", "照片 (2).jpg", "_.._etc_passwd"]


def _tools_or_skip() -> None:
    missing = [tool for tool in (AGE, AGE_KEYGEN, SSH_KEYGEN) if not Path(tool).is_file()]
    if not missing:
        return
    reason = f"{', '.join(missing)} missing: apt-get install age openssh-client (scripts/test does, as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def run(*argv: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, timeout=60)


def _report_with_evidence(reporter):
    from sharing.reports.serializers import ReportSubmitInput
    from sharing.reports.services.reports import report_submit

    body = {
        "identifiers": [{"type": "phone", "value": "+86 138 0013 8000"}],
        "ip_type": "trademark",
        "category": "counterfeit",
        "verification_level": "rights_owner_verified",
        "statement": "Bought fake bags, order 42.",
        "authenticity_guaranteed": True,
        "evidence": [
            {"name": name, "content_base64": base64.b64encode(content).decode()} for name, content in EVIDENCE
        ],
    }
    payload = ReportSubmitInput(data=body)
    payload.is_valid(raise_exception=True)
    return report_submit(submission=payload.to_submission(), actor=Actor(member=reporter))


def _unzip(archive: Path, into: Path) -> None:
    """Stock unzip when installed; Python's zipfile otherwise (the unpack step is not what is tested)."""
    if shutil.which("unzip"):
        unpacked = run("unzip", "-q", str(archive), "-d", str(into), cwd=archive.parent)
        assert unpacked.returncode == 0, unpacked.stderr
    else:
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(into)


@pytest.fixture
def court_opens(tmp_path, api, brand_reporter):
    """The README's steps up to the download: key made with age-keygen and registered, the hub's
    allowed_signers line fetched, a package built for an approved order and downloaded."""
    _tools_or_skip()
    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    made = run(AGE_KEYGEN, "-o", "court.key", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    # hubctl register-key reads the same file: only the public half leaves the court.
    public = public_key_load(tmp_path / "court.key")
    organisation_set_encryption_key(public_key_hex=public.hex(), actor=Actor(member=clerk))
    clerk.organisation.refresh_from_db()
    assert clerk.organisation.encryption_public_key == public.hex()
    keys = api(clerk).get("/api/v1/keys").json()
    (tmp_path / "allowed_signers").write_text(keys["package_allowed_signers"] + "\n")

    report = _report_with_evidence(brand_reporter)
    request = disclosure_make(
        clerk, report_ids=[str(report.public_id)], fields=["identifiers", "evidence"], approvals=2, built=True
    )
    download = api(clerk).get(f"/api/v1/disclosure-requests/{request.public_id}/package")
    assert download.status_code == 200
    package = tmp_path / f"disclosure-{request.public_id}.zip.age"
    package.write_bytes(download.content)
    return tmp_path, package, request, report


def _verify(out: Path) -> subprocess.CompletedProcess:
    with (out / "SHA256SUMS").open("rb") as signed:
        return subprocess.run(
            [SSH_KEYGEN, "-Y", "verify", "-f", "../allowed_signers", "-I", "iih-hub", "-n", "iih-disclosure"]
            + ["-s", "SHA256SUMS.sig"],
            cwd=out,
            stdin=signed,
            capture_output=True,
            timeout=60,
        )


def test_a_court_opens_and_verifies_a_package_with_stock_tools_alone(court_opens):
    where, package, request, report = court_opens

    decrypted = run(AGE, "-d", "-i", "court.key", "-o", "package.zip", package.name, cwd=where)
    assert decrypted.returncode == 0, decrypted.stderr
    out = where / "disclosed"
    _unzip(where / "package.zip", out)
    verified = _verify(out)
    checked = run("sha256sum", "-c", "SHA256SUMS", cwd=out)

    assert verified.returncode == 0, verified.stderr
    assert b'Good "iih-disclosure" signature for iih-hub' in verified.stdout + verified.stderr
    assert checked.returncode == 0, checked.stdout + checked.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == 2 and manifest["request"] == str(request.public_id)
    assert manifest["case_number"] == request.case_number and manifest["created_at"]
    for entry in manifest["files"]:
        content = (out / entry["name"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"] and len(content) == entry["size"]
    evidence = out / "evidence" / str(report.public_id)
    assert sorted(path.name for path in evidence.iterdir()) == sorted(EXPECTED_NAMES)
    for (_, content), name in zip(EVIDENCE, EXPECTED_NAMES):
        assert (evidence / name).read_bytes() == content
    assert not (where / "etc").exists()


def test_one_byte_changed_anywhere_fails_a_stock_tool(court_opens):
    where, package, _, report = court_opens
    tampered = bytearray(package.read_bytes())
    tampered[-30] ^= 1
    (where / "tampered.zip.age").write_bytes(bytes(tampered))
    assert run(AGE, "-d", "-i", "court.key", "-o", "t.zip", "tampered.zip.age", cwd=where).returncode != 0

    assert run(AGE, "-d", "-i", "court.key", "-o", "package.zip", package.name, cwd=where).returncode == 0
    out = where / "disclosed"
    _unzip(where / "package.zip", out)
    original = (out / "SHA256SUMS").read_bytes()
    sums = bytearray(original)
    sums[0] = ord("0") if sums[0] != ord("0") else ord("1")  # a changed hash: the signature no longer holds
    (out / "SHA256SUMS").write_bytes(bytes(sums))
    assert _verify(out).returncode != 0

    (out / "SHA256SUMS").write_bytes(original)
    assert _verify(out).returncode == 0
    photo = out / "evidence" / str(report.public_id) / "照片.jpg"
    photo.write_bytes(photo.read_bytes()[:-1] + b"!")  # a changed file fails the signed checksums
    failed = run("sha256sum", "--quiet", "-c", "SHA256SUMS", cwd=out)
    assert failed.returncode != 0 and "照片.jpg: FAILED" in failed.stdout.decode()
