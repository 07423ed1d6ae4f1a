"""The records of processing are generated from the code's own settings and tables, served to
operators and auditors (audit:read, audited), and printed by a management command."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from accounts.audit.models import AuditEvent
from accounts.roles import ROLE_CAPABILITIES, Capability
from sharing.retention.selectors import records_of_processing

pytestmark = pytest.mark.django_db


def _retention(document: dict, setting: str) -> set:
    return {
        entry["value"]
        for activity in document["activities"]
        for entry in activity["retention"]
        if entry["setting"] == setting
    }


def test_changing_a_setting_changes_the_export(settings):
    settings.HUB_AUDIT_DETAILS_RETENTION_DAYS = 1111
    settings.HUB_REPORT_METADATA_RETENTION_DAYS = 777
    first = records_of_processing()
    settings.HUB_AUDIT_DETAILS_RETENTION_DAYS = 2222

    second = records_of_processing()

    assert _retention(first, "HUB_AUDIT_DETAILS_RETENTION_DAYS") == {1111}
    assert _retention(second, "HUB_AUDIT_DETAILS_RETENTION_DAYS") == {2222}
    assert _retention(second, "HUB_REPORT_METADATA_RETENTION_DAYS") == {777}


def test_recipients_come_from_the_role_matrix(monkeypatch):
    audit = next(a for a in records_of_processing()["activities"] if a["code"] == "audit")
    readers = {(r["organisation_kind"], r["role"]) for r in audit["recipients"]}
    expected = {
        (k.value, r.value) for (k, r), caps in ROLE_CAPABILITIES.items() if Capability.AUDIT_READ in caps
    }

    (kind, role), caps = next(iter(ROLE_CAPABILITIES.items()))
    monkeypatch.setitem(ROLE_CAPABILITIES, (kind, role), caps | {Capability.AUDIT_READ})
    widened = next(a for a in records_of_processing()["activities"] if a["code"] == "audit")

    assert readers == expected and ("auditor", "analyst") in readers
    assert (kind.value, role.value) in {(r["organisation_kind"], r["role"]) for r in widened["recipients"]}


def test_records_name_the_fields_the_models_hold():
    document = records_of_processing()
    records = {r["model"]: r["columns"] for a in document["activities"] for r in a["records"]}

    assert "details_purged_at" in records["accounts.AuditEvent"]
    assert "closed_at" in records["sharing.Report"]
    assert {c["code"] for c in document["data_classes"]} == {"shareable", "restricted", "administrative"}


def test_auditors_read_it_over_the_api_and_the_read_is_audited(api, auditor, platform_analyst):
    answer = api(auditor).get("/api/v1/records-of-processing")
    refused = api(platform_analyst).get("/api/v1/records-of-processing")

    assert answer.status_code == 200 and refused.status_code == 403
    assert {a["code"] for a in answer.json()["activities"]} >= {"screening", "reporting", "audit"}
    assert answer.json()["transfers"] == json.loads(json.dumps(records_of_processing()["transfers"]))
    row = AuditEvent.objects.get(action="sharing:records_of_processing:read")
    assert row.actor_member == auditor and row.data_class == "administrative"


def test_the_command_prints_the_same_document(capsys, settings):
    settings.HUB_SUBJECT_MATCH_RETENTION_DAYS = 42

    call_command("records_of_processing")

    printed = json.loads(capsys.readouterr().out)
    assert _retention(printed, "HUB_SUBJECT_MATCH_RETENTION_DAYS") == {42}


def test_transfers_abroad_come_from_the_residency_and_basis_settings(settings):
    settings.HUB_DATA_RESIDENCY = "CN"
    settings.HUB_TRANSFER_BASES = {}
    none = records_of_processing()["transfers"]
    settings.HUB_TRANSFER_BASES = {"HK": "standard_contract", "DE": "scc"}

    some = records_of_processing()["transfers"]

    assert none["residency"] == "CN" and none["destinations"] == []
    assert [(d["jurisdiction"], d["basis"]) for d in some["destinations"]] == [
        ("DE", "scc"),
        ("HK", "standard_contract"),
    ]
    assert "basis" in some["record_columns"] and some["recorded_as"] == "accounts.CrossBorderTransfer"


def test_the_listed_persons_route_is_a_recorded_activity_under_its_own_basis():
    (activity,) = [a for a in records_of_processing()["activities"] if a["code"] == "data_subject_rights"]

    assert activity["legal_bases"] == ["data_subject_rights"]
    assert {r["model"] for r in activity["records"]} == {
        "sharing.IdentifierChallenge",
        "sharing.RectificationRequest",
    }
