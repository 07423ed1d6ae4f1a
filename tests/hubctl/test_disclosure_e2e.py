"""hubctl's court workflow end to end against the real hub (Django's live server): a brand reports with
evidence, a court registers its key and files an order, two officers approve, the hub builds the package,
the court downloads it and verifies it offline; plus the ways a package must fail to verify."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from hubcore.packages import package_build, package_seal, package_zip, raw_public
from hubctl.cli import main

PHONE = "+86 139 8765 4321"
EMAIL = "Disclosed.Seller@Example.com"
EVIDENCE = b"\x89PNG\r\n\x1a\n test purchase photo \x00\xff" * 50
STATEMENT = "Test purchase 77: counterfeit handbags, photo attached."
BUILD_TIMEOUT = 30  # seconds


@dataclass(frozen=True)
class Run:
    """One hubctl run: exit status and what it printed."""

    status: int
    out: str
    err: str

    def json(self) -> dict:
        """The --json output."""
        assert self.status == 0, self.err
        return json.loads(self.out)


@dataclass(frozen=True)
class World:
    """The live hub's URL, everyone's API keys and the court's key file."""

    url: str
    reporter_key: str
    reviewer: object
    clerk_key: str
    officer_keys: tuple[str, str]
    court_pem: Path
    tmp: Path


def hubctl(capsys, url: str, key: str | None, *argv: str) -> Run:
    """Run hubctl against the live hub and capture its output."""
    auth = ["--api-key", key] if key else []
    status = main(["--hub", url, *auth, *argv])
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)


def pem_write(path: Path, key: X25519PrivateKey | Ed25519PrivateKey) -> Path:
    """Save a private key as unencrypted PKCS#8 PEM."""
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


@pytest.fixture
def world(live_server, eager_celery, tmp_path) -> World:
    """A brand reporter, an operator reviewer, a court clerk with a key file and two disclosure officers."""
    from accounts.roles import OrganisationKind as K
    from accounts.roles import Role as R
    from tests.factories import key_for, member_make, persona

    officer = persona(K.OPERATOR, R.DISCLOSURE_OFFICER, country="GB")
    second = member_make(officer.organisation, R.DISCLOSURE_OFFICER)
    return World(
        url=live_server.url,
        reporter_key=key_for(persona(K.RIGHTS_OWNER, R.REPORTER, country="FR")),
        reviewer=persona(K.OPERATOR, R.REVIEWER, country="GB"),
        clerk_key=key_for(persona(K.COURT, R.ANALYST)),
        officer_keys=(key_for(officer), key_for(second)),
        court_pem=pem_write(tmp_path / "court.pem", X25519PrivateKey.generate()),
        tmp=tmp_path,
    )


def report_accepted(capsys, world: World) -> str:
    """hubctl report --raw with an evidence file as the brand; the reviewer accepts; returns the report id."""
    from accounts.actors import Actor
    from sharing.models import Report
    from sharing.reports.services.reports import report_accept

    evidence = world.tmp / "photo.png"
    evidence.write_bytes(EVIDENCE)
    report = hubctl(
        capsys,
        world.url,
        world.reporter_key,
        "report",
        "--guarantee-authentic",
        "--raw",
        f"phone={PHONE}",
        f"email={EMAIL}",
        "--ip-type",
        "trademark",
        "--category",
        "counterfeit",
        "--verification-level",
        "rights_owner_verified",
        "--statement",
        STATEMENT,
        "--evidence",
        str(evidence),
        "--json",
    ).json()
    report_accept(
        report=Report.objects.get(public_id=report["id"]),
        reason="evidence checked",
        actor=Actor(member=world.reviewer),
    )
    return report["id"]


def disclosure_filed(capsys, world: World, report_id: str) -> dict:
    """The clerk registers the court's key and files an order for identifiers, statement and evidence."""
    from django.utils import timezone

    registered = hubctl(capsys, world.url, world.clerk_key, "register-key", "--key", str(world.court_pem))
    assert registered.status == 0, registered.err
    order = world.tmp / "order.pdf"
    order.write_bytes(b"%PDF-1.7 order to produce evidence")
    deadline = (timezone.now() + timedelta(days=30)).isoformat()
    return hubctl(
        capsys,
        world.url,
        world.clerk_key,
        "disclosure-request",
        "--case-number",
        "(2026) Hu 0115 Min Chu 77",
        "--issuing-court",
        "Shanghai Pudong New Area People's Court",
        "--legal-basis",
        "CPL art. 67",
        "--report",
        report_id,
        "--fields",
        "identifiers,statement,evidence",
        "--deadline",
        deadline,
        "--order-document",
        str(order),
        "--json",
    ).json()


