"""A court outside the data's jurisdiction: refused without the competent authority's approval (PIPL
Art. 41), authorised with it, recorded by a third officer who does not approve the order."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone

from accounts.audit.models import Alert, AuditEvent, DataClass
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind, Role
from accounts.transfers.models import CrossBorderTransfer, TransferChannel
from sharing.disclosure.services.disclosure_packages import disclosure_package_build
from sharing.models import (
    DisclosureApproval,
    DisclosureAuthorityApproval,
    DisclosurePackage,
    DisclosureRequest,
    DisclosureStatus,
    RestrictedRecord,
)
from tests.factories import disclosure_make, member_make, persona, web_login

pytestmark = pytest.mark.django_db

APPROVAL = {
    "authority": "Ministry of Justice of the People's Republic of China",
    "reference": "MOJ-JA-2026-0042",
    "decided_on": "2026-11-20",
    "document": {
        "name": "approval.pdf",
        "content_type": "application/pdf",
        "content_base64": base64.b64encode(b"%PDF-1.7 approval").decode(),
    },
}


@pytest.fixture
def foreign_order(db):
    """An order of a Hong Kong court for data held in the hub's residency (CN)."""
    clerk = persona(OrganisationKind.COURT, Role.ANALYST, country="HK", jurisdiction="HK")
    return disclosure_make(clerk)


@pytest.fixture
def officers(db):
    first = persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER, country="CN")
    return [first, *(member_make(first.organisation, Role.DISCLOSURE_OFFICER) for _ in range(2))]


def _url(order: DisclosureRequest, action: str) -> str:
    return f"/api/v1/disclosure-requests/{order.public_id}/{action}"


def test_a_foreign_courts_order_is_refused_without_the_authoritys_approval(api, foreign_order, officers):
    first = api(officers[0]).post(_url(foreign_order, "approve"))

    second = api(officers[1]).post(_url(foreign_order, "approve"))

    assert first.status_code == 200
    assert first.json()["authority_approval_required"] is True
    assert first.json()["court_jurisdiction"] == "HK" and first.json()["data_jurisdictions"] == ["CN"]
    assert first.json()["authority"] is None
    assert second.status_code == 409
    assert "PIPL Art. 41" in second.json()["error"]["message"]
    foreign_order.refresh_from_db()
    assert foreign_order.status == DisclosureStatus.UNDER_REVIEW
    assert foreign_order.approvals.count() == 1


def test_with_the_authoritys_approval_recorded_by_a_third_officer_the_order_is_approved_and_built(
    api, foreign_order, officers, django_capture_on_commit_callbacks
):
    recorded = api(officers[2]).post(_url(foreign_order, "authority-approval"), APPROVAL, format="json")
    api(officers[0]).post(_url(foreign_order, "approve"))
    with django_capture_on_commit_callbacks():
        approved = api(officers[1]).post(_url(foreign_order, "approve"))
    package = disclosure_package_build(request_id=foreign_order.pk)

    assert recorded.status_code == 201, recorded.json()
    assert recorded.json()["authority_reference"] == "MOJ-JA-2026-0042"
    assert recorded.json()["authority_recorded_by"] == str(officers[2].public_id)
    assert approved.status_code == 200 and approved.json()["status"] == DisclosureStatus.APPROVED
    assert package is not None
    assert RestrictedRecord.objects.filter(
        owner_type="disclosure", owner_id=str(foreign_order.public_id), field="authority_approval"
    ).exists()
    event = AuditEvent.objects.get(action=AuditTag.DISCLOSURE_AUTHORITY_APPROVAL_RECORDED)
    assert event.actor_member == officers[2] and event.data_class == DataClass.ADMINISTRATIVE
    assert event.legal_basis == foreign_order.legal_basis_tag
    assert event.details["authority_reference"] == "MOJ-JA-2026-0042"


def test_an_officer_who_approved_may_not_record_the_authoritys_approval(api, foreign_order, officers):
    api(officers[0]).post(_url(foreign_order, "approve"))

    answer = api(officers[0]).post(_url(foreign_order, "authority-approval"), APPROVAL, format="json")

    assert answer.status_code == 409
    assert not DisclosureAuthorityApproval.objects.exists()


def test_the_officer_who_recorded_the_authoritys_approval_may_not_approve(api, foreign_order, officers):
    api(officers[0]).post(_url(foreign_order, "authority-approval"), APPROVAL, format="json")

    answer = api(officers[0]).post(_url(foreign_order, "approve"))

    assert answer.status_code == 409
    assert foreign_order.approvals.count() == 0


def test_a_domestic_courts_order_needs_no_authority_approval(api, officers):
    order = disclosure_make(persona(OrganisationKind.COURT, Role.ANALYST, country="CN"))

    refused = api(officers[2]).post(_url(order, "authority-approval"), APPROVAL, format="json")
    api(officers[0]).post(_url(order, "approve"))
    approved = api(officers[1]).post(_url(order, "approve"))

    assert refused.status_code == 409
    assert approved.status_code == 200 and approved.json()["authority_approval_required"] is False


