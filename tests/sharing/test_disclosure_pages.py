"""The court's web pages: file an order, officers decide, the court downloads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import OrganisationKind, Role
from sharing.models import DisclosureRequest, DisclosureStatus
from tests.factories import court_key_pair, disclosure_make, member_make, persona, report_make, web_login

pytestmark = pytest.mark.django_db


def _logged_in(client, member):
    web_login(client, member)
    return client


def test_a_clerk_files_an_order_through_the_page(client, brand_reporter):
    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    court_key_pair(clerk.organisation)
    report = report_make(brand_reporter)
    form = {
        "case_number": "(2026) 1234",
        "issuing_court": "Pudong Court",
        "legal_basis": "CPL art. 67",
        "report_ids": str(report.public_id),
        "fields": ["statement", "evidence"],
        "deadline": (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "order_document": SimpleUploadedFile("order.pdf", b"%PDF order", content_type="application/pdf"),
    }

    response = _logged_in(client, clerk).post("/disclosures/new", form)

    created = DisclosureRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/disclosures/{created.public_id}/")
    assert created.scope_reports == [str(report.public_id)] and created.scope_fields == [
        "evidence",
        "statement",
    ]
    assert "Pudong Court (2026) 1234" in client.get("/disclosures/").content.decode()


def test_officers_approve_on_the_page_and_the_court_downloads(client):
    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    request = disclosure_make(clerk)
    first = persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER)
    second = member_make(first.organisation, Role.DISCLOSURE_OFFICER)
    page = f"/disclosures/{request.public_id}/"

    for officer in (first, second):
        _logged_in(client, officer).post(page, {"action": "approve"})
        client.logout()
    request.refresh_from_db()
    from sharing.disclosure.services.disclosure_packages import disclosure_package_build

    disclosure_package_build(request_id=request.pk)
    detail = _logged_in(client, clerk).get(page).content.decode()
    download = client.get(f"/disclosures/{request.public_id}/package")

    assert request.status == DisclosureStatus.APPROVED
    assert "Download the package" in detail
    assert download.status_code == 200 and download.content.startswith(b"age-encryption.org/v1\n")
    assert download["Content-Disposition"] == f'attachment; filename="disclosure-{request.public_id}.zip.age"'


def test_other_organisations_cannot_open_the_pages(client):
    request = disclosure_make()
    platform = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    other_court = persona(OrganisationKind.COURT, Role.ANALYST)

    platform_list = _logged_in(client, platform).get("/disclosures/")
    client.logout()
    other_court_detail = _logged_in(client, other_court).get(f"/disclosures/{request.public_id}/")
    anonymous = client.logout() or client.get("/disclosures/")

    assert platform_list.status_code == 403
    assert other_court_detail.status_code == 404
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_an_officer_approving_an_order_past_its_deadline_sees_it_expired(client):
    """The refusal expires the order in its own transaction; the page shows the order as it now is."""
    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    request = disclosure_make(clerk)
    DisclosureRequest.objects.filter(pk=request.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    officer = persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER)

    response = _logged_in(client, officer).post(f"/disclosures/{request.public_id}/", {"action": "approve"})

    request.refresh_from_db()
    assert response.status_code >= 400 and request.status == DisclosureStatus.EXPIRED
    assert "expired" in response.content.decode().lower()
