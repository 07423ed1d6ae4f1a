"""The audit log API: who may read it, filters, pagination, and that reading it is audited."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.audit.models import AuditEvent, DataClass
from tests.factories import report_make

pytestmark = pytest.mark.django_db


def test_auditor_lists_events_newest_first_with_every_audit_column(api, auditor, brand_reporter):
    report_make(brand_reporter)

    response = api(auditor).get("/api/v1/audit")

    assert response.status_code == 200
    first = response.json()["results"][0]
    assert set(first) == {
        "id",
        "seq",
        "leaf_hash",
        "occurred_at",
        "actor_member",
        "actor_api_key",
        "organisation",
        "role",
        "action",
        "object_type",
        "object_id",
        "data_class",
        "legal_basis",
        "outcome",
        "request_id",
        "client_request_id",
        "details",
        "details_purged_at",
    }
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == sorted(ids, reverse=True)


def test_filters_by_organisation_data_class_action_and_time(api, auditor, brand_reporter, outsider):
    report_make(outsider)
    cut = timezone.now()
    report_make(brand_reporter)
    client = api(auditor)

    by_org = client.get(f"/api/v1/audit?organisation={brand_reporter.organisation.public_id}").json()[
        "results"
    ]
    by_action = client.get("/api/v1/audit?action=sharing:report:submitted").json()["results"]
    recent = client.get(
        "/api/v1/audit", {"action": "sharing:report:submitted", "since": cut.isoformat()}
    ).json()["results"]
    earlier = client.get(
        "/api/v1/audit", {"action": "sharing:report:submitted", "until": cut.isoformat()}
    ).json()["results"]
    admin_class = client.get("/api/v1/audit?data_class=administrative").json()["results"]

    assert by_org and {r["organisation"] for r in by_org} == {str(brand_reporter.organisation.public_id)}
    assert len(by_action) == 2
    assert [r["organisation"] for r in recent] == [str(brand_reporter.organisation.public_id)]
    assert [r["organisation"] for r in earlier] == [str(outsider.organisation.public_id)]
    assert admin_class and {r["data_class"] for r in admin_class} == {DataClass.ADMINISTRATIVE}


def test_pagination_with_limit_and_offset(api, auditor, brand_reporter):
    for _n in range(3):
        report_make(brand_reporter)

    page = api(auditor).get("/api/v1/audit?action=sharing:report:submitted&limit=2&offset=1").json()

    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"] is None and page["previous"]


def test_reading_the_audit_log_is_itself_audited(api, auditor):
    api(auditor).get("/api/v1/audit?data_class=restricted")

    event = AuditEvent.objects.get(action="accounts:audit:listed")
    assert event.actor_member == auditor and event.details["filters"] == {"data_class": "restricted"}
    assert event.legal_basis == "operator_duty"


def test_members_outside_oversight_are_refused_and_the_refusal_is_recorded(api, brand_reporter):
    response = api(brand_reporter).get("/api/v1/audit")

    assert response.status_code == 403
    denied = AuditEvent.objects.get(action="accounts:access:denied")
    assert (denied.actor_member, denied.outcome, denied.role) == (brand_reporter, "denied", "reporter")


def test_a_failed_service_leaves_neither_the_write_nor_its_audit_row(api, brand_reporter, reviewer):
    report = report_make(brand_reporter)
    client = api(reviewer)
    client.post(f"/api/v1/reports/{report.public_id}/reject", {"reason": "no proof"}, format="json")
    before = AuditEvent.objects.count()

    response = client.post(
        f"/api/v1/reports/{report.public_id}/accept", {"reason": "on second thoughts"}, format="json"
    )

    assert response.status_code == 409
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action="sharing:report:accepted").exists()


def test_proofs_from_the_api_verify_against_the_latest_checkpoint(
    api, auditor, brand_reporter, settings, tmp_path
):
    from accounts.audit.checkpoints import checkpoint_create
    from hubcore import merkle

    settings.HUB_CHECKPOINT_DIR = str(tmp_path)
    for _ in range(5):
        report_make(brand_reporter)
    first = checkpoint_create()
    report_make(brand_reporter)
    checkpoint_create()
    client = api(auditor)

    latest = client.get("/api/v1/audit/checkpoints/latest").json()
    inclusion = client.get(f"/api/v1/audit/proofs/inclusion?index=3&size={latest['size']}").json()
    consistency = client.get(
        f"/api/v1/audit/proofs/consistency?first={first.size}&second={latest['size']}"
    ).json()

    root = bytes.fromhex(latest["root_hash"])
    assert latest["note"].startswith(latest["origin"] + "\n" + str(latest["size"]) + "\n")
    assert merkle.verify_inclusion(
        bytes.fromhex(inclusion["leaf_hash"]),
        3,
        latest["size"],
        [bytes.fromhex(h) for h in inclusion["path"]],
        root,
    )
    assert merkle.verify_consistency(
        first.size,
        latest["size"],
        bytes.fromhex(first.root_hash),
        root,
        [bytes.fromhex(h) for h in consistency["path"]],
    )


@pytest.mark.parametrize(
    "query", ["index=5&size=3", "index=-1&size=3", "index=0&size=999999", "index=a&size=1", "size=1"]
)
def test_bad_proof_parameters_are_400(api, auditor, brand_reporter, query):
    report_make(brand_reporter)

    response = api(auditor).get(f"/api/v1/audit/proofs/inclusion?{query}")

    assert response.status_code == 400 and response.json()["error"]["fields"]


def test_a_burst_of_refusals_raises_an_alert(api, brand_reporter, settings):
    from accounts.audit.models import Alert

    settings.HUB_DENIED_BURST_THRESHOLD = 5
    client = api(brand_reporter)

    for _ in range(5):
        client.get("/api/v1/audit")

    alert = Alert.objects.get(kind="denied_burst")
    assert alert.organisation == brand_reporter.organisation and alert.details["denied_in_10_minutes"] >= 5


def test_restricted_access_without_an_order_raises_a_high_alert_at_once(brand_reporter):
    from accounts.audit.models import Alert, DataClass
    from accounts.audit.services import audit_record
    from accounts.audit.tags import AuditTag

    audit_record(
        actor=None,
        tag=AuditTag.RESTRICTED_DECRYPTED,
        data_class=DataClass.RESTRICTED,
        target_type="restrictedrecord",
    )

    alert = Alert.objects.get(kind="restricted_without_order")
    assert alert.severity == "high" and alert.details["legal_basis"] == "membership_terms"