def test_the_authority_approval_is_validated_per_field(api, foreign_order, officers):
    answer = api(officers[2]).post(
        _url(foreign_order, "authority-approval"),
        {"authority": "", "reference": "R-1", "decided_on": "2999-01-01", "document": {}},
        format="json",
    )

    assert answer.status_code == 400
    fields = answer.json()["error"]["fields"]
    assert {"authority", "decided_on", "document"} <= set(fields)
    assert not DisclosureAuthorityApproval.objects.exists()


def test_a_court_clerk_cannot_record_the_authoritys_approval(api, foreign_order):
    clerk = foreign_order.requested_by

    answer = api(clerk).post(_url(foreign_order, "authority-approval"), APPROVAL, format="json")

    assert answer.status_code == 403
    assert not DisclosureAuthorityApproval.objects.exists()


def test_an_unapproved_foreign_order_is_not_built(foreign_order, officers):
    """A build never runs without the authority's approval, even if the order reached APPROVED
    (written around the service here, as a scope that grew since approval would)."""
    for officer in officers[:2]:
        DisclosureApproval.objects.create(request=foreign_order, officer=officer)
    DisclosureRequest.objects.filter(pk=foreign_order.pk).update(
        status=DisclosureStatus.APPROVED,
        approved_at=timezone.now(),
        approval_expires_at=foreign_order.deadline,
    )

    built = disclosure_package_build(request_id=foreign_order.pk)

    assert built is None
    assert not DisclosurePackage.objects.filter(request=foreign_order).exists()
    assert Alert.objects.filter(
        kind="disclosure_build_failed", details__reason="authority_approval_missing"
    ).exists()


def test_the_officers_page_records_the_authoritys_approval(client, foreign_order, officers):
    web_login(client, officers[2])
    page = client.get(f"/disclosures/{foreign_order.public_id}/")

    posted = client.post(
        f"/disclosures/{foreign_order.public_id}/authority-approval",
        {
            "authority": APPROVAL["authority"],
            "reference": APPROVAL["reference"],
            "decided_on": APPROVAL["decided_on"],
            "document": _upload(),
        },
    )

    assert page.status_code == 200 and b'id="authority-approval"' in page.content
    assert posted.status_code == 302
    assert DisclosureAuthorityApproval.objects.get(request=foreign_order).recorded_by == officers[2]
    assert APPROVAL["reference"] in client.get(f"/disclosures/{foreign_order.public_id}/").content.decode()


def test_the_officers_page_shows_a_refusal_with_its_reason(client, foreign_order, officers):
    web_login(client, officers[0])
    client.post(f"/disclosures/{foreign_order.public_id}/", {"action": "approve"})
    web_login(client, officers[1])

    answer = client.post(f"/disclosures/{foreign_order.public_id}/", {"action": "approve"})

    assert answer.status_code == 409
    assert "PIPL Art. 41" in answer.content.decode()


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("approval.pdf", b"%PDF-1.7 approval", content_type="application/pdf")


def test_the_package_goes_abroad_only_under_a_transfer_basis_and_is_recorded(
    api, foreign_order, officers, settings, django_capture_on_commit_callbacks
):
    api(officers[2]).post(_url(foreign_order, "authority-approval"), APPROVAL, format="json")
    api(officers[0]).post(_url(foreign_order, "approve"))
    with django_capture_on_commit_callbacks():
        api(officers[1]).post(_url(foreign_order, "approve"))
    disclosure_package_build(request_id=foreign_order.pk)
    clerk = foreign_order.requested_by

    refused = api(clerk).get(_url(foreign_order, "package"))
    settings.HUB_TRANSFER_BASES = {"HK": "standard_contract"}
    downloaded = api(clerk).get(_url(foreign_order, "package"))

    assert refused.status_code == 403
    assert downloaded.status_code == 200
    transfer = CrossBorderTransfer.objects.get()
    assert (transfer.channel, transfer.destination, transfer.object_id) == (
        TransferChannel.PACKAGE,
        "HK",
        str(foreign_order.public_id),
    )


@pytest.mark.django_db
def test_a_court_admitted_without_a_jurisdiction_sits_in_its_own_country(api, operator_admin):
    """Omitting the jurisdiction never makes a court abroad a domestic one (the review's finding): its
    country is its jurisdiction, so its orders need the competent authority's approval."""
    answer = api(operator_admin).post(
        "/api/v1/organisations", {"name": "HK High Court", "kind": "court", "country": "HK"}, format="json"
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["jurisdiction"] == "HK"


@pytest.mark.django_db
def test_the_operator_sits_where_the_hubs_data_lives_whatever_its_country(settings):
    from accounts.services import jurisdiction_default

    assert jurisdiction_default(kind=OrganisationKind.OPERATOR, country="GB") == settings.HUB_DATA_RESIDENCY
    assert jurisdiction_default(kind=OrganisationKind.COURT, country="gb") == "GB"


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_organisations_their_own_country():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("accounts", "0012_audit_retention")], [("accounts", "0013_jurisdiction")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("accounts", "Organisation")
    court = old.objects.create(name="Old HK Court", kind="court", country="HK")
    operator = old.objects.create(name="Old Operator", kind="operator", country="GB")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("accounts", "Organisation")
    jurisdictions = {o.name: o.jurisdiction for o in new.objects.filter(pk__in=[court.pk, operator.pk])}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert jurisdictions == {"Old HK Court": "HK", "Old Operator": "CN"}