def status_when_built(capsys, world: World, request_id: str) -> dict:
    """Poll disclosure-status until the package is ready (or the timeout passes)."""
    deadline = time.monotonic() + BUILD_TIMEOUT
    while True:
        state = hubctl(capsys, world.url, world.clerk_key, "disclosure-status", request_id, "--json").json()
        if state["status"] == "package_ready" or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def package_ready(capsys, world: World) -> tuple[str, str]:
    """Report, file, approve twice and wait for the build; returns (report id, request id)."""
    report_id = report_accepted(capsys, world)
    request = disclosure_filed(capsys, world, report_id)
    for key in world.officer_keys:
        assert hubctl(capsys, world.url, key, "disclosure-approve", request["id"]).status == 0
    state = status_when_built(capsys, world, request["id"])
    assert state["status"] == "package_ready", state
    return report_id, request["id"]


def downloaded(capsys, world: World, request_id: str, name: str = "package.zip.age") -> Path:
    """download-package into the test's directory; returns the file."""
    path = world.tmp / name
    run = hubctl(capsys, world.url, world.clerk_key, "download-package", request_id, "--out", str(path))
    assert run.status == 0, run.err
    return path


# -- end to end ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_court_receives_and_verifies_the_reporters_raw_identifiers_and_evidence(world, capsys):
    report_id, request_id = package_ready(capsys, world)
    path = downloaded(capsys, world, request_id)
    out = world.tmp / "disclosed"

    run = hubctl(
        capsys, world.url, None, "verify-package", str(path), "--key", str(world.court_pem), "--out", str(out)
    )

    assert run.status == 0, run.err
    assert f"disclosure request {request_id}" in run.out and "records: 1" in run.out
    assert "signature OK, 2 files match the manifest" in run.out and "approvals: 2" in run.out
    records = json.loads((out / "records.json").read_text())
    assert [r["report"] for r in records] == [report_id]
    assert sorted((i["type"], i["value"]) for i in records[0]["identifiers"]) == [
        ("email", EMAIL),
        ("phone", PHONE),
    ]
    assert records[0]["statement"] == STATEMENT and "reporter" not in records[0]
    assert (out / records[0]["evidence_files"][0]).read_bytes() == EVIDENCE
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["request"] == request_id and len(manifest["approvals"]) == 2


@pytest.mark.django_db(transaction=True)
def test_verify_json_summary_with_the_hubs_key_given(world, capsys):
    from hub.keys import signing_key

    _, request_id = package_ready(capsys, world)
    path = downloaded(capsys, world, request_id)
    hub_key = raw_public(signing_key().public_key()).hex()

    summary = hubctl(
        capsys,
        "http://127.0.0.1:9",
        None,
        "verify-package",
        str(path),
        "--key",
        str(world.court_pem),
        "--hub-key",
        hub_key,
        "--json",
    ).json()

    assert summary["valid"] and summary["request"] == request_id and summary["records"] == 1
    assert summary["hub_key"] == hub_key and summary["files_verified"] == 2
    assert {f["name"] for f in summary["files"]} >= {"manifest.json", "records.json"}


@pytest.mark.django_db(transaction=True)
def test_another_courts_key_does_not_open_the_package(world, capsys):
    _, request_id = package_ready(capsys, world)
    path = downloaded(capsys, world, request_id)
    stranger = pem_write(world.tmp / "stranger.pem", X25519PrivateKey.generate())

    run = hubctl(
        capsys,
        world.url,
        None,
        "verify-package",
        str(path),
        "--key",
        str(stranger),
        "--out",
        str(world.tmp / "out"),
    )

    assert run.status == 1
    assert "cannot be decrypted with this key" in run.err
    assert not (world.tmp / "out").exists()


@pytest.mark.django_db(transaction=True)
def test_a_package_with_one_byte_flipped_does_not_verify(world, capsys):
    _, request_id = package_ready(capsys, world)
    path = downloaded(capsys, world, request_id)
    data = bytearray(path.read_bytes())
    data[-40] ^= 1  # in the age payload, past its header
    path.write_bytes(bytes(data))

    run = hubctl(capsys, world.url, None, "verify-package", str(path), "--key", str(world.court_pem))

    assert run.status == 1
    assert "does not verify" in run.err and "altered" in run.err


