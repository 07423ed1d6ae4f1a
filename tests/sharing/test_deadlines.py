"""Every deadline is honoured at the moment of action, not when the scheduled task next runs.

Each refused action answers 409 naming the deadline, applies the lapse the task would have
applied, and leaves a denied audit row by the member who tried.
"""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.disclosure.services.disclosure_packages import disclosure_package_build
from sharing.models import (
    BulkJob,
    DisclosureRequest,
    DisclosureStatus,
    DisputedReport,
    DisputeStatus,
    Report,
    ReportStatus,
)
from tests.factories import (
    client_for,
    disclosure_make,
    dispute_make,
    member_make,
    persona,
    report_make_accepted,
)

pytestmark = pytest.mark.django_db
PAST = timedelta(minutes=1)


def _refused_and_audited(response, member, tag: AuditTag, words: str) -> None:
    assert response.status_code == 409, response.content
    assert words in response.json()["error"]["message"]
    assert AuditEvent.objects.filter(actor_member=member, action=tag.value, outcome=Outcome.DENIED).exists()


def _overdue_order(approvals: int) -> DisclosureRequest:
    request = disclosure_make(approvals=approvals)
    DisclosureRequest.objects.filter(pk=request.pk).update(deadline=timezone.now() - PAST)
    return request


def _officer_of(request: DisclosureRequest):
    officer = persona(K.OPERATOR, R.DISCLOSURE_OFFICER) if not request.approvals.exists() else None
    return officer or member_make(request.approvals.first().officer.organisation, R.DISCLOSURE_OFFICER)


REVIEW_ACTIONS = {
    "approve": ({}, AuditTag.DISCLOSURE_APPROVED),
    "reject": ({"reason": "too late anyway"}, AuditTag.DISCLOSURE_REJECTED),
    "narrow": (
        {"reason": "statement only", "scope": {"fields": ["statement"]}},
        AuditTag.DISCLOSURE_NARROWED,
    ),
}


@pytest.mark.parametrize("action", sorted(REVIEW_ACTIONS))
def test_no_review_action_on_an_overdue_order_goes_through_before_the_hourly_task(action):
    request = _overdue_order(approvals=1)
    officer = _officer_of(request)
    body, tag = REVIEW_ACTIONS[action]

    response = client_for(officer).post(
        f"/api/v1/disclosure-requests/{request.public_id}/{action}", body, format="json"
    )

    request.refresh_from_db()
    _refused_and_audited(response, officer, tag, "deadline")
    assert request.status == DisclosureStatus.EXPIRED and request.approvals.count() == 1
    assert AuditEvent.objects.filter(
        action=AuditTag.DISCLOSURE_EXPIRED.value, object_id=str(request.public_id)
    ).exists()


def test_a_second_approval_of_an_overdue_order_approves_nothing_and_builds_nothing():
    request = _overdue_order(approvals=1)

    response = client_for(_officer_of(request)).post(
        f"/api/v1/disclosure-requests/{request.public_id}/approve"
    )

    assert response.status_code == 409
    assert disclosure_package_build(request_id=request.pk) is None
    assert not hasattr(DisclosureRequest.objects.get(pk=request.pk), "package")


def test_a_build_after_the_approval_expired_is_refused_expires_the_order_and_is_audited():
    request = disclosure_make(approvals=2)
    DisclosureRequest.objects.filter(pk=request.pk).update(approval_expires_at=timezone.now() - PAST)

    built = disclosure_package_build(request_id=request.pk)

    assert built is None and DisclosureRequest.objects.get(pk=request.pk).status == DisclosureStatus.EXPIRED
    assert AuditEvent.objects.filter(
        action=AuditTag.DISCLOSURE_PACKAGE_BUILT.value,
        outcome=Outcome.DENIED,
        object_id=str(request.public_id),
    ).exists()


def test_a_download_after_the_approval_expired_is_refused_expires_the_order_and_is_audited():
    clerk = persona(K.COURT, R.ANALYST)
    request = disclosure_make(clerk, approvals=2, built=True)
    DisclosureRequest.objects.filter(pk=request.pk).update(approval_expires_at=timezone.now() - PAST)

    response = client_for(clerk).get(f"/api/v1/disclosure-requests/{request.public_id}/package")

    _refused_and_audited(response, clerk, AuditTag.DISCLOSURE_PACKAGE_DOWNLOADED, "approval expired")
    request.refresh_from_db()
    assert request.status == DisclosureStatus.EXPIRED and request.downloads == 0


