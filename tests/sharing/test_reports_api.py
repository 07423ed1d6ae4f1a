"""Reports: submission, the restricted tier, review, retraction, and scoping to the owner."""

from __future__ import annotations

import base64
import json

import pytest

from accounts.audit.models import AuditEvent, DataClass
from hub.envelope import Sealed, associated_data, open_sealed
from hub.keys import key_encryption_keys
from sharing.models import IdentifierToken, Report, ReportStatus, RestrictedRecord
from tests.factories import report_body, report_make, seller_identifiers

pytestmark = pytest.mark.django_db


def _open(record: RestrictedRecord) -> bytes:
    aad = associated_data(
        record_id=f"{record.owner_type}:{record.owner_id}", field=record.field, data_class="restricted"
    )
    return open_sealed(
        Sealed(record.kek_version, bytes(record.wrapped_key), bytes(record.ciphertext)),
        aad=aad,
        keys=key_encryption_keys(),
    )


def test_submit_stores_tokens_and_seals_raw_values_statement_and_evidence(api, brand_reporter):
    body = {
        **report_body(),
        "evidence": [
            {
                "name": "order.pdf",
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(b"%PDF-1.7 order 42").decode(),
            }
        ],
    }

    response = api(brand_reporter).post("/api/v1/reports", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending"
    assert data["identifier_types"] == ["email", "phone"] and data["evidence_count"] == 1
    report = Report.objects.get(public_id=data["id"])
    assert IdentifierToken.objects.filter(report_links__report=report).count() == 2
    records = {r.field: r for r in RestrictedRecord.objects.filter(owner_id=str(report.public_id))}
    assert set(records) == {"identifiers", "statement", "reporter", "evidence:0", "evidence:0:meta"}
    assert json.loads(_open(records["identifiers"]))[0]["value"] == "+86 138 0013 8000"
    assert _open(records["evidence:0"]) == b"%PDF-1.7 order 42"
    event = AuditEvent.objects.get(action="sharing:report:submitted")
    assert (event.actor_member, event.object_id, event.data_class) == (
        brand_reporter,
        data["id"],
        DataClass.SHAREABLE,
    )


def test_the_same_seller_spelt_differently_gives_the_same_tokens(brand_reporter):
    first = report_make(brand_reporter, [{"type": "phone", "value": "+86 138 0013 8000"}])
    second = report_make(brand_reporter, [{"type": "phone", "value": "0086-138-0013-8000"}])

    tokens = [set(r.identifiers.values_list("token__token", flat=True)) for r in (first, second)]

    assert tokens[0] == tokens[1]


def test_reporter_lists_and_reads_only_its_own_reports(api, brand_reporter, outsider):
    own = report_make(brand_reporter)
    foreign = report_make(outsider, seller_identifiers(1))
    client = api(brand_reporter)

    listing = client.get("/api/v1/reports")
    detail = client.get(f"/api/v1/reports/{own.public_id}")
    foreign_detail = client.get(f"/api/v1/reports/{foreign.public_id}")

    assert [r["id"] for r in listing.json()["results"]] == [str(own.public_id)]
    assert detail.status_code == 200
    assert foreign_detail.status_code == 404
    assert AuditEvent.objects.filter(
        actor_member=brand_reporter, outcome="denied", object_type="report"
    ).exists()
    assert AuditEvent.objects.filter(action="sharing:report:read", object_id=str(own.public_id)).count() == 1


def test_outsider_cannot_retract_someone_elses_report(api, brand_reporter, outsider):
    report = report_make(brand_reporter)

    response = api(outsider).post(f"/api/v1/reports/{report.public_id}/retract")

    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING


def test_reviewer_accepts_with_reason_and_the_report_gets_an_expiry(api, brand_reporter, reviewer):
    report = report_make(brand_reporter)

    response = api(reviewer).post(
        f"/api/v1/reports/{report.public_id}/accept", {"reason": "order verified"}, format="json"
    )

    assert response.status_code == 200, response.content
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.expires_at is not None
    assert report.reviewed_by == reviewer and report.review_reason == "order verified"
    assert AuditEvent.objects.filter(action="sharing:report:accepted", actor_member=reviewer).exists()


def test_reject_needs_a_reason_and_a_decided_report_cannot_be_decided_again(api, brand_reporter, reviewer):
    report = report_make(brand_reporter)
    client = api(reviewer)

    no_reason = client.post(f"/api/v1/reports/{report.public_id}/reject", {}, format="json")
    rejected = client.post(
        f"/api/v1/reports/{report.public_id}/reject", {"reason": "no proof of sale"}, format="json"
    )
    again = client.post(
        f"/api/v1/reports/{report.public_id}/accept", {"reason": "changed my mind"}, format="json"
    )

    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert again.status_code == 409


def test_review_queue_shows_metadata_of_every_organisation_but_no_reporter_name(
    api, brand_reporter, outsider, reviewer
):
    report_make(brand_reporter)
    report_make(outsider, seller_identifiers(1))

    response = api(reviewer).get("/api/v1/review/reports?status=pending")

    rows = response.json()["results"]
    assert len(rows) == 2
    assert {r["reporter_kind"] for r in rows} == {"rights_owner"}
    assert brand_reporter.organisation.name not in response.content.decode()


def test_retracting_an_accepted_report_stops_it_matching(api, brand_reporter, reviewer, platform_analyst):
    report = report_make(brand_reporter)
    api(reviewer).post(
        f"/api/v1/reports/{report.public_id}/accept", {"reason": "evidence checked"}, format="json"
    )
    check = {"purpose": "listing_review", "identifiers": [seller_identifiers()[0]]}
    before = api(platform_analyst).post("/api/v1/checks", check, format="json").json()["level"]

    retracted = api(brand_reporter).post(f"/api/v1/reports/{report.public_id}/retract")

    after = api(platform_analyst).post("/api/v1/checks", check, format="json").json()["level"]
    assert retracted.status_code == 200
    assert (before, after) == ("reported", "none")


@pytest.mark.parametrize("guarantee", [None, False])
def test_a_notice_without_the_written_guarantee_is_refused_on_the_api_and_stores_nothing(
    api, brand_reporter, guarantee
):
    """A valid notice carries the reporter's guarantee of authenticity (seed 000): the API asks it as the page does."""
    body = report_body()
    if guarantee is None:
        del body["authenticity_guaranteed"]
    else:
        body["authenticity_guaranteed"] = guarantee
    answer = api(brand_reporter).post("/api/v1/reports", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["authenticity_guaranteed"] == [
        "Give the written guarantee of authenticity."
    ]
    assert not Report.objects.exists()


def test_the_service_refuses_a_notice_without_the_guarantee_whoever_calls_it(brand_reporter):
    """The rule lives in report_submit, not only in the inputs: a caller that skips them is refused too."""
    import dataclasses

    from accounts.actors import Actor
    from hub.errors import DomainError
    from sharing.reports.serializers import ReportSubmitInput
    from sharing.reports.services.reports import report_submit

    payload = ReportSubmitInput(data=report_body())
    payload.is_valid(raise_exception=True)
    unguaranteed = dataclasses.replace(payload.to_submission(), authenticity_guaranteed=False)
    with pytest.raises(DomainError) as refused:
        report_submit(submission=unguaranteed, actor=Actor(member=brand_reporter))
    assert set(refused.value.fields) == {"authenticity_guaranteed"}
    assert not Report.objects.exists()


def test_an_accepted_notice_records_when_the_guarantee_was_given(api, brand_reporter):
    answer = api(brand_reporter).post("/api/v1/reports", report_body(), format="json")
    assert answer.status_code == 201, answer.content
    assert Report.objects.get().authenticity_guaranteed_at is not None
    assert answer.json()["authenticity_guaranteed_at"]