@pytest.mark.django_db(transaction=True)
def test_a_download_beyond_the_maximum_is_refused(world, settings, capsys):
    settings.HUB_DISCLOSURE_MAX_DOWNLOADS = 1
    _, request_id = package_ready(capsys, world)
    downloaded(capsys, world, request_id)

    again = hubctl(
        capsys,
        world.url,
        world.clerk_key,
        "download-package",
        request_id,
        "--out",
        str(world.tmp / "again.json"),
    )

    assert again.status == 1
    assert "HTTP 403" in again.err and "downloaded the maximum 1 times" in again.err
    assert not (world.tmp / "again.json").exists()
    state = hubctl(capsys, world.url, world.clerk_key, "disclosure-status", request_id, "--json").json()
    assert (state["status"], state["downloads"], state["max_downloads"]) == ("delivered", 1, 1)


@pytest.mark.django_db(transaction=True)
def test_the_same_officer_cannot_approve_twice(world, capsys):
    request = disclosure_filed(capsys, world, report_accepted(capsys, world))
    first = hubctl(capsys, world.url, world.officer_keys[0], "disclosure-approve", request["id"])

    again = hubctl(capsys, world.url, world.officer_keys[0], "disclosure-approve", request["id"])

    assert first.status == 0 and "under_review" in first.out
    assert again.status == 1
    assert "HTTP 409" in again.err and "already approved" in again.err
    state = hubctl(capsys, world.url, world.clerk_key, "disclosure-status", request["id"], "--json").json()
    assert state["status"] == "under_review" and len(state["approvals"]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_court_without_a_registered_key_cannot_file_and_a_reporter_cannot_register(world, capsys):
    reporter_registers = hubctl(
        capsys, world.url, world.reporter_key, "register-key", "--key", str(world.court_pem)
    )
    order = world.tmp / "order.pdf"
    order.write_bytes(b"%PDF-1.7")
    filed = hubctl(
        capsys,
        world.url,
        world.clerk_key,
        "disclosure-request",
        "--case-number",
        "1",
        "--issuing-court",
        "A court",
        "--legal-basis",
        "A law",
        "--identifier",
        f"phone={PHONE}",
        "--fields",
        "statement",
        "--deadline",
        "2999-01-01T00:00:00+00:00",
        "--order-document",
        str(order),
    )

    assert reporter_registers.status == 1 and "HTTP 403" in reporter_registers.err
    assert filed.status == 1 and "Register your court's encryption key first" in filed.err


# -- offline: path traversal and usage errors -------------------------------------------------


@pytest.fixture(params=[2, 1], ids=["format 2", "format 1"])
def package_format(request) -> int:
    """Offline checks run on packages of the current format and of the legacy one, which keeps opening."""
    return request.param


def sealed_package(tmp_path: Path, files: dict[str, bytes], format: int = 2) -> tuple[Path, Path, str]:
    """A package signed by a throwaway hub key; returns (package file, court key file, hub key hex)."""
    hub, court = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    request_id = "5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c"
    header = {"request": request_id, "order_reference": "Court 1", "approvals": []}
    if format == 2:
        envelope, _ = package_build(
            files, header, signing_key=hub, court_public_key=raw_public(court.public_key())
        )
    else:
        zip_bytes, _ = package_zip(files, header)
        envelope = package_seal(
            zip_bytes, request_id=request_id, signing_key=hub, court_public_key=raw_public(court.public_key())
        )
    path = tmp_path / ("package.zip.age" if format == 2 else "package.json")
    path.write_bytes(envelope)
    return path, pem_write(tmp_path / "court.pem", court), raw_public(hub.public_key()).hex()


def test_names_that_would_leave_the_directory_are_not_written(tmp_path, capsys, package_format):
    files = {"records.json": b"[]", "../escaped.txt": b"x", "/tmp/absolute.txt": b"x", "evidence/a/0": b"ok"}
    path, court_pem, hub_key = sealed_package(tmp_path, files, package_format)
    out = tmp_path / "out"

    status = main(
        ["verify-package", str(path), "--key", str(court_pem), "--hub-key", hub_key, "--out", str(out)]
    )

    err = capsys.readouterr().err
    assert status == 1
    assert "'../escaped.txt'" in err and "'/tmp/absolute.txt'" in err
    assert not (tmp_path / "escaped.txt").exists()
    assert (out / "evidence" / "a" / "0").read_bytes() == b"ok" and (out / "records.json").exists()


def test_a_symlink_in_the_directory_does_not_lead_out(tmp_path, capsys, package_format):
    path, court_pem, hub_key = sealed_package(
        tmp_path, {"records.json": b"[]", "evidence/a/0": b"ok"}, package_format
    )
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "evidence").symlink_to(tmp_path / "elsewhere")

    status = main(
        [
            "verify-package",
            str(path),
            "--key",
            str(court_pem),
            "--hub-key",
            hub_key,
            "--out",
            str(tmp_path / "out"),
        ]
    )

    assert status == 1 and "'evidence/a/0'" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere" / "a").exists()