def test_a_dispute_answered_after_its_due_date_is_refused_and_lapses_at_once():
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    dispute, _ = dispute_make(reporter=reporter)
    DisputedReport.objects.filter(dispute=dispute).update(
        response_due=timezone.localdate() - timedelta(days=1)
    )
    evidence = [{"name": "suit.pdf", "content_base64": base64.b64encode(b"%PDF suit").decode()}]

    response = client_for(reporter).post(
        f"/api/v1/disputes/{dispute.public_id}/answer",
        {"note": "suit filed", "evidence": evidence},
        format="json",
    )

    dispute.refresh_from_db()
    _refused_and_audited(response, reporter, AuditTag.DISPUTE_ANSWERED, "was due by")
    assert dispute.status == DisputeStatus.LAPSED
    assert set(dispute.reports.values_list("status", flat=True)) == {ReportStatus.SUSPENDED}


def test_a_dispute_answered_on_its_due_date_is_still_accepted():
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    dispute, _ = dispute_make(reporter=reporter)
    DisputedReport.objects.filter(dispute=dispute).update(response_due=timezone.localdate())
    evidence = [{"name": "suit.pdf", "content_base64": base64.b64encode(b"%PDF suit").decode()}]

    response = client_for(reporter).post(
        f"/api/v1/disputes/{dispute.public_id}/answer",
        {"note": "suit filed", "evidence": evidence},
        format="json",
    )

    assert response.status_code == 200 and response.json()["status"] == "answered"


def test_a_report_past_its_expiry_cannot_be_renewed_and_expires_at_once():
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    report = report_make_accepted(reporter, persona(K.OPERATOR, R.REVIEWER))
    Report.objects.filter(pk=report.pk).update(expires_at=timezone.now() - PAST)

    response = client_for(reporter).post(f"/api/v1/reports/{report.public_id}/renew")

    _refused_and_audited(response, reporter, AuditTag.REPORT_RENEWED, "expired")
    assert Report.objects.get(pk=report.pk).status == ReportStatus.EXPIRED


def test_a_bulk_job_past_its_retention_is_gone_before_the_sweeper_deletes_it():
    from django.core.files.uploadedfile import SimpleUploadedFile

    analyst = persona(K.PLATFORM, R.ANALYST)
    client = client_for(analyst)
    created = client.post(
        "/api/v1/bulk-checks",
        {
            "purpose": "seller_onboarding",
            "file": SimpleUploadedFile("s.csv", b"ref,phone\na,+86 138 0013 8000\n"),
        },
        format="multipart",
    )
    BulkJob.objects.filter(public_id=created.json()["id"]).update(expires_at=timezone.now() - PAST)

    status = client.get(f"/api/v1/bulk-checks/{created.json()['id']}")
    listed = client.get("/api/v1/bulk-checks")

    assert status.status_code == 404 and created.json()["id"] not in str(listed.json())


def test_a_report_past_its_expiry_stops_matching_checks_and_bulk_before_the_hourly_task():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sharing.bulk.tasks import bulk_chunk_task
    from sharing.models import BulkChunk
    from tests.factories import seller_identifiers

    seller = seller_identifiers(7)[:1]
    report = report_make_accepted(
        persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER), seller
    )
    analyst = client_for(persona(K.PLATFORM, R.ANALYST))
    before = analyst.post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": seller}, format="json"
    ).json()["level"]
    Report.objects.filter(pk=report.pk).update(
        expires_at=timezone.now() - PAST
    )  # the hourly task has not run

    after = analyst.post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": seller}, format="json"
    ).json()["level"]
    row = f"ref,{seller[0]['type']}\nshop,{seller[0]['value']}\n".encode()
    job = analyst.post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", row)},
        format="multipart",
    ).json()["id"]
    for chunk_id in BulkChunk.objects.filter(job__public_id=job).values_list("pk", flat=True):
        bulk_chunk_task(chunk_id)
    bulk_result = analyst.get(f"/api/v1/bulk-checks/{job}/results?format=jsonl")

    assert (before, after) == ("reported", "none")
    assert '"level":"none"' in b"".join(bulk_result.streaming_content).decode()
    assert Report.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
