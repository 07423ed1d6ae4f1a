"""The operator reviewers' pages: the report queue, a pending report's review material (a restricted
access under the "report review" legal basis, closed once decided), decisions, disputes and canaries."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.actors import Actor
from accounts.audit.models import Alert, AuditEvent, DataClass, LegalBasis, Outcome
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.disclosure.services.restricted_access import restricted_access_violations
from sharing.models import Canary, DisputeStatus, Report, ReportStatus, RestrictedRecord
from sharing.reports.serializers import ReportSubmitInput
from sharing.reports.services.reports import report_accept, report_submit
from tests.factories import dispute_make, persona, report_body, seller_identifiers, web_login

pytestmark = pytest.mark.django_db

EVIDENCE = b"%PDF-1.7 test purchase receipt"
STATEMENT = "Test purchase 42: counterfeit handbags, receipt attached."


def report_with_evidence(
    reporter=None, n: int = 0, verification_level: str = "rights_owner_verified"
) -> Report:
    reporter = reporter or persona(K.RIGHTS_OWNER, R.REPORTER)
    body = report_body(seller_identifiers(n), verification_level) | {
        "statement": STATEMENT,
        "evidence": [
            {
                "name": "receipt.pdf",
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(EVIDENCE).decode(),
            }
        ],
    }
    payload = ReportSubmitInput(data=body)
    payload.is_valid(raise_exception=True)
    return report_submit(submission=payload.to_submission(), actor=Actor(member=reporter))


@pytest.fixture
def reviewer():
    return persona(K.OPERATOR, R.REVIEWER)


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    web_login(client, reviewer)
    return client


def _events_after(pk: int):
    return AuditEvent.objects.filter(pk__gt=pk).order_by("pk")


def _last() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_lists_pending_reports_urgent_first_then_oldest_and_audits_the_page(
    reviewer_client, reviewer
):
    old = report_with_evidence(n=1)
    court_claim = report_with_evidence(n=2, verification_level="court_judgment")
    decided = report_with_evidence(n=3)
    report_accept(report=decided, reason="checked the receipt", actor=Actor(member=reviewer))
    before = _last()

    response = reviewer_client.get(reverse("reviewer-reports"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(str(court_claim.public_id)) < body.index(str(old.public_id))
    assert str(decided.public_id) not in body
    [listed] = _events_after(before).filter(action=AuditTag.REPORT_LISTED)
    assert listed.details["ids"] == [str(court_claim.public_id), str(old.public_id)]
    assert listed.data_class == DataClass.SHAREABLE and listed.legal_basis == LegalBasis.OPERATOR_DUTY


def test_the_queue_costs_the_same_queries_for_two_reports_as_for_five(reviewer_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(2):
        report_with_evidence(n=10 + n)
    with CaptureQueriesContext(connection) as two:
        reviewer_client.get(reverse("reviewer-reports"))
    for n in range(3):
        report_with_evidence(n=20 + n)
    with CaptureQueriesContext(connection) as five:
        response = reviewer_client.get(reverse("reviewer-reports"))

    assert response.status_code == 200 and response.content.decode().count('class="review-link"') == 5
    assert len(five.captured_queries) == len(two.captured_queries)


# --- review material: a restricted access under "report review" ----------------------------------


def test_a_pending_reports_page_shows_statement_and_evidence_each_read_a_restricted_report_review_row(
    reviewer_client,
):
    report = report_with_evidence()
    before = _last()

    response = reviewer_client.get(reverse("reviewer-report", kwargs={"report_id": report.public_id}))

    body = response.content.decode()
    assert response.status_code == 200
    assert STATEMENT in body and "receipt.pdf" in body
    assert "Phone number" in body and "+86" not in body  # identifier types, never their values
    opened = list(_events_after(before).filter(action=AuditTag.REPORT_REVIEW_OPENED))
    fields = sorted(e.details["field"] for e in opened)
    assert fields == ["evidence:0:meta", "statement"]
    assert all(e.data_class == DataClass.RESTRICTED for e in opened)
    assert all(e.legal_basis == LegalBasis.REPORT_REVIEW for e in opened)
    assert all(e.object_type == "restrictedrecord" for e in opened)
    assert not Alert.objects.filter(kind="restricted_without_order").exists()
    assert restricted_access_violations() == []
    call_command("check_restricted_access")


def test_opening_an_evidence_file_returns_its_bytes_as_an_attachment_audited_as_report_review(
    reviewer_client,
):
    report = report_with_evidence()
    before = _last()

    response = reviewer_client.get(
        reverse("reviewer-report-evidence", kwargs={"report_id": report.public_id, "index": 0})
    )

    assert response.status_code == 200
    assert response.content == EVIDENCE
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    opened = list(_events_after(before).filter(action=AuditTag.REPORT_REVIEW_OPENED))
    assert sorted(e.details["field"] for e in opened) == ["evidence:0", "evidence:0:meta"]
    assert {(e.data_class, e.legal_basis) for e in opened} == {
        (DataClass.RESTRICTED, LegalBasis.REPORT_REVIEW)
    }
    assert not Alert.objects.filter(kind="restricted_without_order").exists()


def test_an_evidence_index_the_report_lacks_is_a_404(reviewer_client):
    report = report_with_evidence()

    response = reviewer_client.get(
        reverse("reviewer-report-evidence", kwargs={"report_id": report.public_id, "index": 7})
    )

    assert response.status_code == 404


@pytest.mark.parametrize("decide", ["accept", "reject"])
def test_after_the_decision_the_statement_and_evidence_are_closed_and_nothing_restricted_is_read(
    reviewer_client, decide
):
    report = report_with_evidence()
    reviewer_client.post(
        reverse(f"reviewer-report-{decide}", kwargs={"report_id": report.public_id}),
        {"reason": "the receipt is genuine"},
    )
    before = _last()

    page = reviewer_client.get(reverse("reviewer-report", kwargs={"report_id": report.public_id}))
    evidence = reviewer_client.get(
        reverse("reviewer-report-evidence", kwargs={"report_id": report.public_id, "index": 0})
    )

    assert page.status_code == 200
    assert STATEMENT not in page.content.decode() and "receipt.pdf" not in page.content.decode()
    assert 'id="review-closed"' in page.content.decode()
    assert evidence.status_code == 403
    assert "only under a court order" in evidence.content.decode()
    assert EVIDENCE not in evidence.content
    assert not _events_after(before).filter(data_class=DataClass.RESTRICTED).exists()


def test_a_report_review_read_after_the_decision_breaks_the_restricted_access_invariant(reviewer):
    report = report_with_evidence()
    report_accept(report=report, reason="checked", actor=Actor(member=reviewer))
    record = RestrictedRecord.objects.get(owner_id=str(report.public_id), field="statement")

    audit_record(
        actor=Actor(member=reviewer),
        tag=AuditTag.REPORT_REVIEW_OPENED,
        target=record,
        data_class=DataClass.RESTRICTED,
        legal_basis=LegalBasis.REPORT_REVIEW,
    )

    [violation] = restricted_access_violations()
    assert "already decided" in violation.reason


def test_report_review_is_no_basis_for_another_action_it_raises_the_alert(reviewer):
    report = report_with_evidence()
    record = RestrictedRecord.objects.get(owner_id=str(report.public_id), field="identifiers")

    audit_record(
        actor=Actor(member=reviewer),
        tag=AuditTag.RESTRICTED_DECRYPTED,
        target=record,
        data_class=DataClass.RESTRICTED,
        legal_basis=LegalBasis.REPORT_REVIEW,
    )

    assert Alert.objects.filter(kind="restricted_without_order").exists()
    assert len(restricted_access_violations()) == 1


# --- decisions --------------------------------------------------------------------------------


def test_accepting_on_the_page_takes_the_verified_decision_as_the_api_does(reviewer_client):
    report = report_with_evidence(verification_level="court_judgment")

    response = reviewer_client.post(
        reverse("reviewer-report-accept", kwargs={"report_id": report.public_id}),
        {"reason": "judgment checked", "decision_verified": "true"},
    )

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.status, report.decision_verified, report.review_reason) == (
        ReportStatus.ACCEPTED,
        True,
        "judgment checked",
    )
    assert AuditEvent.objects.filter(
        action=AuditTag.REPORT_ACCEPTED, object_id=str(report.public_id)
    ).exists()


@pytest.mark.parametrize("decide", ["accept", "reject"])
@pytest.mark.parametrize("reason", ["", "ab", "y" * 2001])
def test_a_decision_with_a_bad_reason_re_renders_with_the_reason_field_refused(
    reviewer_client, decide, reason
):
    report = report_with_evidence()

    response = reviewer_client.post(
        reverse(f"reviewer-report-{decide}", kwargs={"report_id": report.public_id}), {"reason": reason}
    )

    report.refresh_from_db()
    assert response.status_code == 400
    assert 'data-field="reason"' in response.content.decode()
    assert f'id="{decide}-reason-errors"' in response.content.decode()
    assert report.status == ReportStatus.PENDING


def test_rejecting_on_the_page_records_the_reason(reviewer_client):
    report = report_with_evidence()

    response = reviewer_client.post(
        reverse("reviewer-report-reject", kwargs={"report_id": report.public_id}),
        {"reason": "no evidence of use"},
    )

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.status, report.review_reason) == (ReportStatus.REJECTED, "no evidence of use")


def test_deciding_a_decided_report_again_is_refused_with_its_message(reviewer_client):
    report = report_with_evidence()
    url = reverse("reviewer-report-accept", kwargs={"report_id": report.public_id})
    reviewer_client.post(url, {"reason": "checked"})

    response = reviewer_client.post(url, {"reason": "checked twice"})

    assert response.status_code == 409
    assert "Only a pending report can be accepted" in response.content.decode()


# --- disputes ---------------------------------------------------------------------------------


def test_the_dispute_queue_and_page_show_both_sides_each_read_a_restricted_dispute_review_row(
    reviewer_client,
):
    dispute, _ = dispute_make(answered=True)
    before = _last()

    queue = reviewer_client.get(reverse("reviewer-disputes"))
    page = reviewer_client.get(reverse("reviewer-dispute", kwargs={"dispute_id": dispute.public_id}))

    assert queue.status_code == 200 and str(dispute.public_id) in queue.content.decode()
    body = page.content.decode()
    assert "The seller holds a licence." in body  # the platform's grounds
    assert "Suit filed." in body and "suit.pdf" in body  # the reporter's answer note and document
    opened = list(_events_after(before).filter(action=AuditTag.DISPUTE_REVIEW_OPENED))
    assert sorted(e.details["field"].split(":")[0] for e in opened) == ["answer_evidence", "answer_note"]
    assert {(e.data_class, e.legal_basis) for e in opened} == {
        (DataClass.RESTRICTED, LegalBasis.DISPUTE_REVIEW)
    }
    assert not Alert.objects.filter(kind="restricted_without_order").exists()
    assert restricted_access_violations() == []


def test_a_disputes_document_downloads_while_undecided_and_is_refused_once_decided(reviewer_client):
    dispute, _ = dispute_make(answered=True)
    record = RestrictedRecord.objects.get(owner_type="dispute", field__regex=r"^answer_evidence:[^:]+:0$")
    url = reverse(
        "reviewer-dispute-document", kwargs={"dispute_id": dispute.public_id, "record_id": record.public_id}
    )

    opened = reviewer_client.get(url)
    reviewer_client.post(
        reverse("reviewer-dispute-decide", kwargs={"dispute_id": dispute.public_id}),
        {"outcome": "upheld", "reason": "the suit was filed in time"},
    )
    before = _last()
    refused = reviewer_client.get(url)
    page = reviewer_client.get(reverse("reviewer-dispute", kwargs={"dispute_id": dispute.public_id}))

    assert opened.status_code == 200 and opened.content == b"%PDF"
    assert opened["Content-Disposition"].startswith("attachment;")
    assert refused.status_code == 403 and "only under a court order" in refused.content.decode()
    assert "Suit filed." not in page.content.decode() and 'id="review-closed"' in page.content.decode()
    assert not _events_after(before).filter(data_class=DataClass.RESTRICTED).exists()
    assert restricted_access_violations() == []


def test_a_record_outside_the_disputes_documents_is_an_audited_404(reviewer_client):
    dispute, _ = dispute_make(answered=True)
    note = RestrictedRecord.objects.get(owner_type="dispute", field__startswith="answer_note:")
    before = _last()

    response = reviewer_client.get(
        reverse(
            "reviewer-dispute-document", kwargs={"dispute_id": dispute.public_id, "record_id": note.public_id}
        )
    )

    assert response.status_code == 404
    assert _events_after(before).filter(outcome=Outcome.DENIED).count() == 1
    assert not _events_after(before).filter(data_class=DataClass.RESTRICTED).exists()


def test_an_open_disputes_page_counts_the_working_days_left(reviewer_client):
    dispute, _ = dispute_make()

    page = reviewer_client.get(reverse("reviewer-dispute", kwargs={"dispute_id": dispute.public_id}))

    assert "working days" in page.content.decode()


def test_deciding_a_dispute_on_the_page_uses_the_apis_service_and_rules(reviewer_client):
    dispute, _ = dispute_make(answered=True)
    url = reverse("reviewer-dispute-decide", kwargs={"dispute_id": dispute.public_id})

    refused = reviewer_client.post(url, {"outcome": "maybe", "reason": "x"})
    decided = reviewer_client.post(url, {"outcome": "upheld", "reason": "the suit was filed in time"})

    dispute.refresh_from_db()
    assert refused.status_code == 400
    assert (
        'data-field="outcome"' in refused.content.decode()
        and 'data-field="reason"' in refused.content.decode()
    )
    assert decided.status_code == 302
    assert dispute.status == DisputeStatus.UPHELD
    assert AuditEvent.objects.filter(
        action=AuditTag.DISPUTE_DECIDED, object_id=str(dispute.public_id)
    ).exists()


def test_deciding_while_a_reporters_window_runs_is_refused_with_the_services_message(reviewer_client):
    dispute, _ = dispute_make()

    response = reviewer_client.post(
        reverse("reviewer-dispute-decide", kwargs={"dispute_id": dispute.public_id}),
        {"outcome": "upheld", "reason": "looks fine"},
    )

    assert response.status_code == 409
    assert "window runs until" in response.content.decode()


def test_an_urgent_decision_on_the_page_decides_while_a_window_runs_as_its_own_action(reviewer_client):
    dispute, _ = dispute_make()

    response = reviewer_client.post(
        reverse("reviewer-dispute-decide-urgently", kwargs={"dispute_id": dispute.public_id}),
        {"outcome": "overturned", "reason": "a court order lifts the listing"},
    )

    dispute.refresh_from_db()
    assert response.status_code == 302
    assert dispute.status == DisputeStatus.OVERTURNED
    assert AuditEvent.objects.filter(
        action=AuditTag.DISPUTE_DECIDED_URGENTLY, object_id=str(dispute.public_id)
    ).exists()


# --- canaries ---------------------------------------------------------------------------------


def test_an_operator_admin_plants_a_canary_and_sees_it_listed_without_its_value():
    admin = persona(K.OPERATOR, R.ADMIN)
    client = Client()
    web_login(client, admin)

    planted = client.post(
        reverse("reviewer-canaries"),
        {"identifier-0-type": "phone", "identifier-0-value": "+86 139 0000 0001", "label": "range trap 139"},
    )
    listed = client.get(reverse("reviewer-canaries"))

    assert planted.status_code == 302
    assert Canary.objects.filter(label="range trap 139", identifier_type="phone").count() == 1
    body = listed.content.decode()
    assert "range trap 139" in body and "139 0000 0001" not in body
    assert AuditEvent.objects.filter(action=AuditTag.CANARY_LISTED).exists()


def test_planting_an_invalid_canary_re_renders_with_per_field_errors_and_no_value_echoed():
    admin = persona(K.OPERATOR, R.ADMIN)
    client = Client()
    web_login(client, admin)

    no_label = client.post(
        reverse("reviewer-canaries"),
        {"identifier-0-type": "phone", "identifier-0-value": "+86 139 0000 0001", "label": ""},
    )
    bad_value = client.post(
        reverse("reviewer-canaries"),
        {"identifier-0-type": "phone", "identifier-0-value": "12ab-not-a-phone", "label": "trap"},
    )

    assert no_label.status_code == 400 and 'data-field="label"' in no_label.content.decode()
    assert bad_value.status_code == 400 and 'data-field="identifier-0-value"' in bad_value.content.decode()
    assert "139 0000 0001" not in no_label.content.decode()
    assert "12ab-not-a-phone" not in bad_value.content.decode()
    assert not Canary.objects.exists()


def test_a_person_is_planted_as_a_canary_and_a_bad_date_of_birth_is_refused_on_its_field():
    admin = persona(K.OPERATOR, R.ADMIN)
    client = Client()
    web_login(client, admin)
    person = {
        "identifier-0-type": "person",
        "identifier-0-person-full_name": "Decoy Person",
        "label": "decoy",
    }

    bad = client.post(
        reverse("reviewer-canaries"), person | {"identifier-0-person-date_of_birth": "1/2/1990"}
    )
    planted = client.post(
        reverse("reviewer-canaries"), person | {"identifier-0-person-date_of_birth": "1990-02-01"}
    )

    body = bad.content.decode()
    assert bad.status_code == 400
    assert (
        'data-field="identifier-0-person-date_of_birth">Date of birth: Give the date of birth as YYYY-MM-DD.'
        in body
    )
    assert "Decoy Person" not in body and "1/2/1990" not in body  # a canary's value is never shown again
    assert planted.status_code == 302
    assert Canary.objects.filter(label="decoy", identifier_type="person").count() == 1


# --- not yours: a platform analyst reaches none of these pages ----------------------------------


def _routes() -> list[str]:
    some = {"report_id": uuid.uuid4(), "dispute_id": uuid.uuid4()}
    return [
        reverse("reviewer-reports"),
        reverse("reviewer-report", kwargs={"report_id": some["report_id"]}),
        reverse("reviewer-report-evidence", kwargs={"report_id": some["report_id"], "index": 0}),
        reverse("reviewer-report-accept", kwargs={"report_id": some["report_id"]}),
        reverse("reviewer-report-reject", kwargs={"report_id": some["report_id"]}),
        reverse("reviewer-disputes"),
        reverse("reviewer-dispute", kwargs={"dispute_id": some["dispute_id"]}),
        reverse("reviewer-dispute-decide", kwargs={"dispute_id": some["dispute_id"]}),
        reverse(
            "reviewer-dispute-document", kwargs={"dispute_id": some["dispute_id"], "record_id": uuid.uuid4()}
        ),
        reverse("reviewer-dispute-decide-urgently", kwargs={"dispute_id": some["dispute_id"]}),
        reverse("reviewer-canaries"),
    ]


@pytest.mark.parametrize("method", ["get", "head", "post", "put", "patch", "delete", "options"])
def test_a_platform_analyst_is_refused_every_reviewer_route_by_every_method(method):
    analyst = persona(K.PLATFORM, R.ANALYST)
    client = Client()
    web_login(client, analyst)
    report = report_with_evidence()
    before = _last()

    answers = {
        path: getattr(client, method)(path).status_code
        for path in [*_routes(), reverse("reviewer-report", kwargs={"report_id": report.public_id})]
    }

    assert set(answers.values()) == {403}, answers
    denied = _events_after(before).filter(outcome=Outcome.DENIED, action=AuditTag.ACCESS_DENIED)
    assert denied.count() == len(answers)
    assert not _events_after(before).filter(data_class=DataClass.RESTRICTED).exists()


def test_a_reviewer_cannot_plant_canaries_and_an_operator_admin_cannot_review():
    client = Client()
    web_login(client, persona(K.OPERATOR, R.REVIEWER))
    admin = Client()
    web_login(admin, persona(K.OPERATOR, R.ADMIN))

    assert client.get(reverse("reviewer-canaries")).status_code == 403
    assert admin.get(reverse("reviewer-reports")).status_code == 403
    assert admin.get(reverse("reviewer-disputes")).status_code == 403


def test_the_review_page_shows_the_right_as_the_report_form_filed_it(reviewer_client):
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    body = report_body(seller_identifiers(7)) | {
        "statement": STATEMENT,
        "right_registration_number": "TM-30512345",
        "right_territory": "CN",
        "right_holder": "Demo Luxury Brands Ltd",
    }
    payload = ReportSubmitInput(data=body)
    payload.is_valid(raise_exception=True)
    report = report_submit(submission=payload.to_submission(), actor=Actor(member=reporter))

    page = reviewer_client.get(
        reverse("reviewer-report", kwargs={"report_id": report.public_id})
    ).content.decode()

    right = page[page.index('id="right"') :]
    assert "TM-30512345" in right and "Demo Luxury Brands Ltd" in right and "CN" in right