def test_a_signature_by_another_hub_key_does_not_verify(tmp_path, capsys, package_format):
    path, court_pem, _ = sealed_package(tmp_path, {"records.json": b"[]"}, package_format)
    other = raw_public(Ed25519PrivateKey.generate().public_key()).hex()

    status = main(["verify-package", str(path), "--key", str(court_pem), "--hub-key", other, "--json"])

    captured = capsys.readouterr()
    answer = json.loads(captured.out)
    assert status == 1 and "The hub's signature does not verify" in captured.err
    assert answer["valid"] is False and answer["error"].startswith("The hub's signature does not verify")


@pytest.mark.parametrize(
    "problem", ["missing package", "missing key", "not a key", "ed25519 key", "bad hub key"]
)
def test_verify_usage_errors_exit_2(tmp_path, capsys, problem):
    path, court_pem, hub_key = sealed_package(tmp_path, {"records.json": b"[]"})
    (tmp_path / "junk.pem").write_text("not a key")
    key = {
        "missing key": tmp_path / "none.pem",
        "not a key": tmp_path / "junk.pem",
        "ed25519 key": pem_write(tmp_path / "ed.pem", Ed25519PrivateKey.generate()),
    }.get(problem, court_pem)
    package = tmp_path / "none.json" if problem == "missing package" else path

    status = main(
        [
            "verify-package",
            str(package),
            "--key",
            str(key),
            "--hub-key",
            "abcd" if problem == "bad hub key" else hub_key,
        ]
    )

    assert status == 2
    assert capsys.readouterr().err.startswith("hubctl: error:")


@pytest.mark.parametrize(
    "argv",
    [
        ["disclosure-status", "not-a-uuid"],
        ["disclosure-approve", "not-a-uuid"],
        ["download-package", "not-a-uuid", "--out", "package.json"],
        [
            "download-package",
            "5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c",
            "--out",
            "/nonexistent/dir/package.json",
        ],
        ["register-key", "--key", "/nonexistent/court.pem"],
        [
            "disclosure-request",
            "--case-number",
            "1",
            "--issuing-court",
            "c",
            "--legal-basis",
            "l",
            "--report",
            "nope",
            "--fields",
            "statement",
            "--deadline",
            "2999-01-01T00:00:00",
            "--order-document",
            __file__,
        ],
        [
            "disclosure-request",
            "--case-number",
            "1",
            "--issuing-court",
            "c",
            "--legal-basis",
            "l",
            "--fields",
            "statement",
            "--deadline",
            "2999-01-01T00:00:00",
            "--order-document",
            __file__,
        ],
    ],
)
def test_disclosure_usage_errors_exit_2_before_any_request(monkeypatch, argv, capsys):
    from hubctl.client import HubClient

    monkeypatch.setattr(HubClient, "_send", lambda *a: pytest.fail("no request expected"))
    monkeypatch.setattr(HubClient, "_send_bytes", lambda *a: pytest.fail("no request expected"))
    monkeypatch.setenv("HUB_API_KEY", "test-key")

    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("hubctl: error:")


@pytest.mark.parametrize("argv", [["--fields", "statement,colour"], ["--deadline", "next tuesday"]])
def test_disclosure_request_argument_types_exit_2(argv):
    base = {
        "--case-number": "1",
        "--issuing-court": "c",
        "--legal-basis": "l",
        "--fields": "statement",
        "--deadline": "2999-01-01",
        "--order-document": __file__,
    }
    base[argv[0]] = argv[1]

    with pytest.raises(SystemExit) as exited:
        main(
            [
                "disclosure-request",
                "--report",
                "5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c",
                *[part for pair in base.items() for part in pair],
            ]
        )

    assert exited.value.code == 2


@pytest.mark.parametrize(
    "command",
    [
        "register-key",
        "disclosure-request",
        "disclosure-status",
        "disclosure-approve",
        "download-package",
        "verify-package",
    ],
)
def test_every_disclosure_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])

    assert exited.value.code == 0
    assert f"usage: hubctl {command}" in capsys.readouterr().out
