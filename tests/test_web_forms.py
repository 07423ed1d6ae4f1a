"""Every web form validates through the API's own input serializer: the same input is accepted or
refused on a page and through the API, and a refusal is a 4xx with a per-field message, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import Alert, AlertStatus
from accounts.audit.services import alert_raise
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.bulk.services import bulk
from sharing.models import BulkJob, BulkJobStatus, DisclosureRequest, DisclosureStatus
from tests.factories import client_for, court_key_pair, disclosure_make, persona, report_make, web_login

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

# Every template with a POST form, and the test below that proves the form's rule. Forms without
# free input (login and logout are Django's own; "verify now" posts nothing) are named as such.
POST_FORMS = {
    "sharing/disclosure_detail.html": "test_rejecting_on_the_page_follows_the_apis_reason_rule",
    "sharing/disclosure_new.html": "test_filing_an_order_on_the_page_follows_the_apis_rules",
    "sharing/bulk_detail.html": "test_cancelling_a_bulk_job_on_the_page_follows_the_apis_reason_rule",
    "sharing/bulk_list.html": "test_uploading_on_the_page_without_a_usable_file_is_a_400",
    "audit/alerts.html": "test_handling_an_alert_on_the_page_follows_the_apis_reason_rule",
    "audit/checkpoints.html": "no input",
    "accounts/login.html": "Django's authentication form",
    "base.html": "logout: no input",
    "admission/join.html": "test_applying_on_the_page_follows_the_apis_rules",
    "admission/documents.html": "test_adding_documents_on_the_page_without_a_file_is_a_400",
    "admission/application.html": "test_deciding_an_application_on_the_page_follows_the_apis_reason_rule",
    # The two-factor and password-reset pages: their rules are proved in tests/accounts/test_two_factor.py.
    "two_factor/enrol.html": "tests/accounts/test_two_factor.py: wrong code at enrolment, re-enrolment",
    "two_factor/verify.html": "tests/accounts/test_two_factor.py: bad input on the code page, lockout",
    "two_factor/regenerate.html": "tests/accounts/test_two_factor.py: new recovery codes need a code",
    "two_factor/password_reset_form.html": "tests/accounts/test_two_factor.py: unknown address, same answer",
    "two_factor/password_reset_confirm.html": "tests/accounts/test_two_factor.py: a weak new password",
    # Invitations, members and keys: their rules are proved in tests/accounts/test_invitations.py.
    "invitations/accept.html": "tests/accounts/test_invitations.py: a weak password refused on its field",
    "invitations/members.html": "tests/accounts/test_invitations.py: a role outside the kind, a reason needed",
    "invitations/api_keys.html": "tests/accounts/test_invitations.py: a scope beyond the role, a past expiry",
    # Marking notifications read posts nothing: tests/sharing/test_notification_pages.py.
    "sharing/notifications.html": "no input (mark read, mark all read)",
    # The rights owner's pages: their rules are proved in tests/sharing/test_rights_owner_pages.py.
    "sharing/owner/report_new.html": "tests/sharing/test_rights_owner_pages.py: each bad field named, no guarantee",
    "sharing/owner/report_detail.html": "tests/sharing/test_rights_owner_pages.py: an appeal too short, a refusal",
    "sharing/owner/dispute_detail.html": "tests/sharing/test_rights_owner_pages.py: an answer without a document",
    # The operator reviewers' pages: their rules are proved in tests/sharing/test_review_pages.py.
    "review/report_detail.html": "tests/sharing/test_review_pages.py: a bad reason on accept and reject",
    "review/dispute_detail.html": "tests/sharing/test_review_pages.py: an unknown outcome, a short reason",
    "review/canaries.html": "tests/sharing/test_review_pages.py: no label, an invalid value",
    "sharing/sales_totals/tasks.html": "tests/sharing/test_sales_totals.py: a blank reason named, another's task",
    # The analyst's pages: their rules are proved in tests/sharing/test_analyst_pages.py.
    "analyst/check.html": "tests/sharing/test_analyst_pages.py: no identifier, a bad value or type on its row",
    "analyst/watchlist.html": "tests/sharing/test_analyst_pages.py: watching without a reference",
    "analyst/_feedback_form.html": "tests/sharing/test_feedback.py: acted without an action (no JavaScript)",
    "analyst/disputes.html": "tests/sharing/test_analyst_pages.py: no grounds; a seller nobody listed",
    "analyst/webhooks.html": "tests/sharing/test_analyst_pages.py: a webhook with a bad URL",
    "analyst/policy.html": "tests/sharing/test_analyst_pages.py: each bad policy field",
    # The listed person's pages: their rules are proved in tests/sharing/test_subject_access.py.
    "subject_access/start.html": "tests/sharing/test_subject_access.py: a bad address, an unknown type",
    "subject_access/code.html": "tests/sharing/test_subject_access.py: a wrong, expired or used-up code",
    "subject_access/statement.html": "tests/sharing/test_subject_access.py: a too short correction or appeal",
    "analyst/feed_subscriptions.html": "tests/sharing/test_purposes.py: a purpose the kind does not allow",
    # The couriers' parcel events page: its rules are proved in tests/sharing/test_parcel_events.py.
    "sharing/parcel_events.html": "tests/sharing/test_parcel_events.py: a bad origin region named, no value shown back",
}
REASONS = {
    "empty": "",
    "blank": "   ",
    "one character": "x",
    "two characters": "ab",
    "three characters": "abc",
    "too long": "y" * 2001,
    "with a NUL byte": "not\x00signed",
    "long enough": "the order is not signed",
}


def test_every_post_form_in_the_templates_is_covered_here():
    found = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r'<form[^>]*method="post"', path.read_text(), re.IGNORECASE)
    }
    assert found == set(POST_FORMS)
    assert all(name in globals() for name in POST_FORMS.values() if name.startswith("test_"))


def _on_page(client, member):
    web_login(client, member)
    return client


def _field_refused(response, field: str) -> bool:
    return response.status_code == 400 and f'data-field="{field}"' in response.content.decode()


def _same_reason_rule(case: str, on_page, by_api, statuses: set, *, done: str, untouched: str) -> None:
    """The page and the API accept exactly the reasons of 3 to 2000 characters, and refuse the rest with a 400."""
    accepted = case in ("three characters", "long enough")
    assert by_api.status_code == (200 if accepted else 400)
    if case == "with a NUL byte":  # hub/input_guard.py refuses the whole body before any form reads it
        assert on_page.status_code == 400
    else:
        assert on_page.status_code == 302 if accepted else _field_refused(on_page, "reason")
    assert statuses == {done if accepted else untouched}


@pytest.mark.parametrize("case", sorted(REASONS))
def test_rejecting_on_the_page_follows_the_apis_reason_rule(client, case):
    web_order, api_order = disclosure_make(), disclosure_make()
    officer = persona(K.OPERATOR, R.DISCLOSURE_OFFICER)

    on_page = _on_page(client, officer).post(
        f"/disclosures/{web_order.public_id}/", {"action": "reject", "reason": REASONS[case]}
    )
    by_api = client_for(officer).post(
        f"/api/v1/disclosure-requests/{api_order.public_id}/reject", {"reason": REASONS[case]}, format="json"
    )

    statuses = set(
        DisclosureRequest.objects.filter(pk__in=[web_order.pk, api_order.pk]).values_list("status", flat=True)
    )
    _same_reason_rule(
        case, on_page, by_api, statuses, done=DisclosureStatus.REJECTED, untouched=DisclosureStatus.SUBMITTED
    )


def test_an_unknown_officer_action_on_the_page_is_a_400(client):
    order = disclosure_make()

    response = _on_page(client, persona(K.OPERATOR, R.DISCLOSURE_OFFICER)).post(
        f"/disclosures/{order.public_id}/", {"action": "delete"}
    )

    assert _field_refused(response, "action")


def _order_form(report_id: str, **overrides) -> dict:
    form = {
        "case_number": "(2026) 1234",
        "issuing_court": "Pudong Court",
        "legal_basis": "CPL art. 67",
        "report_ids": report_id,
        "fields": ["statement"],
        "deadline": (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "order_document": SimpleUploadedFile("order.pdf", b"%PDF order", content_type="application/pdf"),
    }
    return {name: value for name, value in {**form, **overrides}.items() if value is not None}


ORDER_CASES = {
    "no case number": ({"case_number": ""}, "case_number"),
    "case number too long": ({"case_number": "9" * 101}, "case_number"),
    "court name too long": ({"issuing_court": "c" * 201}, "issuing_court"),
    "legal basis too long": ({"legal_basis": "l" * 501}, "legal_basis"),
    "no report": ({"report_ids": ""}, "report_ids"),
    "not a report id": ({"report_ids": "not-a-uuid"}, "report_ids.0"),
    "no field": ({"fields": None}, "fields"),
    "unknown field": ({"fields": ["passwords"]}, "fields.0"),
    "no deadline": ({"deadline": ""}, "deadline"),
    "deadline in the past": (
        {"deadline": (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
        "deadline",
    ),
    "no document": ({"order_document": None}, "order_document.name"),
}


@pytest.mark.parametrize("case", sorted(ORDER_CASES))
def test_filing_an_order_on_the_page_follows_the_apis_rules(client, case):
    clerk = persona(K.COURT, R.ANALYST)
    court_key_pair(clerk.organisation)
    report = report_make(persona(K.RIGHTS_OWNER, R.REPORTER))
    overrides, field = ORDER_CASES[case]

    response = _on_page(client, clerk).post(
        "/disclosures/new", _order_form(str(report.public_id), **overrides)
    )

    assert _field_refused(response, field), response.content.decode()[-1500:]
    assert not DisclosureRequest.objects.exists()


def test_an_order_document_over_the_evidence_limit_is_refused_on_the_page(client, settings):
    settings.HUB_MAX_EVIDENCE_BYTES = 100
    clerk = persona(K.COURT, R.ANALYST)
    court_key_pair(clerk.organisation)
    report = report_make(persona(K.RIGHTS_OWNER, R.REPORTER))
    big = SimpleUploadedFile("order.pdf", b"%" * 101, content_type="application/pdf")

    response = _on_page(client, clerk).post(
        "/disclosures/new", _order_form(str(report.public_id), order_document=big)
    )

    assert (
        _field_refused(response, "order_document.content_base64") and not DisclosureRequest.objects.exists()
    )


def test_a_valid_order_on_the_page_is_filed():
    from django.test import Client

    clerk = persona(K.COURT, R.ANALYST)
    court_key_pair(clerk.organisation)
    report = report_make(persona(K.RIGHTS_OWNER, R.REPORTER))

    response = _on_page(Client(), clerk).post("/disclosures/new", _order_form(str(report.public_id)))

    assert response.status_code == 302 and DisclosureRequest.objects.get().scope_reports == [
        str(report.public_id)
    ]


def _bulk_job(member) -> BulkJob:
    upload = SimpleUploadedFile("s.csv", b"ref,phone\na,+86 138 0013 8000\n")
    return bulk.bulk_submit(purpose="seller_onboarding", upload=upload, actor=Actor(member=member))


@pytest.mark.parametrize("reason, accepted", [("", True), ("x", True), ("z" * 500, True), ("z" * 501, False)])
def test_cancelling_a_bulk_job_on_the_page_follows_the_apis_reason_rule(client, reason, accepted):
    analyst = persona(K.PLATFORM, R.ANALYST)
    web_job, api_job = _bulk_job(analyst), _bulk_job(analyst)

    on_page = _on_page(client, analyst).post(f"/bulk/{web_job.public_id}/cancel", {"reason": reason})
    by_api = client_for(analyst).post(
        f"/api/v1/bulk-checks/{api_job.public_id}/cancel", {"reason": reason}, format="json"
    )

    statuses = set(BulkJob.objects.values_list("status", flat=True))
    assert (by_api.status_code == 200) == accepted
    if accepted:
        assert on_page.status_code == 302 and statuses == {BulkJobStatus.CANCELLED}
    else:
        assert by_api.status_code == 400 and _field_refused(on_page, "reason")
        assert statuses == {BulkJobStatus.QUEUED}


def test_cancelling_a_finished_bulk_job_on_the_page_is_a_409_with_the_reason(client):
    analyst = persona(K.PLATFORM, R.ANALYST)
    job = _bulk_job(analyst)
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJobStatus.DONE)

    response = _on_page(client, analyst).post(f"/bulk/{job.public_id}/cancel", {"reason": "wrong file"})

    assert response.status_code == 409 and "only a queued or running job" in response.content.decode()


@pytest.mark.parametrize("upload", [None, b"", b"ref,phone\n"])
def test_uploading_on_the_page_without_a_usable_file_is_a_400(client, upload):
    files = {} if upload is None else {"file": SimpleUploadedFile("s.csv", upload)}

    response = _on_page(client, persona(K.PLATFORM, R.ANALYST)).post("/bulk/", files)

    assert response.status_code == 400 and not BulkJob.objects.exists()


@pytest.mark.parametrize("case", sorted(REASONS))
def test_handling_an_alert_on_the_page_follows_the_apis_reason_rule(client, case):
    web_alert, api_alert = (
        alert_raise(kind="canary_hit", organisation=None, dedupe_key=f"canary:{n}", details={})
        for n in (1, 2)
    )
    operator = persona(K.OPERATOR, R.REVIEWER)

    on_page = _on_page(client, operator).post(
        f"/audit/alerts/{web_alert.public_id}/resolve", {"reason": REASONS[case]}
    )
    by_api = client_for(operator).post(
        f"/api/v1/alerts/{api_alert.public_id}/resolve", {"reason": REASONS[case]}, format="json"
    )

    statuses = set(Alert.objects.values_list("status", flat=True))
    _same_reason_rule(case, on_page, by_api, statuses, done=AlertStatus.RESOLVED, untouched=AlertStatus.OPEN)


@pytest.mark.parametrize("service", ["disclosure_reject", "disclosure_narrow"])
def test_a_blank_reason_reaching_a_disclosure_service_directly_is_a_400_not_a_database_error(service):
    from hub.errors import DomainError
    from sharing.disclosure.services import disclosure

    order = disclosure_make()
    officer = Actor(member=persona(K.OPERATOR, R.DISCLOSURE_OFFICER))
    extra = {"scope": disclosure.scope_of(order)} if service == "disclosure_narrow" else {}

    with pytest.raises(DomainError) as refused:
        getattr(disclosure, service)(request=order, reason="  ", actor=officer, **extra)

    assert refused.value.status_code == 400 and refused.value.fields == {"reason": ["A reason is required."]}


@pytest.mark.parametrize("case", sorted(REASONS))
def test_deciding_an_application_on_the_page_follows_the_apis_reason_rule(client, case):
    from accounts.admission.models import ApplicationState, OrganisationApplication
    from tests.accounts.test_role_matrix import application_make

    web_application, api_application = application_make(), application_make()
    admin = persona(K.OPERATOR, R.ADMIN)

    on_page = _on_page(client, admin).post(
        f"/operator/applications/{web_application.public_id}/reject", {"reason": REASONS[case]}
    )
    by_api = client_for(admin).post(
        f"/api/v1/review/organisation-applications/{api_application.public_id}/reject",
        {"reason": REASONS[case]},
        format="json",
    )

    statuses = set(
        OrganisationApplication.objects.filter(pk__in=[web_application.pk, api_application.pk]).values_list(
            "state", flat=True
        )
    )
    _same_reason_rule(
        case, on_page, by_api, statuses, done=ApplicationState.REJECTED, untouched=ApplicationState.PENDING
    )


def _application_form(**overrides) -> dict:
    form = {
        "legal_name": "Page Applicant Ltd",
        "kind": "rights_owner",
        "country": "CN",
        "registration_number": "91110000600037341L",
        "contact_name": "Li Wei",
        "contact_email": "contact@example.com",
        "accept_terms": "on",
        "documents": SimpleUploadedFile("licence.pdf", b"%PDF licence", content_type="application/pdf"),
    }
    return {name: value for name, value in {**form, **overrides}.items() if value is not None}


APPLICATION_CASES = {
    "no name": ({"legal_name": ""}, "legal_name"),
    "name too long": ({"legal_name": "n" * 201}, "legal_name"),
    "a court": ({"kind": "court"}, "kind"),
    "an unknown kind": ({"kind": "pirate"}, "kind"),
    "not a country code": ({"country": "China"}, "country"),
    "a bad USCC": ({"registration_number": "91110000600037341X"}, "registration_number"),
    "not an email": ({"contact_email": "nobody"}, "contact_email"),
    "terms not accepted": ({"accept_terms": None}, "accept_terms"),
    "no document": ({"documents": None}, "documents"),
}


@pytest.mark.parametrize("case", sorted(APPLICATION_CASES))
def test_applying_on_the_page_follows_the_apis_rules(client, case):
    import base64

    from accounts.admission.models import OrganisationApplication

    overrides, field = APPLICATION_CASES[case]
    form = _application_form(**overrides)
    body = {k: v for k, v in form.items() if k not in ("documents", "accept_terms")} | {
        "terms_version": "2026-11",
        "accept_terms": "accept_terms" in form,
        "documents": [{"name": "l.pdf", "content_base64": base64.b64encode(b"%PDF").decode()}]
        if "documents" in form
        else [],
    }

    on_page = client.post("/join/", form)
    by_api = client_for(persona(K.PLATFORM, R.ADMIN)).post(
        "/api/v1/organisation-applications", body, format="json"
    )

    assert _field_refused(on_page, field), on_page.content.decode()[-1500:]
    assert by_api.status_code == 400 and field in by_api.json()["error"]["fields"]
    assert not OrganisationApplication.objects.exists()


def test_adding_documents_on_the_page_without_a_file_is_a_400(client):
    from accounts.admission import services
    from tests.accounts.test_role_matrix import application_make

    application = application_make()
    secret = "known-secret"
    application.upload_secret_hash = services.secret_hash(secret)
    application.save(update_fields=["upload_secret_hash"])

    response = client.post(f"/join/{application.public_id}/documents", {"secret": secret})

    assert _field_refused(response, "documents")
    assert application.documents.count() == 1
