"""hubctl transparency verify: a published quarter's report checked against the hub's published key,
from its URL on the real hub (Django's live server) and from saved files; and each way it must fail."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.utils import timezone

from accounts.audit.checkpoints import hub_public_key
from accounts.roles import OrganisationKind, Role
from hubctl.cli import main
from sharing.models import TransparencyReport
from sharing.transparency.publication import transparency_report_publish
from sharing.transparency.selectors import quarter_of
from tests.factories import persona, report_make

pytestmark = pytest.mark.django_db(transaction=True)


def _published() -> TransparencyReport:
    report_make(persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER))
    quarter = quarter_of(timezone.now())
    report = transparency_report_publish(quarter=quarter, now=quarter.end + timedelta(hours=1))
    assert report is not None
    return report


def _saved(tmp_path: Path, report: TransparencyReport, document: str | None = None) -> Path:
    path = tmp_path / f"transparency-{report.period}.json"
    path.write_bytes((document if document is not None else report.document).encode())
    (tmp_path / f"{path.name}.sig").write_text(report.signature)
    return path


def test_a_report_verifies_from_its_url_with_the_key_the_hub_publishes(live_server, capsys):
    report = _published()

    status = main(["transparency", "verify", f"{live_server.url}/transparency/{report.period}.json"])

    out, err = capsys.readouterr()
    assert status == 0, out + err
    assert f"verified: the final transparency report {report.period}" in out
    assert "/api/v1/keys" in err  # the key was fetched, with the warning to pin it


def test_saved_files_verify_offline_with_a_pinned_key(tmp_path, capsys):
    report = _published()
    path = _saved(tmp_path, report)

    status = main(["transparency", "verify", str(path), "--hub-key", hub_public_key().hex()])

    assert status == 0, capsys.readouterr()


def test_an_altered_document_or_another_key_does_not_verify(tmp_path, capsys):
    report = _published()
    altered = _saved(tmp_path, report, report.document.replace('"period"', '"period" ', 1))
    other_key = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    assert main(["transparency", "verify", str(altered), "--hub-key", hub_public_key().hex()]) == 1
    assert "SHA-256 differs" in capsys.readouterr().out
    (tmp_path / "genuine").mkdir()
    genuine = _saved(tmp_path / "genuine", report)
    assert main(["transparency", "verify", str(genuine), "--hub-key", other_key.hex()]) == 1
    assert "does not verify with the hub's published key" in capsys.readouterr().out


def test_a_missing_file_is_bad_usage(tmp_path, capsys):
    assert main(["transparency", "verify", str(tmp_path / "nothing.json"), "--hub-key", "00" * 32]) == 2
