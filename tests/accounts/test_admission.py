"""Organisations apply, operator admins review: API and pages, mail on a real SMTP server, audit."""

from __future__ import annotations

import base64
import importlib
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client

from accounts.admission import services as admission_services
from accounts.admission.models import ApplicationDocument, ApplicationState, OrganisationApplication
from accounts.admission.registration import RULES
from accounts.audit.models import Alert, AuditEvent, DataClass, LegalBasis, Outcome
from accounts.audit.tags import AuditTag
from accounts.invitations.models import Invitation
from accounts.mail.models import OutboundMail
from accounts.models import Organisation, VerificationState
from tests.factories import OrganisationFactory, web_login
from tests.smtp_server import body_of, links_in

pytestmark = pytest.mark.django_db

VALID_USCC = "91110000600037341L"
CONTACT = "compliance.officer@example.com"
DOCUMENT = b"%PDF-1.7 business licence of Example Commerce"


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttle counts in the cache; each test starts with a clean count."""
    cache.clear()
    yield
    cache.clear()


def application_body(**overrides) -> dict:
    body = {
        "legal_name": "Example Commerce Co., Ltd.",
        "kind": "platform",
        "country": "CN",
        "registration_number": VALID_USCC,
        "contact_name": "Li Wei",
        "contact_email": CONTACT,
        "terms_version": "2026-11",
        "accept_terms": True,
        "documents": [
            {
                "name": "licence.pdf",
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(DOCUMENT).decode(),
            }
        ],
    }
    return body | overrides


def apply(client, **overrides):
    return client.post("/api/v1/organisation-applications", application_body(**overrides), format="json")


@pytest.fixture
def anonymous():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def applied(anonymous) -> tuple[OrganisationApplication, str]:
    response = apply(anonymous)
    assert response.status_code == 201, response.content
    return OrganisationApplication.objects.get(public_id=response.json()["id"]), response.json()[
        "upload_secret"
    ]


def review_url(application, suffix: str = "") -> str:
    return f"/api/v1/review/organisation-applications/{application.public_id}{suffix}"


# --- applying ---------------------------------------------------------------------------------


def test_applying_answers_a_reference_and_a_one_time_secret_and_keeps_only_its_hash(anonymous):
    response = apply(anonymous)

    assert response.status_code == 201, response.content
    body = response.json()
    application = OrganisationApplication.objects.get(public_id=body["id"])
    assert body["state"] == "pending" and len(body["upload_secret"]) >= 40
    assert body["upload_secret"] not in application.upload_secret_hash
    assert application.upload_secret_hash == admission_services.secret_hash(body["upload_secret"])
    assert application.terms_version == "2026-11" and application.terms_accepted_at is not None


def test_documents_are_never_stored_in_plaintext(anonymous):
    from django.db import connection

    apply(anonymous)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ciphertext, wrapped_key FROM {ApplicationDocument._meta.db_table}")
        rows = cursor.fetchall()
    assert len(rows) == 1
    ciphertext, wrapped_key = (bytes(column) for column in rows[0])
    assert DOCUMENT not in ciphertext and b"business licence" not in ciphertext
    assert len(wrapped_key) == 12 + 32 + 16


def test_the_contact_email_never_reaches_an_audit_row(anonymous, operator_admin, api):
    application = OrganisationApplication.objects.get(public_id=apply(anonymous).json()["id"])
    api(operator_admin).get(review_url(application))
    api(operator_admin).post(review_url(application, "/verify"), {"reason": "licence checked"}, format="json")

    rows = AuditEvent.objects.all()

    assert rows.filter(action=AuditTag.APPLICATION_SUBMITTED, object_id=str(application.public_id)).exists()
    assert all(CONTACT not in json.dumps(row.details) and CONTACT not in row.object_id for row in rows)


def test_a_valid_uscc_is_accepted_and_an_invalid_check_character_refused(anonymous):
    bad = VALID_USCC[:-1] + "X"

    good = apply(anonymous)
    refused = apply(anonymous, legal_name="Other Co.", registration_number=bad)

    assert good.status_code == 201
    assert refused.status_code == 400
    message = " ".join(refused.json()["error"]["fields"]["registration_number"])
    assert "CN" in message and "stdnum.cn.uscc" in message and "unified social credit code" in message


@pytest.mark.parametrize(
    "country,number,valid",
    [
        ("FR", "732 829 320", True),
        ("FR", "732 829 321", False),
        ("US", "04-2103594", True),
        ("DE", "Berlin HRB 12345", True),
    ],
)
def test_other_countries_are_checked_by_their_own_rule(anonymous, country, number, valid):
    response = apply(anonymous, country=country, registration_number=number)

    assert response.status_code == (201 if valid else 400), response.content
    if not valid:
        assert f"rule for {country}" in " ".join(response.json()["error"]["fields"]["registration_number"])


def test_a_country_without_a_rule_takes_the_number_as_given_trimmed(anonymous):
    response = apply(anonymous, country="GB", registration_number="  0123 4567 ")

    assert response.status_code == 201
    assert OrganisationApplication.objects.get().registration_number == "0123 4567"


def test_every_rule_names_a_module_of_the_installed_stdnum():
    for rule in RULES.values():
        module = importlib.import_module(rule.module)
        assert callable(module.validate) and callable(module.compact)


@pytest.mark.parametrize("kind", ["court", "auditor", "operator", "pirate"])
def test_courts_auditors_and_unknown_kinds_cannot_apply(anonymous, kind):
    response = apply(anonymous, kind=kind)

    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]
    assert not OrganisationApplication.objects.exists()


def test_the_terms_must_be_accepted_in_their_current_version(anonymous):
    unaccepted = apply(anonymous, accept_terms=False)
    stale = apply(anonymous, terms_version="2019-01")

    assert unaccepted.status_code == 400 and "accept_terms" in unaccepted.json()["error"]["fields"]
    assert stale.status_code == 400 and "terms_version" in stale.json()["error"]["fields"]


def test_a_duplicate_name_ignoring_case_and_spaces_is_a_409_and_audited(anonymous):
    apply(anonymous)

    response = apply(
        anonymous, legal_name="  example   COMMERCE co., ltd. ", registration_number="91350100M000100Y43"
    )

    assert response.status_code == 409
    assert "legal_name" in response.json()["error"]["fields"]
    assert AuditEvent.objects.filter(action=AuditTag.APPLICATION_SUBMITTED, outcome=Outcome.DENIED).exists()


def test_a_name_of_an_existing_organisation_or_a_taken_number_is_a_409(anonymous):
    OrganisationFactory(name="Taken Brands GmbH")
    OrganisationFactory(name="Holder", country="CN", registration_number=VALID_USCC)

    by_name = apply(anonymous, legal_name="taken brands gmbh", registration_number="91350100M000100Y43")
    by_number = apply(anonymous, legal_name="Fresh Name Ltd")

    assert by_name.status_code == 409 and "legal_name" in by_name.json()["error"]["fields"]
    assert by_number.status_code == 409 and "registration_number" in by_number.json()["error"]["fields"]


def test_a_duplicate_that_slips_past_the_check_in_a_race_is_still_a_409(anonymous, monkeypatch):
    apply(anonymous)
    monkeypatch.setattr(admission_services, "duplicates_of", lambda **kwargs: {})

    response = apply(anonymous)

    assert response.status_code == 409


def test_the_operator_admitting_a_duplicate_name_gets_a_409_not_a_500(api, operator_admin):
    OrganisationFactory(name="Speedy Logistics")
    body = {"name": "SPEEDY  logistics", "kind": "logistics", "country": "CN"}

    response = api(operator_admin).post("/api/v1/organisations", body, format="json")

    assert response.status_code == 409 and "name" in response.json()["error"]["fields"]
    assert AuditEvent.objects.filter(
        actor_member=operator_admin, action=AuditTag.ORGANISATION_CREATED, outcome=Outcome.DENIED
    ).exists()


def test_the_database_refuses_a_second_name_differing_only_in_case():
    OrganisationFactory(name="Case Co")

    with pytest.raises(IntegrityError):
        OrganisationFactory(name="CASE CO")


def test_a_flood_of_applications_from_one_address_gets_429(anonymous, settings):
    settings.HUB_APPLICATION_RATE = "3/hour"

    answers = [
        apply(anonymous, legal_name=f"Flood {n}", country="GB", registration_number=f"F{n}").status_code
        for n in range(5)
    ]

    assert answers[:3] == [201, 201, 201] and answers[3:] == [429, 429]


# --- reviewing --------------------------------------------------------------------------------


def test_verifying_admits_a_verified_organisation_with_its_terms_and_tells_the_contact(
    applied, api, operator_admin, smtp, django_capture_on_commit_callbacks
):
    application, _ = applied

    with django_capture_on_commit_callbacks(execute=True):
        response = api(operator_admin).post(
            review_url(application, "/verify"), {"reason": "licence checked"}, format="json"
        )

    assert response.status_code == 200, response.content
    organisation = Organisation.objects.get(public_id=response.json()["organisation"])
    assert organisation.verification == VerificationState.VERIFIED and organisation.kind == "platform"
    assert (
        organisation.terms_version == "2026-11"
        and organisation.terms_accepted_at == application.terms_accepted_at
    )
    assert organisation.registration_number == VALID_USCC
    messages = {m["Subject"]: m for m in smtp.wait_for(CONTACT, count=2)}
    verified, invitation = (
        messages["[Hub] Your organisation is verified"],
        messages[f"Invitation to join {organisation.name}"],
    )
    assert "verified" in body_of(verified) and "invitation to become its administrator" in body_of(verified)
    assert AuditEvent.objects.filter(
        action=AuditTag.APPLICATION_VERIFIED, actor_member=operator_admin
    ).exists()
    # The contact who applied is invited as the new organisation's first administrator.
    pending = Invitation.objects.get(organisation=organisation)
    assert (pending.email, pending.role) == (CONTACT.lower(), "admin")
    assert any("/invitations/accept/" in link for link in links_in(invitation))


def test_rejecting_records_the_reason_and_tells_the_contact(
    applied, api, operator_admin, smtp, django_capture_on_commit_callbacks
):
    application, _ = applied

    with django_capture_on_commit_callbacks(execute=True):
        response = api(operator_admin).post(
            review_url(application, "/reject"), {"reason": "not a registered platform"}, format="json"
        )

    assert response.status_code == 200 and response.json()["state"] == "rejected"
    assert "not a registered platform" in body_of(smtp.wait_for(CONTACT)[0])
    assert not Organisation.objects.filter(name=application.legal_name).exists()
    again = api(operator_admin).post(
        review_url(application, "/verify"), {"reason": "changed mind"}, format="json"
    )
    assert again.status_code == 409


def test_a_decision_needs_a_reason(applied, api, operator_admin):
    application, _ = applied

    response = api(operator_admin).post(review_url(application, "/reject"), {}, format="json")

    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]


def test_requesting_documents_mails_a_link_that_uploads_once_and_returns_the_application_to_pending(
    applied, api, operator_admin, smtp, django_capture_on_commit_callbacks, settings
):
    application, _ = applied
    settings.HUB_PUBLIC_URL = "https://hub.example.org"

    with django_capture_on_commit_callbacks(execute=True):
        api(operator_admin).post(
            review_url(application, "/request-documents"),
            {"reason": "a recent registry extract"},
            format="json",
        )
    message = smtp.wait_for(CONTACT)[0]
    [link] = [link for link in links_in(message) if "/documents" in link]
    assert link.startswith("https://hub.example.org/join/")
    path = link.removeprefix("https://hub.example.org")
    page = Client().get(path)
    secret = page.context["secret"]
    upload = {"secret": secret, "documents": _file("extract.pdf", b"%PDF registry extract")}
    first = Client().post(path.split("?")[0], upload)
    second = Client().post(path.split("?")[0], {"secret": secret, "documents": _file("x.pdf", b"%PDF again")})

    application.refresh_from_db()
    assert page.status_code == 200 and "a recent registry extract" in body_of(message)
    assert first.status_code == 200 and application.state == ApplicationState.PENDING
    assert application.documents.count() == 2
    assert second.status_code == 404
    mail = OutboundMail.objects.get(about_type="organisationapplication", about_id=str(application.public_id))
    assert mail.sent_at is not None and mail.body == ""  # the one-time link is not kept once sent


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_adding_documents_with_a_wrong_secret_is_a_404_like_an_unknown_reference(applied, anonymous):
    application, _ = applied
    documents = application_body()["documents"]

    wrong = anonymous.post(
        f"/api/v1/organisation-applications/{application.public_id}/documents",
        {"secret": "guess", "documents": documents},
        format="json",
    )

    assert wrong.status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditTag.APPLICATION_DOCUMENTS_ADDED, outcome=Outcome.DENIED
    ).exists()


def test_the_answer_secret_adds_documents_once(applied, anonymous):
    application, secret = applied
    url = f"/api/v1/organisation-applications/{application.public_id}/documents"
    body = {"secret": secret, "documents": application_body()["documents"]}

    first, second = anonymous.post(url, body, format="json"), anonymous.post(url, body, format="json")

    assert first.status_code == 200 and second.status_code == 404
    assert application.documents.count() == 2


def test_opening_a_document_is_a_restricted_access_audited_under_admission_review(
    applied, api, operator_admin
):
    application, _ = applied
    document = application.documents.get()

    response = api(operator_admin).get(review_url(application, f"/documents/{document.public_id}"))

    assert response.status_code == 200 and response.content == DOCUMENT
    assert response["Content-Type"] == "application/octet-stream"
    row = AuditEvent.objects.get(action=AuditTag.APPLICATION_DOCUMENT_OPENED, outcome=Outcome.ALLOWED)
    assert row.data_class == DataClass.RESTRICTED and row.legal_basis == LegalBasis.ADMISSION_REVIEW
    assert row.object_id == str(document.public_id) and row.actor_member == operator_admin
    assert not Alert.objects.filter(kind="restricted_without_order").exists()


def test_admission_reads_satisfy_the_restricted_access_invariant(applied, api, operator_admin):
    from sharing.disclosure.services.restricted_access import restricted_access_violations

    application, _ = applied
    api(operator_admin).get(review_url(application, f"/documents/{application.documents.get().public_id}"))

    assert restricted_access_violations() == []


def test_documents_close_once_the_application_is_decided(applied, api, operator_admin):
    application, _ = applied
    document = application.documents.get()
    api(operator_admin).post(review_url(application, "/reject"), {"reason": "forged licence"}, format="json")

    response = api(operator_admin).get(review_url(application, f"/documents/{document.public_id}"))

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(
        action=AuditTag.APPLICATION_DOCUMENT_OPENED, outcome=Outcome.ALLOWED
    ).exists()


def test_reviewers_other_than_operator_admins_cannot_open_documents(applied, api, reviewer):
    application, _ = applied

    response = api(reviewer).get(
        review_url(application, f"/documents/{application.documents.get().public_id}")
    )

    assert response.status_code == 403


def test_suspending_and_reinstating_with_a_reason_tells_the_contact(
    applied, api, operator_admin, smtp, django_capture_on_commit_callbacks
):
    application, _ = applied
    with django_capture_on_commit_callbacks(execute=True):
        api(operator_admin).post(
            review_url(application, "/verify"), {"reason": "licence checked"}, format="json"
        )
    application.refresh_from_db()
    url = f"/api/v1/organisations/{application.organisation.public_id}/standing"

    with django_capture_on_commit_callbacks(execute=True):
        suspended = api(operator_admin).post(
            url, {"verified": True, "suspended": True, "reason": "bad-faith notices"}, format="json"
        )
        reinstated = api(operator_admin).post(
            url, {"verified": True, "suspended": False, "reason": "appeal granted"}, format="json"
        )

    assert suspended.status_code == reinstated.status_code == 200
    # Besides the notice of verification and the invitation to be its administrator.
    smtp.wait_for(CONTACT, count=4)
    bodies = [
        body_of(m) for m in smtp.to(CONTACT) if "standing" in m["Subject"] or "suspended" in m["Subject"]
    ]
    assert len(bodies) == 2 and "suspended" in bodies[0] and "bad-faith notices" in bodies[0]
    assert "good standing" in bodies[1] and "appeal granted" in bodies[1]
    row = AuditEvent.objects.get(action=AuditTag.ORGANISATION_SUSPENDED, outcome=Outcome.ALLOWED)
    assert row.details["reason"] == "bad-faith notices"


def test_the_queue_is_oldest_first_and_filters_by_state(anonymous, api, operator_admin):
    first = apply(anonymous, legal_name="First Co", country="GB").json()["id"]
    second = apply(anonymous, legal_name="Second Co", country="GB", registration_number="2").json()["id"]
    api(operator_admin).post(
        f"/api/v1/review/organisation-applications/{first}/reject",
        {"reason": "not a platform"},
        format="json",
    )

    everything = api(operator_admin).get("/api/v1/review/organisation-applications").json()["results"]
    pending = (
        api(operator_admin).get("/api/v1/review/organisation-applications?state=pending").json()["results"]
    )
    bad = api(operator_admin).get("/api/v1/review/organisation-applications?state=sleeping")

    assert [a["id"] for a in everything] == [first, second]
    assert [a["id"] for a in pending] == [second]
    assert bad.status_code == 400


# --- pages ------------------------------------------------------------------------------------


def test_the_join_page_shows_the_terms_and_files_an_application(client, settings):
    page = client.get("/join/")
    form = {
        k: v for k, v in application_body().items() if k not in ("documents", "accept_terms", "terms_version")
    }

    response = client.post(
        "/join/", form | {"accept_terms": "on", "documents": _file("licence.pdf", DOCUMENT)}
    )

    assert page.status_code == 200 and settings.HUB_MEMBERSHIP_TERMS_TEXT in page.content.decode()
    assert response.status_code == 201, response.content.decode()[:2000]
    application = OrganisationApplication.objects.get()
    assert str(application.public_id) in response.content.decode()
    assert application.upload_secret_hash == admission_services.secret_hash(response.context["secret"])


def test_the_join_page_shows_per_field_errors(client):
    form = {
        k: v for k, v in application_body().items() if k not in ("documents", "accept_terms", "terms_version")
    }

    response = client.post("/join/", form | {"kind": "court", "registration_number": "123"})

    assert response.status_code == 400
    errors = response.context["errors"]
    assert {"kind", "accept_terms", "documents"} <= set(errors)


def test_the_join_page_is_throttled_too(client, settings):
    settings.HUB_APPLICATION_RATE = "1/hour"

    client.post("/join/", {})
    response = client.post("/join/", {})

    assert response.status_code == 429


def test_operator_pages_list_and_decide(
    applied, client, operator_admin, smtp, django_capture_on_commit_callbacks
):
    application, _ = applied
    web_login(client, operator_admin)

    queue = client.get("/operator/applications/?state=pending")
    detail = client.get(f"/operator/applications/{application.public_id}/")
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(f"/operator/applications/{application.public_id}/verify", {"reason": "checked"})

    application.refresh_from_db()
    assert queue.status_code == 200 and application.legal_name in queue.content.decode()
    assert detail.status_code == 200 and CONTACT in detail.content.decode()
    assert decided.status_code == 302 and application.state == ApplicationState.VERIFIED
    assert smtp.wait_for(CONTACT)


def test_operator_pages_are_refused_to_other_roles(client, reviewer):
    web_login(client, reviewer)

    assert client.get("/operator/applications/").status_code == 403


def test_a_document_opens_from_the_page_as_a_download(applied, client, operator_admin):
    application, _ = applied
    web_login(client, operator_admin)

    response = client.get(
        f"/operator/applications/{application.public_id}/documents/{application.documents.get().public_id}"
    )

    assert response.status_code == 200 and response.content == DOCUMENT
    assert response["Content-Disposition"].startswith("attachment")


# --- keys and commands ------------------------------------------------------------------------


def test_kek_rotation_rewraps_application_documents(anonymous, settings, operator_admin, api):
    from sharing.keys.services.kek_rotation import kek_rotate

    settings.HUB_KEKS = "1:" + "a1" * 32
    application = OrganisationApplication.objects.get(public_id=apply(anonymous).json()["id"])
    settings.HUB_KEKS = "1:" + "a1" * 32 + ",2:" + "b2" * 32

    summary = kek_rotate()
    settings.HUB_KEKS = "2:" + "b2" * 32
    opened = api(operator_admin).get(
        review_url(application, f"/documents/{application.documents.get().public_id}")
    )

    assert summary.rewrapped == 1 and summary.remaining == 0
    assert application.documents.get().kek_version == 2
    assert opened.status_code == 200 and opened.content == DOCUMENT


def test_admit_organisation_command_admits_a_verified_court_and_prints_its_id(capsys):
    call_command(
        "admit_organisation",
        name="Beijing IP Court",
        kind="court",
        country="CN",
        registration_number=VALID_USCC,
    )

    organisation = Organisation.objects.get(name="Beijing IP Court")
    assert str(organisation.public_id) in capsys.readouterr().out
    assert organisation.verification == VerificationState.VERIFIED and organisation.kind == "court"


def test_admit_organisation_command_refuses_a_bad_number_and_a_duplicate():
    from django.core.management import CommandError

    OrganisationFactory(name="Already Here")

    with pytest.raises(CommandError, match="stdnum.cn.uscc"):
        call_command("admit_organisation", name="X", kind="court", country="CN", registration_number="123")
    with pytest.raises(CommandError, match="already"):
        call_command("admit_organisation", name="already here", kind="auditor", country="GB")


def test_a_decision_that_rolls_back_sends_no_mail(
    applied, operator_admin, smtp, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from accounts.actors import Actor

    application, _ = applied

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        admission_services.application_reject(
            application=application, reason="not a platform", actor=Actor(member=operator_admin)
        )
        raise RuntimeError("the request failed after the decision")

    assert (
        smtp.to(CONTACT) == []
        and not OutboundMail.objects.filter(about_id=str(application.public_id)).exists()
    )


def test_suspending_on_the_page_needs_a_reason_and_tells_the_contact(
    applied, api, client, operator_admin, smtp, django_capture_on_commit_callbacks
):
    application, _ = applied
    api(operator_admin).post(review_url(application, "/verify"), {"reason": "licence checked"}, format="json")
    application.refresh_from_db()
    organisation = application.organisation
    web_login(client, operator_admin)
    url = f"/operator/organisations/{organisation.public_id}"

    without_reason = client.post(f"{url}/suspend", {"reason": ""})
    with django_capture_on_commit_callbacks(execute=True):
        suspended = client.post(f"{url}/suspend", {"reason": "bad-faith notices"})
    organisation.refresh_from_db()

    assert without_reason.status_code == 400 and 'data-field="reason"' in without_reason.content.decode()
    assert suspended.status_code == 302 and organisation.suspended
    assert any("bad-faith notices" in body_of(m) for m in smtp.wait_for(CONTACT))
